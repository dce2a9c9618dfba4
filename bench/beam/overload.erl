%% overload: workload W12 (overload) on the BEAM, the counterpart of
%% bench/peers/overload. A gen_server whose handle_call busy-waits for a
%% fixed cost is offered a load by Callers processes, each calling on an
%% open-loop schedule with a call timeout of TimeoutMs. It prints one JSON
%% object: goodput (replies in time, per second), handled (calls the
%% server ran, including those whose caller had given up) and the p99
%% latency of the successful calls. Just before and just after, for
%% WarmupMs each, it measures the server's capacity: what it handles per
%% second when the callers keep it busy in a closed loop without timeouts
%% (capacity_per_s, the mean of the two; see Saturate and Run in
%% bench/peers/overload).
%%
%%   erlc overload.erl && erl -noshell +S 2:2 -eval \
%%     'overload:run(CostUs, Callers, TimeoutMs, DurationMs, OfferedPerS, WarmupMs), halt().'
-module(overload).
-behaviour(gen_server).
-export([run/6, init/1, handle_call/3, handle_cast/2]).

run(CostUs, Callers, TimeoutMs, DurationMs, Offered, WarmupMs) ->
    {ok, S} = gen_server:start(?MODULE, CostUs, []),
    CapacityBefore = saturate(S, Callers, WarmupMs),
    H0 = gen_server:call(S, handled, infinity),
    Interval = Callers * 1000000 div Offered,
    Start = now_us(),
    End = Start + DurationMs * 1000,
    Parent = self(),
    [spawn_link(fun() ->
                        Parent ! {done, caller(S, TimeoutMs, Start + Interval * I div Callers, Interval, End, [])}
                end) || I <- lists:seq(0, Callers - 1)],
    Lats = lists:sort(lists:append([receive {done, L} -> L end || _ <- lists:seq(1, Callers)])),
    Elapsed = (now_us() - Start) / 1000000,
    ok = gen_server:call(S, sync, infinity),
    Handled = gen_server:call(S, handled, infinity) - H0,
    Capacity = (CapacityBefore + saturate(S, Callers, WarmupMs)) / 2,
    Good = length(Lats),
    P99 = case Good of
              0 -> 0;
              _ -> lists:nth(Good * 99 div 100 + 1, Lats) / 1000
          end,
    io:format("{\"capacity_per_s\": ~.1f, \"goodput_per_s\": ~.1f, \"good\": ~b, \"handled\": ~b, \"elapsed_s\": ~.3f, \"p99_ms\": ~.3f}~n",
              [Capacity, Good / Elapsed, Good, Handled, Elapsed, P99]).

%% saturate keeps S busy with K callers in a closed loop, without
%% timeouts, for Ms and returns what it handled per second (0.0 for
%% Ms = 0).
saturate(_S, _K, 0) ->
    0.0;
saturate(S, K, Ms) ->
    H0 = gen_server:call(S, handled, infinity),
    Start = now_us(),
    End = Start + Ms * 1000,
    Parent = self(),
    [spawn_link(fun() -> closed_loop(S, End), Parent ! saturated end) || _ <- lists:seq(1, K)],
    [receive saturated -> ok end || _ <- lists:seq(1, K)],
    Elapsed = (now_us() - Start) / 1000000,
    H1 = gen_server:call(S, handled, infinity),
    (H1 - H0) / Elapsed.

closed_loop(S, End) ->
    case now_us() < End of
        true ->
            ok = gen_server:call(S, work, infinity),
            closed_loop(S, End);
        false ->
            ok
    end.

caller(_S, _T, Next, _Interval, End, Lats) when Next >= End ->
    Lats;
caller(S, T, Next, Interval, End, Lats) ->
    case Next - now_us() of
        Wait when Wait > 1000 -> timer:sleep(Wait div 1000);
        _ -> ok
    end,
    T0 = now_us(),
    Lats1 = try gen_server:call(S, work, T) of
                ok -> [now_us() - T0 | Lats]
            catch
                exit:{timeout, _} -> Lats
            end,
    caller(S, T, Next + Interval, Interval, End, Lats1).

now_us() -> erlang:monotonic_time(microsecond).

spin(Until) ->
    case now_us() < Until of
        true -> spin(Until);
        false -> ok
    end.

init(CostUs) -> {ok, {CostUs, 0}}.

handle_call(work, _From, {Cost, N}) ->
    spin(now_us() + Cost),
    {reply, ok, {Cost, N + 1}};
handle_call(sync, _From, State) ->
    {reply, ok, State};
handle_call(handled, _From, {_, N} = State) ->
    {reply, N, State}.

handle_cast(_, State) -> {noreply, State}.

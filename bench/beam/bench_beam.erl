%% bench_beam runs the side-by-side workloads W1-W7 of docs/BENCHMARKS.md on the
%% BEAM with plain Erlang/OTP (gen_server, supervisor, register/whereis)
%% and prints their results as a JSON array in the shape the Go command
%% bench/peers/cmd/compare reads:
%%
%%   [{"runtime":"beam","workload":"W1","scale":"quick",
%%     "metrics":[{"name":"round_trip_ns","value":612.5}]}, ...]
%%
%% A result whose workload did not verify (a lost message, a wrong reply,
%% a missing child) carries an "error" string instead of metrics; one the
%% BEAM cannot run (W6a: OTP adds a child to a supervisor only through a
%% start_child request, which is W6) carries an "na" reason.
%%
%% Run it through run.sh, which compiles this module and starts erl with
%% two schedulers (+S 2:2):
%%
%%   bench/beam/run.sh [-quick | -scale full|quick|tiny] [W1 W2 ...]
%%
%% The module is its own gen_server and supervisor callback module: init/1
%% tells the roles apart by its argument.
-module(bench_beam).

-export([main/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(PRODUCERS, 8).
-define(CALLERS, 64).
-define(READERS, 2).

%% scale(Name) returns the counts of a scale. They must match Full, Quick
%% and Tiny in bench/peers/workload/workload.go.
scale("full") ->
    #{round_trips => 1000000, fan_in => 2000000, calls => 500000,
      calls64 => 1000000, spawns => 100000, restarts => 2000,
      children => 100000, names => 100000, lookups => 1000000};
scale("quick") ->
    #{round_trips => 100000, fan_in => 200000, calls => 50000,
      calls64 => 100000, spawns => 20000, restarts => 400,
      children => 20000, names => 20000, lookups => 200000};
scale("tiny") ->
    #{round_trips => 1000, fan_in => 4000, calls => 500,
      calls64 => 1280, spawns => 500, restarts => 20,
      children => 500, names => 1000, lookups => 4000}.

all() -> ["W1", "W2", "W3", "W3b", "W4", "W5", "W6", "W6a", "W7"].

%% main([Scale | Workloads]) runs the workloads (all if none are given),
%% prints the JSON array and halts.
main([ScaleName | Ws0]) ->
    %% Crash reports from W5's deliberate crashes would cost terminal
    %% writes on every restart; the Go runtimes discard theirs too.
    logger:set_primary_config(level, none),
    S = scale(ScaleName),
    Ws = case Ws0 of [] -> all(); _ -> Ws0 end,
    Results = [result(W, ScaleName, catch run(W, S)) || W <- Ws],
    io:put_chars(["[", lists:join(",\n ", Results), "]\n"]),
    halt(0).

result(W, Scale, {ok, Metrics}) ->
    Ms = [io_lib:format("{\"name\":\"~s\",\"value\":~s}", [N, fmt(V)]) || {N, V} <- Metrics],
    io_lib:format("{\"runtime\":\"beam\",\"workload\":\"~s\",\"scale\":\"~s\",\"metrics\":[~s]}",
                  [W, Scale, lists:join(",", Ms)]);
result(W, Scale, {na, Why}) ->
    io_lib:format("{\"runtime\":\"beam\",\"workload\":\"~s\",\"scale\":\"~s\",\"na\":\"~s\"}",
                  [W, Scale, escape(Why)]);
result(W, Scale, Other) ->
    Msg = lists:flatten(io_lib:format("~0p", [Other])),
    io_lib:format("{\"runtime\":\"beam\",\"workload\":\"~s\",\"scale\":\"~s\",\"error\":\"~s\"}",
                  [W, Scale, escape(Msg)]).

fmt(V) when is_integer(V) -> integer_to_list(V);
fmt(V) -> float_to_list(float(V), [{decimals, 4}, compact]).

escape(S) -> lists:flatmap(fun($") -> "\\\""; ($\\) -> "\\\\"; (C) when C < 32 -> " "; (C) -> [C] end, S).

now_ns() -> erlang:monotonic_time(nanosecond).

per_sec(Ops, Ns) -> Ops * 1.0e9 / Ns.

%% share(Total, K, I) is how many of Total items worker I (0-based) of K gets.
share(Total, K, I) ->
    case I < Total rem K of
        true -> Total div K + 1;
        false -> Total div K
    end.

%% run(Workload, Scale) returns {ok, [{MetricName, Value}]} or an error.
run("W1", #{round_trips := N}) -> pingpong(N);
run("W2", #{fan_in := N}) -> fanin(N);
run("W3", #{calls := N}) -> call(N);
run("W3b", #{calls64 := N}) -> call64(N);
run("W4", #{spawns := N}) -> spawn_idle(N);
run("W5", #{restarts := N}) -> restart(N);
run("W6", #{children := N}) ->
    %% Warm, as the reference measurements are: a first run grows the VM's tables.
    case dynamic(N) of
        {ok, _} -> dynamic(N);
        Err -> Err
    end;
run("W6a", _) ->
    %% W6 without a request/reply per child: a supervisor learns of a
    %% child only through start_child (a gen_server call), so there is no
    %% such variant on the BEAM.
    {na, "OTP has no way to add a child to a supervisor without a start_child request (that is W6)"};
run("W7", #{names := N, lookups := L}) -> registry(N, L);
run(W, _) -> {error, {unknown_workload, W}}.

%% ---------------------------------------------------------------------
%% W1 pingpong: two processes bounce {ball, Left, Hops}.

pinger(Parent) ->
    receive {peer, Peer} -> pinger(Parent, Peer) end.

pinger(Parent, Peer) ->
    receive
        {ball, 0, Hops} -> Parent ! {done, Hops};
        {ball, Left, Hops} -> Peer ! {ball, Left - 1, Hops + 1}, pinger(Parent, Peer)
    end.

pingpong(N) ->
    Self = self(),
    A = spawn_link(fun() -> pinger(Self) end),
    B = spawn_link(fun() -> pinger(Self) end),
    A ! {peer, B},
    B ! {peer, A},
    T0 = now_ns(),
    A ! {ball, 2 * N, 0},
    receive
        {done, Hops} ->
            D = now_ns() - T0,
            exit(A, kill), exit(B, kill),
            case Hops of
                H when H =:= 2 * N -> {ok, [{round_trip_ns, D / N}]};
                _ -> {error, {hops, Hops, want, 2 * N}}
            end
    after 120000 -> {error, pingpong_timeout}
    end.

%% ---------------------------------------------------------------------
%% W2 fanin: 8 producers, one consumer counting and summing payloads.

payload(J) -> J band 255.

consumer(Parent, Want) -> consumer(Parent, Want, 0, 0).

consumer(Parent, Want, Want, Sum) -> Parent ! {counted, Want, Sum};
consumer(Parent, Want, Got, Sum) ->
    receive V -> consumer(Parent, Want, Got + 1, Sum + V) end.

produce(_, K, K) -> ok;
produce(To, J, K) -> To ! payload(J), produce(To, J + 1, K).

fanin_sum(N) ->
    lists:sum([payload(J) || I <- lists:seq(0, ?PRODUCERS - 1), J <- lists:seq(0, share(N, ?PRODUCERS, I) - 1)]).

fanin(N) ->
    Self = self(),
    C = spawn_link(fun() -> consumer(Self, N) end),
    Ps = [spawn_link(fun() -> receive go -> produce(C, 0, share(N, ?PRODUCERS, I)) end end)
          || I <- lists:seq(0, ?PRODUCERS - 1)],
    T0 = now_ns(),
    [P ! go || P <- Ps],
    receive
        {counted, Got, Sum} ->
            D = now_ns() - T0,
            Want = fanin_sum(N),
            case {Got, Sum} of
                {N, Want} -> {ok, [{msgs_per_s, per_sec(N, D)}]};
                _ -> {error, {counted, Got, Sum, want, N, Want}}
            end
    after 120000 -> {error, fanin_timeout}
    end.

%% ---------------------------------------------------------------------
%% gen_server and supervisor callbacks for every role.

init(sum) -> {ok, 0};
init(idle) -> {ok, idle};
init({crasher, Parent}) -> Parent ! {ready, self()}, {ok, crasher};
init({sup, one_for_one, Parent, Restarts}) ->
    {ok, {#{strategy => one_for_one, intensity => Restarts + 10, period => 3600},
          [#{id => child, start => {gen_server, start_link, [?MODULE, {crasher, Parent}, []]}}]}};
init({sup, simple_one_for_one}) ->
    {ok, {#{strategy => simple_one_for_one, intensity => 1, period => 5},
          [#{id => idle, start => {gen_server, start_link, [?MODULE, idle, []]}, restart => temporary}]}}.

handle_call(N, _From, Total) when is_integer(N) -> {reply, Total + N, Total + N}.

handle_cast(crash, State) -> {stop, crash, State}.

handle_info(_, State) -> {noreply, State}.

%% ---------------------------------------------------------------------
%% W3 call and W3b call64.

call_loop(_, I, K) when I > K -> ok;
call_loop(S, I, K) ->
    case gen_server:call(S, 1) of
        I -> call_loop(S, I + 1, K);
        Other -> {error, {reply, Other, want, I}}
    end.

call(N) ->
    {ok, S} = gen_server:start(?MODULE, sum, []),
    T0 = now_ns(),
    R = call_loop(S, 1, N),
    D = now_ns() - T0,
    gen_server:stop(S),
    case R of
        ok -> {ok, [{call_ns, D / N}]};
        Err -> Err
    end.

calls(_, 0) -> ok;
calls(S, K) -> gen_server:call(S, 1), calls(S, K - 1).

call64(N) ->
    {ok, S} = gen_server:start(?MODULE, sum, []),
    Self = self(),
    Cs = [spawn_link(fun() -> receive go -> calls(S, share(N, ?CALLERS, I)), Self ! called end end)
          || I <- lists:seq(0, ?CALLERS - 1)],
    T0 = now_ns(),
    [C ! go || C <- Cs],
    [receive called -> ok after 120000 -> exit(call64_timeout) end || _ <- Cs],
    D = now_ns() - T0,
    Total = gen_server:call(S, 0),
    gen_server:stop(S),
    case Total of
        N -> {ok, [{calls_per_s, per_sec(N, D)}]};
        _ -> {error, {server_counted, Total, want, N}}
    end.

%% ---------------------------------------------------------------------
%% W4 spawn: idle gen_servers; a warm-up batch, then a measured one.

start_idle(N) -> [begin {ok, P} = gen_server:start(?MODULE, idle, []), P end || _ <- lists:seq(1, N)].

%% stop_all kills every process and waits for each one's 'DOWN'.
stop_all(Ps) ->
    Refs = [begin R = monitor(process, P), exit(P, kill), R end || P <- Ps],
    [receive {'DOWN', R, process, _, _} -> ok after 120000 -> exit(stop_timeout) end || R <- Refs],
    ok.

%% spawn_idle measures the bytes per idle process on the first batch (a
%% fresh VM) and times the spawn and the stop of a second, warm batch.
spawn_idle(N) ->
    erlang:garbage_collect(),
    M0 = erlang:memory(processes),
    Cold = start_idle(N),
    M1 = erlang:memory(processes),
    stop_all(Cold),
    T0 = now_ns(),
    Ps = start_idle(N),
    D = now_ns() - T0,
    Alive = length([P || P <- Ps, is_process_alive(P)]),
    T1 = now_ns(),
    stop_all(Ps),
    Stop = now_ns() - T1,
    case Alive of
        N -> {ok, [{spawn_us, D / N / 1000}, {bytes_per_proc, (M1 - M0) / N}, {stop_ms, Stop / 1.0e6}]};
        _ -> {error, {alive, Alive, want, N}}
    end.

%% ---------------------------------------------------------------------
%% W5 restart: one_for_one, one child crashed N times.

restart(N) ->
    {ok, Sup} = supervisor:start_link(?MODULE, {sup, one_for_one, self(), N}),
    unlink(Sup),
    First = receive {ready, P} -> P end,
    T0 = now_ns(),
    R = restart_loop(First, N),
    D = now_ns() - T0,
    exit(Sup, shutdown),
    case R of
        ok -> {ok, [{restart_us, D / N / 1000}]};
        Err -> Err
    end.

restart_loop(_, 0) -> ok;
restart_loop(Pid, K) ->
    gen_server:cast(Pid, crash),
    receive
        {ready, Pid} -> {error, child_not_replaced};
        {ready, New} -> restart_loop(New, K - 1)
    after 10000 -> {error, {no_restart_after, K}}
    end.

%% ---------------------------------------------------------------------
%% W6 dynamic: simple_one_for_one with temporary idle children.

dynamic(N) ->
    {ok, Sup} = supervisor:start_link(?MODULE, {sup, simple_one_for_one}),
    unlink(Sup),
    Tenth = max(N div 10, 1),
    T0 = now_ns(),
    {First, Last} = start_children(Sup, 0, N, Tenth, T0, 0, 0),
    Total = now_ns() - T0,
    Active = proplists:get_value(active, supervisor:count_children(Sup)),
    Ref = monitor(process, Sup),
    T1 = now_ns(),
    exit(Sup, shutdown),
    receive {'DOWN', Ref, process, _, _} -> ok end,
    Stop = now_ns() - T1,
    case Active of
        N -> {ok, [{children_per_s, per_sec(N, Total)},
                   {last10_first10, (Total - Last) / max(First, 1)},
                   {stop_ms, Stop / 1.0e6}]};
        _ -> {error, {active, Active, want, N}}
    end.

start_children(_, N, N, _, _, First, Last) -> {First, Last};
start_children(Sup, I, N, Tenth, T0, First0, Last0) ->
    First = case I of Tenth -> now_ns() - T0; _ -> First0 end,
    Last = case I =:= N - Tenth of true -> now_ns() - T0; false -> Last0 end,
    {ok, _} = supervisor:start_child(Sup, []),
    start_children(Sup, I + 1, N, Tenth, T0, First, Last).

%% ---------------------------------------------------------------------
%% W7 registry: register/2 and whereis/1. A process has at most one
%% registered name, so every name gets its own holder process.

registry(N, L) ->
    Names = list_to_tuple([list_to_atom("name-" ++ integer_to_list(I)) || I <- lists:seq(0, N - 1)]),
    Holders = list_to_tuple([spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, N)]),
    T0 = now_ns(),
    register_all(Names, Holders, 1, N),
    Regs = now_ns() - T0,
    Self = self(),
    Rs = [spawn_link(fun() -> receive go -> Self ! {missed, lookups(Names, Holders, R, 0, share(L, ?READERS, R), N, 0)} end end)
          || R <- lists:seq(0, ?READERS - 1)],
    T1 = now_ns(),
    [R ! go || R <- Rs],
    Missed = lists:sum([receive {missed, M} -> M after 120000 -> exit(lookup_timeout) end || _ <- Rs]),
    D = now_ns() - T1,
    [element(I, Holders) ! stop || I <- lists:seq(1, N)],
    case Missed of
        0 -> {ok, [{registrations_per_s, per_sec(N, Regs)}, {lookups_per_s, per_sec(L, D)}]};
        _ -> {error, {missed_lookups, Missed}}
    end.

register_all(_, _, I, N) when I > N -> ok;
register_all(Names, Holders, I, N) ->
    true = register(element(I, Names), element(I, Holders)),
    register_all(Names, Holders, I + 1, N).

lookups(_, _, _, K, K, _, Missed) -> Missed;
lookups(Names, Holders, R, J, K, N, Missed) ->
    I = (R * 7919 + J * 13) rem N + 1,
    M = case whereis(element(I, Names)) =:= element(I, Holders) of
            true -> Missed;
            false -> Missed + 1
        end,
    lookups(Names, Holders, R, J + 1, K, N, M).

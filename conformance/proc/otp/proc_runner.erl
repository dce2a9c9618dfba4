%% proc_runner: records the process-level and gen_server conformance
%% scenarios (../testdata/FORMAT.md) on real OTP.
%%
%%   run OUTDIR FILE...      run each scenario once, write OUTDIR/NAME.trace
%%   merge TMP RUNS FILE...  keep "expect" where TMP/run1..RUNS agree
%%   print FILE              run one scenario, print its trace
%%
%% A scenario runs in a fresh harness process. The harness sends each step
%% to the actor that performs it and waits for the actor's answer (or its
%% death), then settles: it calls every live server with '$sync' so that
%% all callbacks the step caused have reported. The step's server events
%% (grouped by server, in order) and then its own lines join the trace.
-module(proc_runner).
-export([run/1, merge/1, print/1]).
-export([field/3, reason/1, norm/1, render/1, message/1]).

-define(NAMES, proc_runner_names).
-define(RECV_MS, 1000).
-define(NOTHING_MS, 50).
-define(STEP_MS, 10000).

-record(h, {servers = [],   % server names, in start order
            deaths = #{},   % Name => normalised reason
            events = [],    % {Name, Line} of this step, newest first
            acks = #{},     % Ref => answer not yet taken
            pending = #{},  % actor Name => Ref of its async call
            trace = []}).   % lines, newest first

%% ---- entry points ----

run([Out | Files]) ->
    ok = filelib:ensure_dir(filename:join(Out, "x")),
    lists:foreach(
      fun(F) ->
              T = run_file(F),
              Base = filename:basename(F, ".json"),
              ok = file:write_file(filename:join(Out, Base ++ ".trace"),
                                   io_lib:format("~p.~n", [T]))
      end, Files),
    halt(0).

print([File]) ->
    [io:format("~s~n", [L]) || L <- run_file(File)],
    halt(0).

merge([Tmp, RunsS | Files]) ->
    Runs = list_to_integer(RunsS),
    Bad = lists:filter(
            fun(F) ->
                    Base = filename:basename(F, ".json"),
                    Ts = [begin
                              P = filename:join([Tmp, "run" ++ integer_to_list(I), Base ++ ".trace"]),
                              {ok, [T]} = file:consult(P),
                              T
                          end || I <- lists:seq(1, Runs)],
                    {ok, Bin} = file:read_file(F),
                    {obj, KVs} = proc_json:decode(Bin),
                    Same = lists:usort(Ts),
                    {KVs1, Ok} = case Same of
                                     [T1] -> {set_expect(KVs, [list_to_binary(L) || L <- T1]), true};
                                     _ -> {lists:keydelete(<<"expect">>, 1, KVs), false}
                                 end,
                    ok = file:write_file(F, proc_json:encode_file({obj, KVs1})),
                    Ok orelse io:format("NONDETERMINISTIC ~s (~b distinct traces)~n", [Base, length(Same)]),
                    not Ok
            end, Files),
    io:format("recorded ~b of ~b scenarios~n", [length(Files) - length(Bad), length(Files)]),
    halt(case Bad of [] -> 0; _ -> 1 end).

set_expect(KVs, E) ->
    case lists:keymember(<<"expect">>, 1, KVs) of
        true -> lists:keyreplace(<<"expect">>, 1, KVs, {<<"expect">>, E});
        false -> insert_after(<<"steps">>, {<<"expect">>, E}, KVs)
    end.

insert_after(K, New, [{K, _} = KV | Rest]) -> [KV, New | Rest];
insert_after(K, New, [KV | Rest]) -> [KV | insert_after(K, New, Rest)];
insert_after(_, New, []) -> [New].

run_file(File) ->
    {ok, Bin} = file:read_file(File),
    Sc = proc_json:decode(Bin),
    Steps = field(<<"steps">>, Sc, []),
    Self = self(),
    {Pid, Mon} = spawn_monitor(fun() -> Self ! {trace, self(), harness(Steps)} end),
    receive
        {trace, Pid, T} -> erlang:demonitor(Mon, [flush]), T;
        {'DOWN', Mon, _, _, R} -> error({harness_crashed, File, R})
    end.

%% ---- harness ----

harness(Steps) ->
    ets:new(?NAMES, [named_table, public]),
    H = lists:foldl(fun step/2, #h{}, Steps),
    [exit(P, kill) || {{pid, P}, _} <- ets:tab2list(?NAMES)],
    [binary_to_list(iolist_to_binary(L)) || L <- lists:reverse(H#h.trace)].

step(Step, H0) ->
    {Lines, H1} = do(field(<<"do">>, Step, none), Step, H0),
    H2 = drain(settle(H1)),
    Events = [L || {_, L} <- lists:keysort(1, lists:reverse(H2#h.events))],
    H2#h{events = [], trace = lists:reverse(Events ++ Lines) ++ H2#h.trace}.

do(<<"spawn">>, Step, H) ->
    case field(<<"by">>, Step, none) of
        none ->
            Name = field(<<"name">>, Step, none),
            Me = self(),
            spawn(fun() -> actor_start(Me, Name) end),
            {[], wait_hello(Name, H)};
        _ -> spawn_by(Step, H)
    end;
do(<<"spawn_link">>, Step, H) -> spawn_by(Step, H);
do(<<"spawn_monitor">>, Step, H) -> spawn_by(Step, H);
do(<<"status">>, Step, H) ->
    To = field(<<"to">>, Step, none),
    case maps:find(To, H#h.deaths) of
        {ok, R} -> {[died(To, R)], H};
        error ->
            case command(To, ping, H) of
                {ok, H1} -> {[[To, " alive"]], H1};
                Other -> Other
            end
    end;
do(<<"dead">>, Step, H) ->
    To = field(<<"to">>, Step, none),
    case wait_until(fun(X) -> maps:is_key(To, X#h.deaths) end, H, ?RECV_MS) of
        {ok, H1} -> {[died(To, maps:get(To, H1#h.deaths))], H1};
        {timeout, H1} -> {[[To, " alive"]], H1}
    end;
do(<<"await">>, Step, H) ->
    By = field(<<"by">>, Step, none),
    Ref = maps:get(By, H#h.pending),
    answer(By, Ref, H#h{pending = maps:remove(By, H#h.pending)});
do(<<"call">>, Step, H) ->
    case field(<<"async">>, Step, false) of
        false -> command(field(<<"by">>, Step, none), Step, H);
        true ->
            By = field(<<"by">>, Step, none),
            To = field(<<"to">>, Step, none),
            Ref = make_ref(),
            pid_of(By) ! {cmd, Ref, Step},
            Want = iolist_to_binary([To, " handle_call ", field(<<"req">>, Step, none)]),
            Seen = fun(X) -> lists:keymember(Want, 2, X#h.events) end,
            {_, H1} = wait_until(Seen, H, ?STEP_MS),
            {[], H1#h{pending = maps:put(By, Ref, H1#h.pending)}}
    end;
do(_, Step, H) ->
    command(field(<<"by">>, Step, none), Step, H).

spawn_by(Step, H) ->
    {Lines, H1} = command(field(<<"by">>, Step, none), Step, H),
    {Lines, wait_hello(field(<<"name">>, Step, none), H1)}.

%% command sends one command to actor Name and waits for its answer.
command(Name, Cmd, H) ->
    Ref = make_ref(),
    pid_of(Name) ! {cmd, Ref, Cmd},
    case answer(Name, Ref, H) of
        {[], H1} when Cmd =:= ping -> {ok, H1};
        Other -> Other
    end.

%% answer waits for the answer Ref of actor Name, or its death. An answer
%% that arrived wins over a death seen at the same time: the actor sent it
%% while alive.
answer(Name, Ref, H) ->
    Done = fun(X) -> maps:is_key(Ref, X#h.acks) orelse maps:is_key(Name, X#h.deaths) end,
    {_, H1} = wait_until(Done, H, ?STEP_MS),
    case maps:take(Ref, H1#h.acks) of
        {ok, Acks} -> {[], H1#h{acks = Acks}};
        {{line, L}, Acks} -> {[L], H1#h{acks = Acks}};
        error ->
            case maps:find(Name, H1#h.deaths) of
                {ok, R} -> {[died(Name, R)], H1};
                error -> {[[Name, " hangs"]], H1}
            end
    end.

died(Name, R) -> [Name, " died ", render(R)].

wait_hello(Name, H) ->
    {_, H1} = wait_until(fun(_) -> ets:member(?NAMES, {name, Name}) end, H, ?STEP_MS),
    H1.

wait_until(Pred, H, Timeout) ->
    case Pred(H) of
        true -> {ok, H};
        false ->
            receive M -> wait_until(Pred, absorb(M, H), Timeout)
            after Timeout -> {timeout, H}
            end
    end.

absorb({hello, Name, Pid, Kind}, H) ->
    erlang:monitor(process, Pid),
    ets:insert(?NAMES, [{{pid, Pid}, Name}, {{name, Name}, Pid}]),
    Pid ! welcome,
    case Kind of
        server -> H#h{servers = H#h.servers ++ [Name]};
        actor -> H
    end;
absorb({event, Name, Line}, H) -> H#h{events = [{Name, Line} | H#h.events]};
absorb({ack, Ref, A}, H) -> H#h{acks = maps:put(Ref, A, H#h.acks)};
absorb({'DOWN', _, process, Pid, R}, H) ->
    case ets:lookup(?NAMES, {pid, Pid}) of
        [{_, Name}] -> H#h{deaths = maps:put(Name, norm(R), H#h.deaths)};
        [] -> H
    end;
absorb(_, H) -> H.

settle(H) ->
    lists:foreach(
      fun(S) ->
              case maps:is_key(S, H#h.deaths) of
                  true -> ok;
                  false -> catch gen_server:call(pid_of(S), '$sync', infinity)
              end
      end, H#h.servers),
    H.

drain(H) ->
    receive M -> drain(absorb(M, H))
    after 0 -> H
    end.

%% ---- actors ----

actor_start(H, Name) ->
    H ! {hello, Name, self(), actor},
    receive welcome -> ok end,
    actor_loop(H, Name, #{}).

actor_loop(H, Name, Mons) ->
    receive
        {cmd, Ref, Cmd} ->
            {A, Mons1} = act(Cmd, Name, H, Mons),
            H ! {ack, Ref, A},
            actor_loop(H, Name, Mons1)
    end.

act(ping, _, _, Mons) -> {ok, Mons};
act(Step, Me, H, Mons) ->
    To = field(<<"to">>, Step, none),
    R = reason(field(<<"reason">>, Step, <<"boom">>)),
    case field(<<"do">>, Step, none) of
        <<"spawn">> -> spawn(new_actor(H, Step)), {ok, Mons};
        <<"spawn_link">> -> spawn_link(new_actor(H, Step)), {ok, Mons};
        <<"spawn_monitor">> ->
            {_, MRef} = spawn_monitor(new_actor(H, Step)),
            {ok, add_mon(field(<<"name">>, Step, none), MRef, Mons)};
        <<"link">> ->
            try link(pid_of(To)) of
                true -> {ok, Mons}
            catch error:E -> {line(Me, ["link ", To, " -> error ", render(E)]), Mons}
            end;
        <<"unlink">> -> unlink(pid_of(To)), {ok, Mons};
        <<"monitor">> -> {ok, add_mon(To, erlang:monitor(process, pid_of(To)), Mons)};
        <<"demonitor">> ->
            [MRef | Rest] = maps:get(To, Mons),
            Opts = case field(<<"flush">>, Step, false) of
                       true -> [flush, info];
                       false -> [info]
                   end,
            Res = erlang:demonitor(MRef, Opts),
            {line(Me, ["demonitor ", To, " -> ", render(Res)]), maps:put(To, Rest, Mons)};
        <<"trap_exit">> -> process_flag(trap_exit, field(<<"on">>, Step, true)), {ok, Mons};
        <<"exit">> -> exit(pid_of(To), R), {ok, Mons};
        <<"die">> -> exit(R);
        <<"crash">> -> error(boom);
        <<"send">> -> pid_of(To) ! binary_to_atom(field(<<"msg">>, Step, <<"hello">>)), {ok, Mons};
        <<"recv">> -> {receive_one(Me, ?RECV_MS), Mons};
        <<"nothing">> -> {receive_one(Me, ?NOTHING_MS), Mons};
        <<"start">> ->
            Args = {H, field(<<"name">>, Step, none), Step},
            Res = case field(<<"link">>, Step, false) of
                      true -> gen_server:start_link(proc_server, Args, []);
                      false -> gen_server:start(proc_server, Args, [])
                  end,
            Text = case Res of
                       {ok, _} -> "ok";
                       ignore -> "ignore";
                       {error, E} -> ["error ", render(norm(E))]
                   end,
            {line(Me, ["start ", field(<<"name">>, Step, none), " -> ", Text]), Mons};
        <<"call">> ->
            Req = {binary_to_atom(field(<<"req">>, Step, <<"ping">>)), R},
            T = field(<<"timeout">>, Step, infinity),
            Text = try gen_server:call(pid_of(To), Req, T) of
                       V -> ["reply ", render(V)]
                   catch exit:{E, {gen_server, call, _}} -> ["exit ", render(norm(E))]
                   end,
            {line(Me, ["call ", To, " -> ", Text]), Mons};
        <<"cast">> ->
            gen_server:cast(pid_of(To), {binary_to_atom(field(<<"msg">>, Step, <<"noop">>)), R}),
            {ok, Mons};
        <<"stop">> ->
            Text = try gen_server:stop(pid_of(To), R, infinity) of
                       ok -> "ok"
                   catch exit:E -> ["exit ", render(norm(E))]
                   end,
            {line(Me, ["stop ", To, " -> ", Text]), Mons}
    end.

new_actor(H, Step) ->
    Name = field(<<"name">>, Step, none),
    fun() -> actor_start(H, Name) end.

add_mon(Name, MRef, Mons) -> maps:put(Name, [MRef | maps:get(Name, Mons, [])], Mons).

line(Me, Rest) -> {line, iolist_to_binary([Me, " ", Rest])}.

receive_one(Me, T) ->
    receive
        M when not is_tuple(M); tuple_size(M) =/= 3; element(1, M) =/= cmd ->
            line(Me, ["got ", message(M)])
    after T -> line(Me, "got nothing")
    end.

%% ---- terms ----

%% field reads key K of a decoded JSON object, or Default.
field(K, {obj, KVs}, Default) ->
    case lists:keyfind(K, 1, KVs) of
        {_, null} -> Default;
        {_, V} -> V;
        false -> Default
    end;
field(_, _, Default) -> Default.

%% reason turns a JSON reason into a term: "x" is the atom x and
%% {"shutdown": "x"} the tuple {shutdown,x}.
reason(B) when is_binary(B) -> binary_to_atom(B);
reason(I) when is_integer(I) -> I;
reason({obj, [{K, V}]}) -> {binary_to_atom(K), reason(V)}.

%% norm replaces a stack trace by the atom stack: error(boom) exits with
%% {boom,stack}.
norm({R, [{_, _, _, _} | _]}) -> {norm(R), stack};
norm(T) when is_tuple(T) -> list_to_tuple([norm(E) || E <- tuple_to_list(T)]);
norm(T) -> T.

%% message renders a received message: EXIT From R, DOWN Who R, or the term.
message({'EXIT', P, R}) -> ["EXIT ", pname(P), " ", render(norm(R))];
message({'DOWN', _, process, P, R}) -> ["DOWN ", pname(P), " ", render(norm(R))];
message(M) -> render(norm(M)).

pname(P) ->
    case ets:lookup(?NAMES, {pid, P}) of
        [{_, Name}] -> Name;
        [] -> "pid"
    end.

pid_of(Name) ->
    [{_, P}] = ets:lookup(?NAMES, {name, Name}),
    P.

render(A) when is_atom(A) -> atom_to_list(A);
render(I) when is_integer(I) -> integer_to_list(I);
render(B) when is_binary(B) -> binary_to_list(B);
render(P) when is_pid(P) -> pname(P);
render(T) when is_tuple(T) -> ["{", lists:join(",", [render(E) || E <- tuple_to_list(T)]), "}"];
render(L) when is_list(L) -> ["[", lists:join(",", [render(E) || E <- L]), "]"];
render(_) -> "?".

%% proc_server: the scripted gen_server of the process-level conformance
%% scenarios (FORMAT.md, "gen_server"). It reports every callback to the
%% harness as {event, Name, Line}; the '$sync' call the harness uses to
%% settle is the only callback it does not report.
-module(proc_server).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2,
         handle_continue/2, terminate/2]).

init({H, Name, Step}) ->
    H ! {hello, Name, self(), server},
    receive welcome -> ok end,
    process_flag(trap_exit, proc_runner:field(<<"trap">>, Step, false)),
    S = #{h => H, name => Name, pending => none,
          continues => proc_runner:field(<<"continues">>, Step, 2),
          cont_stop => proc_runner:field(<<"cont_stop">>, Step, none)},
    case proc_runner:field(<<"init">>, Step, <<"ok">>) of
        <<"ok">> -> {ok, S};
        <<"ignore">> -> ignore;
        <<"stop">> -> {stop, proc_runner:reason(proc_runner:field(<<"reason">>, Step, <<"boom">>))};
        <<"crash">> -> error(boom);
        <<"continue">> -> {ok, S, {continue, 1}}
    end.

handle_call('$sync', _From, S) ->
    {reply, ok, S};
handle_call({Req, R}, From, S) ->
    ev(S, ["handle_call ", atom_to_list(Req)]),
    case Req of
        ping -> {reply, pong, S};
        defer -> {noreply, S#{pending := From}};
        stop_reply -> {stop, R, stopped, S};
        stop_noreply -> {stop, R, S};
        crash -> error(boom);
        continue -> {reply, ok, S, {continue, 1}};
        reply_pending -> reply_pending(S), {reply, ok, S#{pending := none}}
    end.

handle_cast({Msg, R}, S) ->
    ev(S, ["handle_cast ", atom_to_list(Msg)]),
    case Msg of
        noop -> {noreply, S};
        stop -> {stop, R, S};
        crash -> error(boom);
        continue -> {noreply, S, {continue, 1}};
        reply_pending -> reply_pending(S), {noreply, S#{pending := none}}
    end.

handle_info(M, S = #{name := _}) ->
    ev(S, ["handle_info ", proc_runner:message(M)]),
    {noreply, S}.

handle_continue(K, S = #{continues := N, cont_stop := Stop}) ->
    ev(S, ["continue ", integer_to_list(K)]),
    if
        K < N -> {noreply, S, {continue, K + 1}};
        Stop =/= none -> {stop, proc_runner:reason(Stop), S};
        true -> {noreply, S}
    end.

terminate(R, S) ->
    ev(S, ["terminate ", proc_runner:render(proc_runner:norm(R))]).

reply_pending(#{pending := none}) -> ok;
reply_pending(#{pending := From}) -> gen_server:reply(From, late).

ev(#{h := H, name := Name}, Line) ->
    H ! {event, Name, iolist_to_binary([Name, " ", Line])}.

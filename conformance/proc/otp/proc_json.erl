%% proc_json: the small JSON codec of the process-level conformance runner.
%%
%% OTP 25 has no JSON module, so the runner brings its own. Decoding maps
%% an object to {obj, [{Key, Value}]} (keys as binaries, in file order), an
%% array to a list, a string to a binary, a number to an integer, and
%% true/false/null to atoms. Encoding writes the canonical scenario layout:
%% the top-level object and its object values one key per line, arrays one
%% element per line, and every object inside an array on one line.
-module(proc_json).
-export([decode/1, encode_file/1, compact/1]).

decode(Bin) when is_binary(Bin) ->
    {V, Rest} = value(ws(Bin)),
    case ws(Rest) of
        <<>> -> V;
        _ -> error({json_trailing_data, Rest})
    end.

ws(<<C, R/binary>>) when C =:= $\s; C =:= $\t; C =:= $\n; C =:= $\r -> ws(R);
ws(B) -> B.

value(<<${, R/binary>>) -> members(ws(R), []);
value(<<$[, R/binary>>) -> elements(ws(R), []);
value(<<$", R/binary>>) -> string(R, []);
value(<<"true", R/binary>>) -> {true, R};
value(<<"false", R/binary>>) -> {false, R};
value(<<"null", R/binary>>) -> {null, R};
value(B) -> number(B, []).

members(<<$}, R/binary>>, []) -> {{obj, []}, R};
members(<<$", R/binary>>, Acc) ->
    {K, R1} = string(R, []),
    <<$:, R2/binary>> = ws(R1),
    {V, R3} = value(ws(R2)),
    case ws(R3) of
        <<$,, R4/binary>> -> members(ws(R4), [{K, V} | Acc]);
        <<$}, R4/binary>> -> {{obj, lists:reverse([{K, V} | Acc])}, R4}
    end.

elements(<<$], R/binary>>, []) -> {[], R};
elements(B, Acc) ->
    {V, R1} = value(B),
    case ws(R1) of
        <<$,, R2/binary>> -> elements(ws(R2), [V | Acc]);
        <<$], R2/binary>> -> {lists:reverse([V | Acc]), R2}
    end.

string(<<$", R/binary>>, Acc) -> {unicode:characters_to_binary(lists:reverse(Acc)), R};
string(<<$\\, E, R/binary>>, Acc) ->
    case E of
        $n -> string(R, [$\n | Acc]);
        $t -> string(R, [$\t | Acc]);
        $r -> string(R, [$\r | Acc]);
        $u -> <<H:4/binary, R1/binary>> = R,
              string(R1, [binary_to_integer(H, 16) | Acc]);
        _ -> string(R, [E | Acc])
    end;
string(<<C/utf8, R/binary>>, Acc) -> string(R, [C | Acc]).

number(<<C, R/binary>>, Acc) when C >= $0, C =< $9; C =:= $- ->
    number(R, [C | Acc]);
number(R, Acc) when Acc =/= [] -> {list_to_integer(lists:reverse(Acc)), R};
number(B, []) -> error({json_bad_value, B}).

%% encode_file returns the canonical text of a scenario object.
encode_file(V) -> [pretty(V, ""), $\n].

pretty({obj, []}, _) -> "{}";
pretty({obj, KVs}, In) ->
    In2 = In ++ "  ",
    Items = [[In2, str(K), ": ", pretty(V, In2)] || {K, V} <- KVs],
    ["{\n", lists:join(",\n", Items), "\n", In, "}"];
pretty([], _) -> "[]";
pretty(L, In) when is_list(L) ->
    In2 = In ++ "  ",
    ["[\n", lists:join(",\n", [[In2, compact(E)] || E <- L]), "\n", In, "]"];
pretty(V, _) -> compact(V).

compact({obj, KVs}) ->
    ["{", lists:join(",", [[str(K), ":", compact(V)] || {K, V} <- KVs]), "}"];
compact(L) when is_list(L) -> ["[", lists:join(",", [compact(E) || E <- L]), "]"];
compact(B) when is_binary(B) -> str(B);
compact(I) when is_integer(I) -> integer_to_list(I);
compact(A) when is_atom(A) -> atom_to_list(A).

str(B) -> [$", [esc(C) || C <- unicode:characters_to_list(B)], $"].

esc($") -> "\\\"";
esc($\\) -> "\\\\";
esc($\n) -> "\\n";
esc($\t) -> "\\t";
esc($\r) -> "\\r";
esc(C) when C < 32 -> io_lib:format("\\u~4.16.0b", [C]);
esc(C) -> unicode:characters_to_binary([C]).

# bench_elixir.exs runs the Elixir variants of two side-by-side workloads
# of docs/BENCHMARKS.md and prints their results as a JSON array in the shape
# bench/peers/cmd/compare reads (the same as bench_beam.erl's, with runtime
# "elixir"):
#
#   W6 dynamic: an Elixir DynamicSupervisor with temporary idle GenServer
#      children (DynamicSupervisor.start_child); children_per_s,
#      last10_first10 and stop_ms, like bench_beam.erl's simple_one_for_one.
#   W7 registry: an Elixir Registry (keys: :unique, partitions: 2);
#      registrations_per_s and lookups_per_s (Registry.lookup from 2
#      readers), like bench_beam.erl's register/whereis.
#
# Every other workload gets a result with an "na" reason: the Erlang
# variants in bench_beam.erl cover them, except W6a (W6 without a
# request/reply per child), which neither Erlang nor Elixir can run: OTP
# adds a child to a supervisor only through a start_child request.
#
# Elixir 1.14's DynamicSupervisor stops its children in time quadratic in
# their number (26-80 s for 100,000 children, in the reference figures). So stop_ms is
# measured on a separate tree of at most @stop_children children (all of
# them at the quick and tiny scales), and the result carries an extra
# metric "stop_children" saying how many; if even that stop takes longer
# than @stop_timeout_ms, stop_ms is left out and the extra metric
# "stop_timed_out_ms" says after how long.
#
# Run it through run.sh, which starts it with two schedulers:
#
#   bench/beam/run.sh -elixir [-quick | -scale full|quick|tiny] [W6 W7]
#   elixir --erl "+S 2:2" bench/beam/bench_elixir.exs full|quick|tiny [W6 W7]

defmodule BenchElixir.Idle do
  @moduledoc false
  use GenServer

  @impl true
  def init(:idle), do: {:ok, :idle}
end

defmodule BenchElixir do
  @moduledoc false

  @readers 2
  @stop_children 20_000
  @stop_timeout_ms 60_000

  # scale(name) returns the counts of a scale; they must match
  # bench_beam.erl and bench/peers/workload/workload.go.
  defp scale("full"), do: %{children: 100_000, names: 100_000, lookups: 1_000_000}
  defp scale("quick"), do: %{children: 20_000, names: 20_000, lookups: 200_000}
  defp scale("tiny"), do: %{children: 500, names: 1_000, lookups: 4_000}

  def main([scale_name | ws]) do
    :logger.set_primary_config(:level, :none)
    s = scale(scale_name)
    ws = if ws == [], do: ["W6", "W7"], else: ws

    results =
      for w <- ws do
        r =
          try do
            run(w, s)
          catch
            kind, reason -> {:error, {kind, reason}}
          end

        result(w, scale_name, r)
      end

    IO.puts(["[", Enum.intersperse(results, ",\n "), "]"])
  end

  defp result(w, scale, {:ok, metrics}) do
    ms = for {n, v} <- metrics, do: ~s({"name":"#{n}","value":#{fmt(v)}})
    ~s({"runtime":"elixir","workload":"#{w}","scale":"#{scale}","metrics":[#{Enum.join(ms, ",")}]})
  end

  defp result(w, scale, {:na, why}) do
    ~s({"runtime":"elixir","workload":"#{w}","scale":"#{scale}","na":"#{escape(why)}"})
  end

  defp result(w, scale, other) do
    ~s({"runtime":"elixir","workload":"#{w}","scale":"#{scale}","error":"#{escape(inspect(other))}"})
  end

  defp fmt(v) when is_integer(v), do: Integer.to_string(v)
  defp fmt(v), do: :erlang.float_to_binary(v / 1, [{:decimals, 4}, :compact])

  defp escape(s) do
    for <<c::utf8 <- s>>, into: "" do
      case c do
        ?" -> "\\\""
        ?\\ -> "\\\\"
        c when c < 32 -> " "
        c -> <<c::utf8>>
      end
    end
  end

  defp now_ns, do: System.monotonic_time(:nanosecond)

  defp per_sec(ops, ns), do: ops * 1.0e9 / ns

  # share(total, k, i) is how many of total items worker i (0-based) of k gets.
  defp share(total, k, i), do: div(total, k) + if(i < rem(total, k), do: 1, else: 0)

  defp run("W6", %{children: n}) do
    # Warm, as the reference measurements are: a first run grows the VM's tables.
    with {:ok, _} <- dynamic(n, false), do: dynamic(n, true)
  end

  defp run("W7", %{names: n, lookups: l}), do: registry(n, l)

  defp run("W6a", _) do
    {:na, "OTP has no way to add a child to a supervisor without a start_child request (that is W6)"}
  end

  defp run(w, _) when w in ["W1", "W2", "W3", "W3b", "W4", "W5"] do
    {:na, "Elixir variants only for W6 (DynamicSupervisor) and W7 (Registry); the Erlang column covers the rest"}
  end

  defp run(w, _), do: {:error, {:unknown_workload, w}}

  # -------------------------------------------------------------------
  # W6 dynamic: DynamicSupervisor with temporary idle GenServer children.

  @child %{
    id: BenchElixir.Idle,
    start: {GenServer, :start_link, [BenchElixir.Idle, :idle, []]},
    restart: :temporary
  }

  defp start_sup do
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
    Process.unlink(sup)
    sup
  end

  # kill_sup kills sup outright: its children, linked to it and not
  # trapping exits, die with it, without the supervisor's slow stop.
  defp kill_sup(sup) do
    ref = Process.monitor(sup)
    Process.exit(sup, :kill)
    receive do: ({:DOWN, ^ref, :process, _, _} -> :ok)
  end

  defp dynamic(n, measure_stop) do
    sup = start_sup()
    tenth = max(div(n, 10), 1)
    t0 = now_ns()
    {first, last} = start_children(sup, 0, n, tenth, t0, 0, 0)
    total = now_ns() - t0
    active = DynamicSupervisor.count_children(sup).active
    starts = [children_per_s: per_sec(n, total), last10_first10: (total - last) / max(first, 1)]

    cond do
      active != n ->
        kill_sup(sup)
        {:error, {:active, active, :want, n}}

      not measure_stop ->
        kill_sup(sup)
        {:ok, starts}

      n <= @stop_children ->
        {:ok, starts ++ stop(sup, n)}

      true ->
        # Too many children for Elixir 1.14's quadratic stop: stop a
        # smaller tree instead.
        kill_sup(sup)
        small = start_sup()
        start_children(small, 0, @stop_children, @stop_children, now_ns(), 0, 0)
        {:ok, starts ++ stop(small, @stop_children)}
    end
  end

  # stop shuts sup down and awaits its 'DOWN', for at most @stop_timeout_ms.
  defp stop(sup, n) do
    ref = Process.monitor(sup)
    t1 = now_ns()
    Process.exit(sup, :shutdown)

    receive do
      {:DOWN, ^ref, :process, _, _} ->
        [stop_ms: (now_ns() - t1) / 1.0e6, stop_children: n]
    after
      @stop_timeout_ms ->
        kill_sup(sup)
        [stop_children: n, stop_timed_out_ms: @stop_timeout_ms]
    end
  end

  defp start_children(_, n, n, _, _, first, last), do: {first, last}

  defp start_children(sup, i, n, tenth, t0, first0, last0) do
    first = if i == tenth, do: now_ns() - t0, else: first0
    last = if i == n - tenth, do: now_ns() - t0, else: last0
    {:ok, _} = DynamicSupervisor.start_child(sup, @child)
    start_children(sup, i + 1, n, tenth, t0, first, last)
  end

  # -------------------------------------------------------------------
  # W7 registry: Registry (unique keys, 2 partitions). Name i is held by
  # holder rem(i, h), h = max(1, min(1000, div(n, 100))) as in the Go
  # runtimes. A Registry registers its caller, so each holder registers
  # its own names; the holders do so one after the other, so the
  # registrations are sequential like bench_beam.erl's and the Go ones.

  defp holders(n), do: max(1, min(1000, div(n, 100)))

  defp registry(n, l) do
    {:ok, reg} = Registry.start_link(keys: :unique, name: BenchElixir.Reg, partitions: 2)
    Process.unlink(reg)
    names = List.to_tuple(for i <- 0..(n - 1), do: "name-#{i}")
    h = holders(n)
    self = self()

    hs =
      for j <- 0..(h - 1) do
        # Only its own names, so spawn does not copy the whole tuple.
        own = for i <- j..(n - 1)//h, do: elem(names, i)

        spawn(fn ->
          receive do
            :go ->
              failed = Enum.count(own, &(not match?({:ok, _}, Registry.register(BenchElixir.Reg, &1, nil))))
              send(self, {:registered, self(), failed})
          end

          receive do: (:stop -> :ok)
        end)
      end

    holders = List.to_tuple(hs)
    t0 = now_ns()

    failed =
      Enum.reduce(hs, 0, fn p, acc ->
        send(p, :go)

        receive do
          {:registered, ^p, 0} -> acc
          {:registered, ^p, k} -> acc + k
        after
          120_000 -> exit(:register_timeout)
        end
      end)

    regs = now_ns() - t0

    rs =
      for r <- 0..(@readers - 1) do
        spawn_link(fn ->
          receive do
            :go -> send(self, {:missed, lookups(names, holders, h, r, 0, share(l, @readers, r), n, 0)})
          end
        end)
      end

    t1 = now_ns()
    Enum.each(rs, &send(&1, :go))

    missed =
      Enum.reduce(rs, 0, fn _, acc ->
        receive do
          {:missed, m} -> acc + m
        after
          120_000 -> exit(:lookup_timeout)
        end
      end)

    d = now_ns() - t1
    # Stop the registry before the holders: a Registry partition scans its
    # whole key table for every holder that exits while registered.
    ref = Process.monitor(reg)
    Process.exit(reg, :shutdown)
    receive do: ({:DOWN, ^ref, :process, _, _} -> :ok)
    Enum.each(hs, &send(&1, :stop))

    cond do
      failed > 0 -> {:error, {:failed_registrations, failed}}
      missed > 0 -> {:error, {:missed_lookups, missed}}
      true -> {:ok, [registrations_per_s: per_sec(n, regs), lookups_per_s: per_sec(l, d)]}
    end
  end

  defp lookups(_, _, _, _, k, k, _, missed), do: missed

  defp lookups(names, holders, h, r, j, k, n, missed) do
    i = rem(r * 7919 + j * 13, n)
    owner = elem(holders, rem(i, h))

    missed =
      case Registry.lookup(BenchElixir.Reg, elem(names, i)) do
        [{^owner, _}] -> missed
        _ -> missed + 1
      end

    lookups(names, holders, h, r, j + 1, k, n, missed)
  end
end

BenchElixir.main(System.argv())

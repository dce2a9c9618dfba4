// Command compare runs the side-by-side workloads W1–W7 of docs/BENCHMARKS.md,
// and the variant W6a (W6 without a request/reply per child; see package
// workload), on Orchard, plain Go, ergo, Proto.Actor, suture and (when
// Erlang/OTP is installed) the BEAM, and writes the results. On the BEAM,
// runtime "beam" is plain Erlang/OTP for every workload but W6a (OTP adds
// a child to a supervisor only through a start_child request); runtime
// "elixir" (when Elixir is installed) runs only W6 with a
// DynamicSupervisor and W7 with a Registry (bench/beam/bench_elixir.exs)
// and is n/a elsewhere. -no-beam skips both.
//
// Usage, from bench/peers:
//
//	go run ./cmd/compare [-quick] [-reps N] [-out DIR] [-runtimes a,b] [-workloads W1,W6a] [-no-beam] [-inproc]
//	go run ./cmd/compare -from DIR/results.json [-out DIR]   # redraw only
//
// Repetitions are interleaved: for each repetition and workload every
// runtime runs once in turn (A B C A B C ...), starting one runtime later
// in each repetition. Each (runtime, workload) repetition runs in a fresh
// OS process (the command re-executes itself with a hidden -child flag)
// with GOMAXPROCS=2, so runtimes do not share a heap, a GC or warmed
// caches; the BEAM runs through bench/beam/run.sh with erl +S 2:2
// (run.sh -elixir: elixir --erl "+S 2:2").
//
// The command writes to DIR (default docs/benchmarks of the repository):
//
//	results.json   every run plus median, min and max per metric
//	results.md     a markdown table with the ratios Orchard / raw Go,
//	               Orchard / best Go peer and Orchard / BEAM (the
//	               Erlang "beam" column)
//	messaging.svg, processes.svg, supervision.svg, registry.svg
//	               one chart per workload family (bars at the median,
//	               error bars from min to max)
//
// Every run verifies that its workload did all its work (message counts,
// reply values, children started); if any run fails, the command still
// writes what it measured and exits with status 1.
//
// Elixir 1.14's DynamicSupervisor stops its children in quadratic time
// (about 3 s for 20,000, over a minute for 100,000), so at the full scale
// the Elixir W6 stop is timed on a separate tree of 20,000 children;
// results.md says so in a note and the chart labels the bar.
//
// -quick uses small counts and one repetition and takes about a minute;
// the default (full) scale uses the reference counts and 3 repetitions.
package main

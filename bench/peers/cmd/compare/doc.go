// Command compare runs the side-by-side workloads W1–W7 of ANCHORS.md on
// Orchard, plain Go, ergo, Proto.Actor, suture and (when Erlang/OTP is
// installed) the BEAM, and writes the results.
//
// Usage, from bench/peers:
//
//	go run ./cmd/compare [-quick] [-reps N] [-out DIR] [-runtimes a,b] [-workloads W1,W2] [-no-beam] [-inproc]
//	go run ./cmd/compare -from DIR/results.json [-out DIR]   # redraw only
//
// Repetitions are interleaved: for each repetition and workload every
// runtime runs once in turn (A B C A B C ...), starting one runtime later
// in each repetition. Each (runtime, workload) repetition runs in a fresh
// OS process (the command re-executes itself with a hidden -child flag)
// with GOMAXPROCS=2, so runtimes do not share a heap, a GC or warmed
// caches; the BEAM runs through bench/beam/run.sh with erl +S 2:2.
//
// The command writes to DIR (default docs/benchmarks of the repository):
//
//	results.json   every run plus median, min and max per metric
//	results.md     a markdown table with the ratios Orchard / raw Go,
//	               Orchard / best Go peer and Orchard / BEAM
//	messaging.svg, processes.svg, supervision.svg, registry.svg
//	               one chart per workload family (bars at the median,
//	               error bars from min to max)
//
// Every run verifies that its workload did all its work (message counts,
// reply values, children started); if any run fails, the command still
// writes what it measured and exits with status 1.
//
// -quick uses small counts and one repetition and takes about a minute;
// the default (full) scale uses ANCHORS.md's counts and 3 repetitions.
package main

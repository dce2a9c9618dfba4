// Package workload runs the side-by-side workloads W1–W7 of docs/BENCHMARKS.md,
// and the variant W6a, on Orchard and on its peers: plain goroutines and
// channels ("rawgo"), ergo, Proto.Actor and suture.
//
// Each runtime is a [Runtime]: [Runtime.Run] runs one [Workload] at a
// [Scale] and returns the workload's [Metric] values, or an error if the
// workload did not do all of its work (a lost message, a wrong reply, a
// child that did not start). A runtime that cannot run a workload says why
// through [Runtime.NA]. [RunOne] wraps either outcome, or the reason, in a
// [Result], the JSON shape bench/beam/run.sh prints too.
//
// # Workloads
//
//   - W1 pingpong: two processes bounce one message; ns per round trip.
//   - W2 fanin: 8 producers send small messages to 1 consumer; msgs/s from
//     the first send until the consumer counted them all.
//   - W3 call: 1 caller makes synchronous calls to 1 server; ns per call.
//   - W3b call64: 64 concurrent callers, 1 server; calls/s.
//   - W4 spawn: start idle servers in two batches; bytes per idle process
//     from the first (cold) batch, µs per spawn and ms to stop them all
//     from the second (warm) one.
//   - W5 restart: a one_for_one supervisor with 1 child, crashed in
//     sequence, each time waiting until the new child's init ran; µs per
//     crash→ready.
//   - W6 dynamic: start children under one dynamic supervisor (a warm-up
//     run first, then the measured one); children/s,
//     the time of the last 10% of starts over the first 10%, and ms to
//     stop the supervisor with all its children. Every start is a
//     request/reply to the supervisor (OTP's start_child).
//   - W6a async dynamic: W6 without a request/reply per child. Children
//     (as many as W6's) are started under one supervising parent, each
//     start only handing the parent or the runtime a child to start; the
//     clock stops when every child has run its start (Orchard's
//     HandleStart, Proto.Actor's Started, ergo's Init, a raw goroutine's
//     first statement). Warm like W6, with W6's three metrics (the last
//     10% over the first 10% of the start calls); the run checks that
//     every child started exactly once and, where the runtime can count,
//     that the parent has all of them. Orchard starts them with a
//     supervisor.TemporaryStarter, raw Go with a bare go statement (the
//     loop the reference raw Go W6 figure measured), Proto.Actor and ergo
//     with one send per child to a parent actor that spawns (and, on
//     ergo, links) the child itself. suture and the BEAM (Erlang and
//     Elixir) cannot add a child without a round trip to the supervisor
//     and are n/a.
//   - W7 registry: register unique names, then look them up from 2
//     concurrent readers; registrations/s and lookups/s.
//
// The counts come from the [Scale]: [Full] is the reference one, [Quick] and
// [Tiny] are smaller for quick runs and tests.
//
// # Fairness
//
// Every runtime uses its own fastest idiomatic public API for the job, and
// every runtime's logging is discarded so that no one pays for a terminal.
// ergo runs with anonymous metrics off, no EPMD and static routes only (it
// still requires one listener, which stays idle on 127.0.0.1).
package workload

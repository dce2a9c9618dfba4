// Package bench holds the side-by-side benchmarks that compare Orchard with
// plain goroutines and channels doing the same work. It has no code of its
// own: everything lives in bench_test.go, so nothing here is linked into a
// program.
//
// # Reading the results
//
// Every benchmark is a family with two sub-benchmarks run in the same
// process, one after the other:
//
//	BenchmarkW1Pingpong/orchard   the workload written with process/genserver
//	BenchmarkW1Pingpong/rawgo     the same work with goroutines and channels
//
// rawgo is the practical floor for Go, not a competitor: it has no
// mailboxes, no links, no monitors and no crash recovery. Read each result
// as the ratio orchard/rawgo from one run (for ns/op, lower is better; for
// msgs/s and calls/s, higher is better). Absolute figures move with the
// machine and its neighbours; ratios from a single run are what the
// reference targets are written against. Differences under 1.5x are
// noise on shared 2-vCPU machines. Run with
//
//	GOMAXPROCS=2 go test -run xxx -bench . -count 3 ./bench
//
// and compare medians. Every benchmark checks that its workload did all
// its work (message counts, reply values, live process counts) and fails
// otherwise, so a fast wrong result cannot pass as a fast result.
//
// # Workloads
//
// The workloads are those of docs/BENCHMARKS.md, with b.N in place of the fixed
// counts:
//
//   - W1 pingpong: two processes bounce one message. One op is one round
//     trip (two hops); ns/op is ns per round trip. orchard: two handler
//     processes ([process.Node.SpawnHandler]) that forward the ball with
//     [process.Proc.Send], so sends go process to process. rawgo: two
//     goroutines and two unbuffered channels. The message is a pointer, so
//     neither side allocates per hop.
//
//   - W2 fanin: 8 producers send b.N small messages in total to one
//     consumer. One op is one message; msgs/s is measured from the first
//     send until the consumer has counted them all. orchard: producers are
//     Func processes ([process.Node.Spawn]) sending with
//     [process.Proc.Send] to a handler process. rawgo: 8 goroutines
//     sending into one channel with a 1,024-slot buffer; this is the
//     "default chan" column of the reference figures (the 65k-slot variant is not
//     run).
//
//   - W3 call: one caller, one server, synchronous calls. ns/op is ns per
//     call. orchard: [genserver.Call] from a plain goroutine;
//     orchard-from-process: the same call made from inside a Func process
//     with its own context (the caller's PID travels with the call).
//     rawgo: a server goroutine reading request structs that carry a reply
//     channel; a new reply channel is made for every call, as idiomatic
//     request/response code does (and as genserver.Call does), so both
//     sides pay for one channel per call.
//
//   - W3b call64: 64 concurrent callers, one server, b.N calls in total
//     split evenly among the callers; reports calls/s. The callers are
//     plain goroutines on both sides.
//
//   - W4 spawn: start idle GenServers ([genserver.Start], which returns
//     after Init ran) or, for rawgo, goroutines parked on a channel. One op
//     is one spawn; b.N spawns run in batches of at most 100,000, and each
//     batch is stopped with the timer off. Separately from b.N, each run
//     also spawns a fixed batch of 100,000 and reports:
//     B/proc, the growth of live heap plus goroutine stacks
//     (HeapAlloc+StackInuse after runtime.GC) per process; stop-ms, the
//     time to stop the 100,000 (orchard: [process.Node.Exit] with
//     [process.Kill] on each; rawgo: close the channel and wait on a
//     WaitGroup); and, orchard only, nodestop-ms, the time
//     [process.Node.Stop] takes for a second batch of 100,000.
//     A parked goroutine costs ~2.6 KB in a fresh process but ~4.2 KB
//     once the runtime has sized new stacks from the stack use it saw in
//     earlier GCs (Go's adaptive initial stack size, GODEBUG
//     adaptivestackstart), which is the case after the timed batches; an
//     idle Orchard process holds no goroutine, so it is not affected.
//
//   - W7 lookup: 100,000 names held by 1,000 processes; 2 goroutines
//     look names up; reports lookups/s. orchard: [registry.Registry.Lookup]
//     (unique keys); orchard-whereis: [registry.Registry.WhereIs], what a
//     via-name resolves with; rawgo: a sync.Map from name to PID.
//
//   - W7 register: 2 goroutines each spawn a process, register 100 names
//     for it and kill it; one op is one registration with its share of the
//     spawn, the exit and the automatic cleanup; reports registrations/s.
//     rawgo: a goroutine per owner, a sync.Map, and the owner deleting its
//     names when told to exit.
//
//   - W5 restart: a one_for_one supervisor with one GenServer child,
//     crashed b.N times in sequence, each time waiting until the new
//     child's Init ran; ns/op is one crash → ready. rawgo: a supervisor
//     goroutine starting a new child goroutine when told of a crash.
//
//   - W6 dynamic: start b.N children under one dynamic supervisor, warm
//     (an untimed run first grows the heap and the tables, as the reference
//     and bench/peers measure it); reports children/s, last10/first10 (the
//     time of the last tenth of the starts over the first tenth; 1.0 is
//     flat) and stop-ms (stopping the supervisor and every child). Five
//     sides: orchard, [supervisor.StartDynamicChild] (OTP's start_child: a
//     call to the supervisor, answered once the child's Init ran);
//     orchard-inline, the same with [genserver.WithInlineInit] in the
//     child's start function; rawgo, the same job in plain Go (a
//     supervisor goroutine answering a request per child after a child
//     goroutine's init handshake, a map of children); orchard-starter,
//     [supervisor.TemporaryStarter] (no call per child; the clock stops
//     once every child ran HandleStart and the supervisor filed them all);
//     rawgo-bare, its plain Go counterpart (a goroutine per child that
//     counts its start and parks), the kind of loop the reference raw Go
//     W6 figure measures.
//
//   - Coordination (package coord, not in docs/BENCHMARKS.md):
//     BenchmarkCoordLock is one uncontended [coord.Coordinator.Lock] plus
//     [coord.Lock.Release] (two calls to the coordinator), reported as
//     locks/s, on the in-node backend (memory) and on the JetStream KV
//     backend of an embedded engine (jetstream-kv: a create and a
//     conditional delete per op). BenchmarkCoordBarrier100 is one round
//     of a barrier of 100 participant processes ([coord.Coordinator.Await]);
//     ns/op is the time per round.
//
//   - OSProcTrue: start the OS command `true` and wait for its end; reports
//     starts/s. orchard: a temporary child of a supervisor made with
//     osproc.Child and started with [supervisor.StartChild], its Exited
//     message awaited by an owner process (the command's process, its
//     waiter and two output readers are made and joined each time);
//     orchard-unsupervised: osproc.Start alone; rawgo: exec.Command("true").Run().
//     Fork and exec dominate, so the ratio stays near 1x.
package bench

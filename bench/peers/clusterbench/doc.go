// Package clusterbench measures Orchard's clustering between two OS
// processes on loopback (docs/BENCHMARKS.md W8–W10): remote send
// throughput (W8) and remote call latency (W9) against raw NATS
// publish/subscribe and request/reply over the same topology (two
// embedded nats-servers joined by a route, an in-process connection on
// each side) and against ergo's own network transport (two ergo nodes,
// one per process, joined by a static route over TCP), and the time to
// declare a killed node down (W10). Run it with ORCHARD_CLUSTER_BENCH=1
// go test -run TestClusterWorkloads -v ./clusterbench; it is skipped
// otherwise. ORCHARD_CLUSTER_BENCH_PROFILE=dir writes CPU profiles of
// both processes for Orchard's W8 and W9 (dir/w8-a.prof, w8-b.prof, ...);
// ORCHARD_CLUSTER_BENCH_ERGO_WARN=1 shows ergo's warnings.
package clusterbench

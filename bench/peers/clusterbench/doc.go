// Package clusterbench measures Orchard's clustering between OS
// processes on loopback (docs/BENCHMARKS.md, "Cluster"). It is skipped
// unless ORCHARD_CLUSTER_BENCH=1; go test -run TestCluster -v
// ./clusterbench runs all of it.
//
// TestClusterWorkloads (two OS processes): remote send throughput (W8)
// and remote call latency (W9) against raw NATS publish/subscribe and
// request/reply over the same topology (two embedded nats-servers joined
// by a route, an in-process connection on each side) and against ergo's
// own network transport (two ergo nodes, one per process, joined by a
// static route over TCP), and the time to declare a killed node down
// (W10). ORCHARD_CLUSTER_BENCH_PROFILE=dir writes CPU profiles of both
// processes for Orchard's W8 and W9 (dir/w8-a.prof, w8-b.prof, ...);
// ORCHARD_CLUSTER_BENCH_ERGO_WARN=1 shows ergo's warnings.
//
// TestClusterFailover (W11, three OS processes, Replicas 3, the default
// Config and leases, five rounds of a new cluster each): the time from
// the SIGKILL of the node running a singleton and two distributed
// children to the singleton answering a call on its new node and to
// every child of the killed node answering on another node, with the
// node-down time and the JetStream leader elections the survivors logged
// after the kill.
//
// TestClusterRegistry (three OS processes, Replicas 3): the global
// registry's registrations per second (one caller, and 16) against a raw
// JetStream KV Create on an R3 bucket of three embedded nats-servers in
// the same processes (a bucket nobody watches, and one every node
// watches as the registry's caches do), and its lookups per second from
// the local cache against a local process-registry lookup. ergo has no
// global registry, nor does another peer of bench/peers.
package clusterbench

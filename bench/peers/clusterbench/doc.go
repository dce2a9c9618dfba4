// Package clusterbench measures Orchard's clustering between two OS
// processes on loopback (docs/BENCHMARKS.md W8–W10): remote send
// throughput (W8) and remote call latency (W9) against raw NATS
// publish/subscribe and request/reply over the same topology (two
// embedded nats-servers joined by a route, an in-process connection on
// each side), and the time to declare a killed node down (W10). Run it
// with ORCHARD_CLUSTER_BENCH=1 go test -run TestClusterWorkloads -v
// ./clusterbench; it is skipped otherwise.
package clusterbench

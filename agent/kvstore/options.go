package kvstore

import "github.com/seed-fe72f376/orchard/internal/natsengine"

// Option configures Open, OpenNodeStore, OpenErrorStore and
// OpenNodeErrorStore; WithReplicas makes one.
type Option = natsengine.StoreOption

// WithReplicas sets the bucket's replica count (JetStream R3 on a
// cluster of three or more servers keeps the snapshots through the loss
// of one). An existing bucket with fewer replicas is scaled up, never
// down. Without it, Open and OpenErrorStore make one replica, and
// OpenNodeStore and OpenNodeErrorStore follow the node's cluster
// (cluster.Node.Replicas; one outside a cluster). A count below 1 means
// the default.
func WithReplicas(n int) Option { return natsengine.WithReplicas(n) }

package jsstore

import "github.com/seed-fe72f376/orchard/internal/natsengine"

// Option configures OpenJetStream and OpenNodeStore; WithReplicas makes
// one.
type Option = natsengine.StoreOption

// WithReplicas sets the bucket's replica count: on a cluster of three or
// more servers (package cluster), R3 keeps the dead letters through the
// loss of one. An existing bucket with fewer replicas is scaled up, never
// down. Without it, OpenJetStream makes one replica and OpenNodeStore
// follows the node's cluster (cluster.Node.Replicas; one outside a
// cluster). A count below 1 means the default.
func WithReplicas(n int) Option { return natsengine.WithReplicas(n) }

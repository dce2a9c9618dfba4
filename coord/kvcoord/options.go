package kvcoord

import "github.com/seed-fe72f376/orchard/internal/natsengine"

// Option configures Open and OpenNode; WithReplicas makes one.
type Option = natsengine.StoreOption

// WithReplicas sets the bucket's replica count: on a cluster of three or
// more servers (package cluster), R3 keeps the locks and elections
// through the loss of one server. An existing bucket with fewer replicas
// is scaled up (its TTL unchanged), never down. Without it, Open makes
// one replica and OpenNode follows the node's cluster
// (cluster.Node.Replicas; one outside a cluster). A count below 1 means
// the default.
func WithReplicas(n int) Option { return natsengine.WithReplicas(n) }

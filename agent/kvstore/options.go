package kvstore

// Option configures Open, OpenNodeStore, OpenErrorStore and
// OpenNodeErrorStore.
type Option interface{ apply(*options) }

type options struct{ replicas int }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithReplicas sets the bucket's replica count (JetStream R3 on a
// cluster of three or more servers keeps the snapshots through the loss
// of one). An existing bucket with fewer replicas is scaled up, never
// down. Without it, Open and OpenErrorStore make one replica, and
// OpenNodeStore and OpenNodeErrorStore follow the node's cluster
// (cluster.Node.Replicas; one outside a cluster). A count below 1 means
// the default.
func WithReplicas(n int) Option { return optionFunc(func(o *options) { o.replicas = n }) }

func optionsOf(opts []Option) options {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	return o
}

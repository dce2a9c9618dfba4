package process

import (
	"context"

	"github.com/seed-fe72f376/orchard/internal/nodeenv/envkey"
)

// The node's environment: what library code running on the node reads
// instead of package-level defaults (ARCHITECTURE.md), given by the
// Timeouts, Logger and Telemetry fields of [Config]. The runtime itself
// uses none of it; the behaviours and services read it through the
// module-internal package nodeenv.

// storeEnv hands the environment options to nodeenv (see envkey).
func (n *Node) storeEnv() {
	if n.cfg.env != (envkey.Values{}) {
		env := n.cfg.env
		n.values.Store(envkey.Key{}, &env)
	}
}

// closeEnv closes the node's resources (its embedded engine), if any
// were opened, once its processes are gone: an application closes them
// itself at the end of its Stop, so this matters for a node that runs
// none. The runtime knows nothing of the resources; nodeenv registered
// the function (see envkey).
func (n *Node) closeEnv(ctx context.Context) {
	if v, ok := n.values.Load(envkey.CloseKey{}); ok {
		v.(envkey.CloseFunc)(ctx)
	}
}

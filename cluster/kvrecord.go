package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// MembersBucket is the JetStream KV bucket that records the cluster's
// members: one key per node name, written when the node joins and
// deleted when it leaves gracefully.
const MembersBucket = "orchard_members"

// record is a member's KV record.
type record struct {
	Name  string    `json:"name"`
	ID    uint32    `json:"id"`
	Route string    `json:"route,omitempty"`
	Since time.Time `json:"since"`
}

// kvOpTimeout bounds one KV operation of the membership process.
const kvOpTimeout = 2 * time.Second

// membersKV opens (creating it if needed) the members bucket, replicated
// on up to three servers.
func (n *Node) membersKV(ctx context.Context) (jetstream.KeyValue, error) {
	return n.eng.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: MembersBucket, Description: "Orchard cluster members", History: 1,
		Storage: jetstream.FileStorage, Replicas: n.replicas(),
	})
}

// replicas is the replica count of the cluster's KV buckets: three when
// three or more nodes are up (JetStream needs a majority of them), else
// one. A bucket made with one replica is scaled up by the first node
// that opens it once three are up. With fewer than three servers a
// bucket lives on one of them and is unavailable while that one is
// down.
func (n *Node) replicas() int {
	if n.cfg.Replicas > 0 {
		return n.cfg.Replicas
	}
	if n.cfg.URL == "" && len(n.Up()) >= 3 {
		return 3
	}
	return 1
}

// recorder is the process that writes this node's membership record,
// retrying every heartbeat until JetStream accepts it (a new cluster
// elects its JetStream leader a moment after the servers connect), so
// that neither Start nor the heartbeat waits for it.
func (n *Node) recorder(p *process.Proc) error {
	t := time.NewTicker(n.cfg.Heartbeat)
	defer t.Stop()
	rec, _ := json.Marshal(record{Name: n.cfg.Name, ID: n.id, Route: n.RouteURL(), Since: time.Now().UTC()})
	// One silence period first, so that the heartbeats of the nodes
	// already there have arrived and replicas counts them.
	select {
	case <-p.Context().Done():
		return nil
	case <-time.After(n.cfg.DownAfter):
	}
	for {
		ctx, cancel := context.WithTimeout(p.Context(), kvOpTimeout)
		kv, err := n.membersKV(ctx)
		if err == nil {
			_, err = kv.Put(ctx, n.cfg.Name, rec)
		}
		cancel()
		if err == nil {
			n.recorded.Store(true)
			return nil
		}
		select {
		case <-p.Context().Done():
			return nil
		case <-t.C:
		}
	}
}

// unrecord deletes this node's record (a graceful leave), bounded by
// kvOpTimeout.
func (n *Node) unrecord() {
	if !n.recorded.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), kvOpTimeout)
	defer cancel()
	if kv, err := n.eng.JetStream().KeyValue(ctx, MembersBucket); err == nil {
		_ = kv.Delete(ctx, n.cfg.Name)
	}
}

// Recorded returns the names of the nodes recorded in the members bucket
// (joined and not left gracefully; a crashed node stays until it leaves
// or another node with its name joins), sorted. It fails when JetStream
// does not answer within ctx.
func (n *Node) Recorded(ctx context.Context) ([]string, error) {
	if ctx == nil {
		return nil, argerr.Nil("cluster: Node.Recorded", "ctx")
	}
	kv, err := n.eng.JetStream().KeyValue(ctx, MembersBucket)
	if err != nil {
		return nil, fmt.Errorf("cluster: members bucket: %w", err)
	}
	keys, err := kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("cluster: members bucket: %w", err)
	}
	var out []string
	for k := range keys.Keys() {
		out = append(out, k)
	}
	slices.SortFunc(out, strings.Compare)
	return out, nil
}

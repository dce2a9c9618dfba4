package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// MemberRecord is a node's record in the members bucket ([MembersBucket]):
// what it wrote when it joined.
type MemberRecord struct {
	Name string
	ID   uint32
	// Route is its cluster route URL (see [Node.RouteURL]); empty for a
	// node that joined through an external NATS server.
	Route string
	// Since is when it joined.
	Since time.Time
}

// MemberRecords returns the records of the members bucket (the nodes
// joined and not left gracefully, as [Node.Recorded]), sorted by name; a
// record that does not decode is skipped. It fails when JetStream does
// not answer within ctx. It only reads.
func (n *Node) MemberRecords(ctx context.Context) ([]MemberRecord, error) {
	if ctx == nil {
		return nil, argerr.Nil("cluster: Node.MemberRecords", "ctx")
	}
	kv, err := n.eng.JetStream().KeyValue(ctx, MembersBucket)
	if err != nil {
		return nil, fmt.Errorf("cluster: members bucket: %w", err)
	}
	keys, err := kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("cluster: members bucket: %w", err)
	}
	var out []MemberRecord
	for k := range keys.Keys() {
		e, err := kv.Get(ctx, k)
		if err != nil {
			continue // deleted since listed
		}
		var r record
		if json.Unmarshal(e.Value(), &r) != nil {
			continue
		}
		out = append(out, MemberRecord(r))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b MemberRecord) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

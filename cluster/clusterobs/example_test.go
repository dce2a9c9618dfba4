package clusterobs_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/cluster/clusterobs"
)

// threeNodes stands for a *cluster.Node that sees two more nodes, one of
// them down.
type threeNodes struct{}

func (threeNodes) Name() string { return "a" }
func (threeNodes) Members() []cluster.Member {
	return []cluster.Member{
		{Name: "a", ID: 1, Up: true},
		{Name: "b", ID: 2, Up: true, LastSeen: time.Now()},
		{Name: "c", ID: 3, LastSeen: time.Now().Add(-5 * time.Second)},
	}
}
func (threeNodes) MemberRecords(context.Context) ([]cluster.MemberRecord, error) {
	return []cluster.MemberRecord{{Name: "a", ID: 1, Route: "nats://127.0.0.1:6222"}, {Name: "b", ID: 2, Route: "nats://127.0.0.1:6223"}}, nil
}

// A clustered application adds the Nodes view to its observer: pass the
// section (of its *cluster.Node) in observer.Config.Sections.
func ExampleSection() {
	s, err := clusterobs.Section(threeNodes{}) // clusterobs.Section(node) with a *cluster.Node
	if err != nil {
		fmt.Println(err)
		return
	}
	tab, _ := s.Rows(context.Background())
	fmt.Println(s.Title(), tab.Columns)
	for _, r := range tab.Rows {
		fmt.Println(r[0], r[2], r[5])
	}
	// Output:
	// Nodes [Node ID Status Since Last heartbeat Address]
	// a up (this node) nats://127.0.0.1:6222
	// b up nats://127.0.0.1:6223
	// c down
}

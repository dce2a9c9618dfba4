package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seed-fe72f376/orchard/app"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// closeCounter is a node resource that counts its Close calls.
type closeCounter struct{ n *int }

func (c closeCounter) Close(context.Context) error { *c.n++; return nil }

func openCounter(t *testing.T, node *process.Node) *int {
	t.Helper()
	n := new(int)
	if _, err := nodeenv.Open(node, "counter", func() (nodeenv.Resource, error) { return closeCounter{n}, nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func idlePart(name string) app.Part {
	return app.Part{Name: name, Tree: supervisor.Spec{}}
}

// TestStopClosesTheNodesResourcesLast: a clean Stop, with nothing else
// running on the node, closes the node's resources after its parts.
func TestStopClosesTheNodesResourcesLast(t *testing.T) {
	node := otptest.NewNode(t)
	closed := openCounter(t, node)
	a, err := app.New(node, app.Spec{Name: "a", Parts: []app.Part{idlePart("p")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if *closed != 1 {
		t.Errorf("resources closed %d times by Stop; want once", *closed)
	}
}

// TestStopLeavesResourcesToOthers: resources are left open by a failed
// Start (the node may start another application) and by a Stop while
// other processes still run on the node (they may use them); Node.Stop
// closes them then.
func TestStopLeavesResourcesToOthers(t *testing.T) {
	node, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	closed := openCounter(t, node)
	failing := app.Part{Name: "bad", Start: func(*process.Node) (process.PID, error) { return process.PID{}, errors.New("boom") }}
	a, err := app.New(node, app.Spec{Name: "a", Parts: []app.Part{idlePart("p"), failing}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err == nil {
		t.Fatal("Start with a failing part = nil; want its error")
	}
	if *closed != 0 {
		t.Errorf("a failed Start closed the node's resources %d times; want none", *closed)
	}

	outside := otptest.SpawnIdle(t, node)
	b, err := app.New(node, app.Spec{Name: "b", Parts: []app.Part{idlePart("p")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatalf("a second application on the node: Start = %v", err)
	}
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if *closed != 0 {
		t.Errorf("Stop closed the node's resources while %v still runs; want them left open", outside)
	}
	if err := node.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if *closed != 1 {
		t.Errorf("Node.Stop closed the resources %d times; want once", *closed)
	}
}

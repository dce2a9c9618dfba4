package clusterobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/cluster/clusterobs"
	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/otptest"
)

func TestBadInput(t *testing.T) {
	var s observer.Section
	err := otptest.NoPanic(func() (err error) { s, err = clusterobs.Section(nil); return err })
	var ae *clusterobs.ArgumentError
	if s != nil || !errors.Is(err, clusterobs.ErrInvalidArgument) || !errors.As(err, &ae) || ae.Op != "clusterobs: Section" {
		t.Errorf("Section(nil) = %v, %v", s, err)
	}
}

// TestRealNodes shows a real node's view of a two-node cluster: the
// node itself and the other, both up, with their route addresses from
// the members bucket; the observer accepts the section.
func TestRealNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := func(name string, routes ...string) *cluster.Node {
		n, err := cluster.Start(ctx, cluster.Config{Name: name, Dir: t.TempDir(), Routes: routes})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := n.Stop(sctx); err != nil {
				t.Error(err)
			}
		})
		return n
	}
	a := start("obs-a")
	var nilCtx context.Context
	if _, err := a.MemberRecords(nilCtx); !errors.Is(err, cluster.ErrInvalidArgument) {
		t.Errorf("MemberRecords(nil) = %v", err)
	}
	b := start("obs-b", a.RouteURL())
	s, err := clusterobs.Section(a)
	if err != nil {
		t.Fatal(err)
	}
	h, err := observer.New(observer.Config{Node: a.Process(), Sections: []observer.Section{s}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	otptest.Eventually(t, 30*time.Second, func() bool {
		tab, err := s.Rows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(tab.Rows) == 2 &&
			slices.Equal(tab.Rows[0][:3], []string{"obs-a", fmt.Sprint(a.ID()), "up (this node)"}) && tab.Rows[0][5] == a.RouteURL() &&
			slices.Equal(tab.Rows[1][:3], []string{"obs-b", fmt.Sprint(b.ID()), "up"}) && tab.Rows[1][5] == b.RouteURL()
	}, "both nodes up with their route addresses")
}

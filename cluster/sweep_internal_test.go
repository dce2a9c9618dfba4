package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// TestSweepThawGrace: a node that did not sweep for longer than
// DownAfter (frozen) declares no peer down until DownAfter after its
// routes could be back (routeRedial); then a peer still silent is down,
// and one heard meanwhile stays up. (Before, a thawed node gave its
// peers one DownAfter, shorter than a route's redial, and declared live
// peers down.)
func TestSweepThawGrace(t *testing.T) {
	pn, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = pn.Stop(ctx)
	})
	const down = time.Second
	n := &Node{cfg: Config{DownAfter: down}, proc: pn, members: map[uint32]*member{}, watchers: map[uint64]*watcher{}}
	n.calls.waiting = map[uint64]*pending{}
	t0 := time.Now()
	n.members[1] = &member{name: "silent", lastSeen: t0, up: true}
	n.members[2] = &member{name: "heard", lastSeen: t0, up: true}
	n.sweep(t0)
	thaw := t0.Add(5 * down) // frozen for five DownAfters
	grace := routeRedial + down
	for at := time.Duration(0); at < grace; at += down / 5 {
		now := thaw.Add(at)
		if at >= routeRedial/2 {
			n.mu.Lock()
			n.members[2].lastSeen = now // its heartbeats arrive once the routes are back
			n.mu.Unlock()
		}
		n.sweep(now)
		if !n.up(1) || !n.up(2) {
			t.Fatalf("%v after the thaw (grace %v): silent up %v, heard up %v; want both up", at, grace, n.up(1), n.up(2))
		}
	}
	n.sweep(thaw.Add(grace))
	if n.up(1) {
		t.Errorf("the peer silent since before the freeze is up after the grace; want down")
	}
	if !n.up(2) {
		t.Errorf("the peer heard since %v after the thaw is down; want up", routeRedial/2)
	}
}

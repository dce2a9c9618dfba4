package coord_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/coord/kvcoord"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

// TestBadInput walks coord's and kvcoord's API with nil, zero, empty
// and invalid input: every call returns an *ArgumentError matching
// ErrInvalidArgument (docs/ERRORS.md), never panics, and takes nothing.
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	c := startCoord(t, node)
	ctx := bg(t)
	h := otptest.SpawnIdle(t, node)
	var nilCtx context.Context
	var nilC *coord.Coordinator
	var nilLock *coord.Lock
	var nilMem *coord.MemoryBackend
	var nilFence *coord.Fence
	var nilKV *kvcoord.Backend
	var nilOpt coord.Option
	var nilCallOpt coord.CallOption
	mem := coord.NewMemoryBackend()
	voters := []process.Dest{h}
	prop := func(p coord.Proposal) func() error {
		return func() error { _, err := c.Propose(ctx, p); return err }
	}
	lock := func(ctx context.Context, name string, opts ...coord.CallOption) func() error {
		return func() error { _, err := c.Lock(ctx, name, opts...); return err }
	}
	await := func(n int, opts ...coord.CallOption) func() error {
		return func() error { _, err := c.Await(ctx, "b", n, opts...); return err }
	}
	start := func(opts ...coord.Option) func() error {
		return func() error {
			c, err := coord.Start(node, opts...)
			if err == nil {
				_ = c.Stop(ctx)
			}
			return err
		}
	}
	cases := []struct {
		name string
		call func() error
	}{
		{"Start/nil node", func() error { _, err := coord.Start(nil); return err }},
		{"Start/nil option", start(nilOpt)},
		{"Start/nil backend", start(coord.WithBackend(nil))},
		{"Start/empty name", start(coord.WithName(""))},
		{"Start/zero backend timeout", start(coord.WithBackendTimeout(0))},
		{"Start/negative retry", start(coord.WithRetryInterval(-time.Second))},
		{"StartLink/nil parent", func() error { _, err := coord.StartLink(nil); return err }},
		{"StartFunc/nil parent", func() error { _, err := coord.StartFunc()(nil); return err }},
		{"StartFunc/bad option", func() error { _, err := coord.StartFunc(nilOpt)(nil); return err }},
		{"nil Coordinator", func() error { _, err := nilC.Lock(ctx, "x", coord.WithHolder(h)); return err }},
		{"For(nil)", func() error { _, err := coord.For(nil).PID(); return err }},
		{"For(zero PID)", func() error { return coord.For(process.PID{}).Stop(ctx) }},
		{"Stop/nil ctx", func() error { return c.Stop(nilCtx) }},
		{"Lock/nil ctx", lock(nilCtx, "x", coord.WithHolder(h))},
		{"Lock/empty name", lock(ctx, "", coord.WithHolder(h))},
		{"Lock/no holder", lock(ctx, "x")},
		{"Lock/nil option", lock(ctx, "x", nilCallOpt)},
		{"Lock/zero holder", lock(ctx, "x", coord.WithHolder(process.PID{}))},
		{"Lock/zero lease", lock(ctx, "x", coord.WithHolder(h), coord.WithLease(0))},
		{"TryLock/empty name", func() error { _, err := c.TryLock(ctx, "", coord.WithHolder(h)); return err }},
		{"Lock.Release/nil", func() error { return nilLock.Release(ctx) }},
		{"Await/zero n", await(0, coord.WithHolder(h))},
		{"Await/negative timeout", await(1, coord.WithHolder(h), coord.WithTimeout(-1))},
		{"Await/no participants", await(1, coord.WithHolder(h), coord.WithParticipants())},
		{"Await/participants mismatch", await(2, coord.WithHolder(h), coord.WithParticipants(h))},
		{"Await/duplicate participant", await(2, coord.WithHolder(h), coord.WithParticipants(h, h))},
		{"Await/undeclared holder", await(1, coord.WithHolder(otptest.SpawnIdle(t, node)), coord.WithParticipants(h))},
		{"Campaign/empty name", func() error { return c.Campaign(ctx, "", coord.WithHolder(h)) }},
		{"Campaign/no holder", func() error { return c.Campaign(ctx, "e") }},
		{"Resign/nil ctx", func() error { return c.Resign(nilCtx, "e", coord.WithHolder(h)) }},
		{"Leader/empty name", func() error { _, err := c.Leader(ctx, ""); return err }},
		{"Watch/zero watcher", func() error { return c.Watch(ctx, "e", process.PID{}) }},
		{"Propose/nil ctx", func() error { _, err := c.Propose(nilCtx, coord.Proposal{Name: "p", Voters: voters}); return err }},
		{"Propose/empty name", prop(coord.Proposal{Voters: voters})},
		{"Propose/no voters", prop(coord.Proposal{Name: "p"})},
		{"Propose/nil voter", prop(coord.Proposal{Name: "p", Voters: []process.Dest{nil}})},
		{"Propose/zero voter", prop(coord.Proposal{Name: "p", Voters: []process.Dest{process.PID{}}})},
		{"Propose/duplicate voter", prop(coord.Proposal{Name: "p", Voters: []process.Dest{h, h}})},
		{"Propose/unknown rule", prop(coord.Proposal{Name: "p", Voters: voters, Rule: 9})},
		{"Propose/K 0", prop(coord.Proposal{Name: "p", Voters: voters, Rule: coord.AtLeastK})},
		{"Propose/K too large", prop(coord.Proposal{Name: "p", Voters: voters, Rule: coord.AtLeastK, K: 2})},
		{"Propose/K without AtLeastK", prop(coord.Proposal{Name: "p", Voters: voters, K: 1})},
		{"Propose/negative timeout", prop(coord.Proposal{Name: "p", Voters: voters, Timeout: -1})},
		{"Propose/unknown confirm", prop(coord.Proposal{Name: "p", Voters: voters, Confirm: send.Level(7)})},
		{"VoteRequest.Vote/zero", func() error { return coord.VoteRequest{}.Vote(true) }},
		{"Fence.Check/nil", func() error { return nilFence.Check(1) }},
		{"Fence.Check/zero token", func() error { var f coord.Fence; return f.Check(0) }},
		{"MemoryBackend/nil", func() error { _, err := nilMem.Holder(ctx, "k"); return err }},
		{"MemoryBackend/nil ctx", func() error { _, err := mem.Acquire(nilCtx, "k", "o", time.Second); return err }},
		{"MemoryBackend/empty key", func() error { _, err := mem.Acquire(ctx, "", "o", time.Second); return err }},
		{"MemoryBackend/empty owner", func() error { _, err := mem.Acquire(ctx, "k", "", time.Second); return err }},
		{"MemoryBackend/zero ttl", func() error { _, err := mem.Acquire(ctx, "k", "o", 0); return err }},
		{"MemoryBackend.Renew/empty key", func() error { _, err := mem.Renew(ctx, coord.Lease{}); return err }},
		{"MemoryBackend.Release/nil ctx", func() error { return mem.Release(nilCtx, coord.Lease{Key: "k"}) }},
		{"kvcoord.Open/nil ctx", func() error { _, err := kvcoord.Open(nilCtx, nil, "", time.Second); return err }},
		{"kvcoord.Open/nil js", func() error { _, err := kvcoord.Open(ctx, nil, "", time.Second); return err }},
		{"kvcoord.OpenNode/nil node", func() error { _, err := kvcoord.OpenNode(ctx, nil, time.Second); return err }},
		{"kvcoord.New/nil kv", func() error { _, err := kvcoord.New(ctx, nil); return err }},
		{"kvcoord.Backend/nil", func() error { _, err := nilKV.Acquire(ctx, "k", "o", time.Second); return err }},
		{"kvcoord.Backend/nil Holder", func() error { _, err := nilKV.Holder(ctx, "k"); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := otptest.NoPanic(tc.call)
			var ae *coord.ArgumentError
			if !errors.Is(err, coord.ErrInvalidArgument) || !errors.As(err, &ae) {
				t.Fatalf("got %v; want an *ArgumentError matching ErrInvalidArgument", err)
			}
		})
	}
	// Nothing was taken: the lock and the election are free.
	l, err := c.TryLock(ctx, "x", coord.WithHolder(h))
	if err != nil {
		t.Fatalf("TryLock after the refused calls: %v", err)
	}
	_ = l.Release(ctx)
	if _, err := c.Leader(ctx, "e"); !errors.Is(err, coord.ErrNotHeld) {
		t.Errorf("Leader after the refused calls: %v; want ErrNotHeld", err)
	}
}

// TestKVBadLease: kvcoord refuses a lease it cannot keep (shorter than
// JetStream allows, not whole milliseconds, other than the bucket's).
func TestKVBadLease(t *testing.T) {
	ctx := bg(t)
	js := startEngine(t)
	b, err := kvcoord.Open(ctx, js, "", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Acquire(ctx, "k", "o", 2*time.Second); !errors.Is(err, kvcoord.ErrInvalidArgument) {
		t.Errorf("Acquire with another lease: %v; want ErrInvalidArgument", err)
	}
	if b.Lease() != time.Second {
		t.Errorf("Lease() = %v; want 1s", b.Lease())
	}
	// New reads the lease from the bucket's TTL, and refuses a bucket
	// without one.
	kv, err := js.KeyValue(ctx, kvcoord.BucketName(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if b2, err := kvcoord.New(ctx, kv); err != nil || b2.Lease() != time.Second {
		t.Errorf("New = %v, %v; want a backend with a 1s lease", b2, err)
	}
	plain, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kvcoord.New(ctx, plain); !errors.Is(err, kvcoord.ErrInvalidArgument) {
		t.Errorf("New over a bucket without TTL: %v; want ErrInvalidArgument", err)
	}
	for _, d := range []time.Duration{0, 10 * time.Millisecond, 1500 * time.Microsecond} {
		if _, err := kvcoord.Open(ctx, js, "", d); !errors.Is(err, kvcoord.ErrInvalidArgument) {
			t.Errorf("Open with lease %v: %v; want ErrInvalidArgument", d, err)
		}
	}
}

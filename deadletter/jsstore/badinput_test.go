package jsstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: each call returns an *ArgumentError matching
// ErrInvalidArgument (docs/ERRORS.md) and, as in package deadletter,
// deadletter.ErrInvalidOption; none panics.
func TestBadInput(t *testing.T) {
	dirStore := openDir(t, t.TempDir(), jsstore.DirConfig{})
	var nilJS *jsstore.Store
	var nilCtx context.Context // a nil ctx is bad input, not a panic
	ctx := context.Background()
	keep := func(deadletter.Entry) bool { return true }

	cases := []struct {
		name string
		call func() error
	}{
		{"OpenNodeStore nil ctx", func() error { _, err := jsstore.OpenNodeStore(nilCtx, nil, ""); return err }},
		{"OpenNodeStore nil node", func() error { _, err := jsstore.OpenNodeStore(ctx, nil, ""); return err }},
		{"deadletter.List nil *Store", func() error { _, err := deadletter.List(ctx, nilJS, deadletter.Filter{}, 0); return err }},
		{"OpenDir nil ctx", func() error { _, err := jsstore.OpenDir(nilCtx, t.TempDir(), jsstore.DirConfig{}); return err }},
		{"OpenDir empty dir", func() error { _, err := jsstore.OpenDir(ctx, "", jsstore.DirConfig{}); return err }},
		{"OpenDir negative sync interval", func() error {
			_, err := jsstore.OpenDir(ctx, t.TempDir(), jsstore.DirConfig{SyncInterval: -time.Second})
			return err
		}},
		{"OpenDir negative ready timeout", func() error {
			_, err := jsstore.OpenDir(ctx, t.TempDir(), jsstore.DirConfig{ReadyTimeout: -time.Second})
			return err
		}},
		{"OpenJetStream nil ctx", func() error { _, err := jsstore.OpenJetStream(nilCtx, dirStore.JetStream(), ""); return err }},
		{"OpenJetStream nil js", func() error { _, err := jsstore.OpenJetStream(ctx, nil, ""); return err }},
		{"Store.Put nil receiver", func() error { return nilJS.Put(ctx, deadletter.Entry{ID: "a"}) }},
		{"Store.Put nil ctx", func() error { return dirStore.Put(nilCtx, deadletter.Entry{ID: "a"}) }},
		{"Store.Put empty id", func() error { return dirStore.Put(ctx, deadletter.Entry{}) }},
		{"Store.Get empty id", func() error { _, err := dirStore.Get(ctx, ""); return err }},
		{"Store.Get nil ctx", func() error { _, err := dirStore.Get(nilCtx, "a"); return err }},
		{"Store.Delete empty id", func() error { return dirStore.Delete(ctx, "") }},
		{"Store.Scan nil fn", func() error { return dirStore.Scan(ctx, nil) }},
		{"Store.Scan nil receiver", func() error { return nilJS.Scan(ctx, keep) }},
		{"Store.Verify nil receiver", func() error { return nilJS.Verify(ctx) }},
		{"Store.Verify nil ctx", func() error { return dirStore.Verify(nilCtx) }},
		{"Store.AcknowledgeDamage nil receiver", func() error { return nilJS.AcknowledgeDamage() }},
		{"Store.Close nil receiver", func() error { return nilJS.Close() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae *jsstore.ArgumentError
			if !errors.Is(err, jsstore.ErrInvalidArgument) || !errors.As(err, &ae) {
				t.Fatalf("%s = %v; want an *ArgumentError matching ErrInvalidArgument", tc.name, err)
			}
			if !errors.Is(err, deadletter.ErrInvalidOption) {
				t.Errorf("%s = %v; want it to match deadletter.ErrInvalidOption as well", tc.name, err)
			}
			if ae.Op == "" || ae.Arg == "" || ae.Reason == "" {
				t.Errorf("%s: ArgumentError %+v has an empty field", tc.name, ae)
			}
		})
	}
	if nilJS.JetStream() != nil {
		t.Error("nil Store.JetStream() is not nil")
	}
	if nilJS.Unclean() {
		t.Error("nil Store.Unclean() is true")
	}
}

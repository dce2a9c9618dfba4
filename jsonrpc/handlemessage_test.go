package jsonrpc_test

import (
	"context"
	"testing"
)

// TestHandleMessageEndedContext: a message whose context ends before its
// handlers answer returns without a reply, and the late answer of the
// cancelled handler does not race with the return (run with -race).
func TestHandleMessageEndedContext(t *testing.T) {
	f := newFixture(t)
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = f.srv.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"hang"}`))
		<-f.started
	}
}

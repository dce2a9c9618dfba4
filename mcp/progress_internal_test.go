package mcp

import (
	"context"
	"fmt"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestProgressNeverBlocksTheTool: while the client takes no notification,
// the tool's reports return at once; they wait, bounded, newest last, and
// go out in order once the client reads again.
func TestProgressNeverBlocksTheTool(t *testing.T) {
	release := make(chan struct{})
	var sent []string
	q := &progressQueue{ctx: context.Background(), token: "t", kick: make(chan struct{}, 1),
		send: func(ctx context.Context, p *sdk.ProgressNotificationParams) error {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
			sent = append(sent, p.Message)
			return nil
		}}
	reported := make(chan struct{})
	go func() {
		defer close(reported)
		for i := range maxPendingProgress + 10 {
			q.report(float64(i), 0, fmt.Sprint(i))
		}
	}()
	select {
	case <-reported:
	case <-time.After(10 * time.Second):
		t.Fatal("reports blocked while the client was stuck")
	}
	close(release)
	q.flush()
	if len(sent) != maxPendingProgress {
		t.Fatalf("sent %d reports; want %d (the bound)", len(sent), maxPendingProgress)
	}
	if sent[0] != "0" || sent[len(sent)-1] != fmt.Sprint(maxPendingProgress+9) {
		t.Fatalf("sent %v; want the first ones in order and the newest last", sent)
	}
}

// TestProgressStopsAfterAFailedSend: a client that could not take one
// notification is sent no more for that call.
func TestProgressStopsAfterAFailedSend(t *testing.T) {
	calls := 0
	q := &progressQueue{ctx: context.Background(), token: "t", kick: make(chan struct{}, 1),
		send: func(context.Context, *sdk.ProgressNotificationParams) error {
			calls++
			return context.DeadlineExceeded
		}}
	q.report(1, 3, "a")
	q.report(2, 3, "b")
	q.flush()
	q.report(3, 3, "c")
	q.flush()
	if calls != 1 {
		t.Fatalf("%d sends; want 1 (none after the failure)", calls)
	}
}

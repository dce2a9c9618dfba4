package send_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// TestSendUsesTheNodesEnvironment: a Sender given no timeouts and no
// logger (here the package-level Send's) takes the send timeout and the
// logger of the destination's node, not the package defaults.
func TestSendUsesTheNodesEnvironment(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, err := timeouts.New(timeouts.Spec{Operations: map[string]time.Duration{send.TimeoutKey: 300 * time.Millisecond}},
			timeouts.WithFactor(1))
		if err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		node := otptest.NewNode(t, process.WithTimeouts(cfg),
			process.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		release := make(chan struct{})
		defer close(release)
		pid, err := genserver.Start(node, &blocker{release: release})
		if err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		err = send.Send(context.Background(), pid, "x", send.WithConfirm(send.Handled), send.WithOnError(send.Log))
		if !errors.Is(err, send.ErrTimeout) || time.Since(begin) != 300*time.Millisecond {
			t.Errorf("Send = %v after %v; want ErrTimeout after the node's 300ms", err, time.Since(begin))
		}
		if !strings.Contains(logs.String(), "send failed") {
			t.Errorf("node's log = %q; want the failure logged there", logs.String())
		}
	})
}

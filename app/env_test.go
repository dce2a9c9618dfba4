package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/app"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestLogsOnTheNodesLogger: an application given no logger logs its
// start and stop steps through its node's logger (process.Config.Logger),
// with its name attached.
func TestLogsOnTheNodesLogger(t *testing.T) {
	var buf bytes.Buffer
	node := otptest.NewNode(t, process.Config{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	var tr otptest.Trace
	a, err := app.New(node, app.Spec{Name: "shop", Parts: parts(&tr, "db")})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`msg="app: stopping" application=shop`, `msg="app: stopped" application=shop`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("node's log lacks %q:\n%s", want, buf.String())
		}
	}
}

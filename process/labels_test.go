package process_test

import (
	"bytes"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// goroutineProfile returns the goroutine profile with labels.
func goroutineProfile(t *testing.T) string {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestProcessLabels(t *testing.T) {
	for _, on := range []bool{true, false} {
		var opts []process.Option
		if on {
			opts = append(opts, process.Config{ProcessLabels: true})
		}
		node := otptest.NewNode(t, opts...)
		running := make(chan struct{})
		pid, err := node.Spawn(func(p *process.Proc) error {
			close(running)
			<-p.Done()
			return nil
		}, rt.Behaviour("labelled"))
		if err != nil {
			t.Fatal(err)
		}
		<-running
		profile := goroutineProfile(t)
		label := `"orchard.pid":"` + pid.String() + `"`
		if got := strings.Contains(profile, label); got != on {
			t.Errorf("Config.ProcessLabels %t: profile has %s: %t", on, label, got)
		}
		if on && !strings.Contains(profile, `"orchard.behaviour":"labelled"`) {
			t.Errorf("no orchard.behaviour label in the profile")
		}
		if !strings.Contains(profile, `"orchard.node":"`) || !strings.Contains(profile, `"orchard.worker":"`) {
			t.Errorf("workers lack the orchard.node or orchard.worker label")
		}
		_ = node.Exit(pid, process.Kill)
	}
}

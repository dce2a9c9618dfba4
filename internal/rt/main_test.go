package rt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

var errBoom = errors.New("boom")

// timeout bounds every wait for something the test expects to happen; it
// is never slept on.
const timeout = 5 * time.Second

// deadPID returns the PID of a process that has died.
func deadPID(t *testing.T, n *process.Node) process.PID {
	t.Helper()
	pid, err := n.Spawn(func(*process.Proc) error { return nil })
	if err != nil {
		t.Fatalf("Spawn = %v; want nil", err)
	}
	w := otptest.NewProbe(t, n)
	w.Monitor(pid)
	w.ExpectDown(t, timeout)
	return pid
}

// waitForGo is a child that blocks in Receive until any message arrives,
// then ends with end.
func waitForGo(end func() error) process.Func {
	return func(p *process.Proc) error {
		if _, err := p.Receive(p.Context()); err != nil {
			return err
		}
		return end()
	}
}

// handlerFunc is a Handler without HandleStart.
type handlerFunc func(p *process.Proc, m process.Msg) error

func (f handlerFunc) HandleMessage(p *process.Proc, m process.Msg) error { return f(p, m) }

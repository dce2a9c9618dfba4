package otptest_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// exampleT stands in for the *testing.T a test function receives.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                           {}
func (t *exampleT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
func (t *exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *exampleT) Cleanup(fn func())                 { t.cleanups = append(t.cleanups, fn) }

func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

func ExampleNewProbe() {
	t := &exampleT{} // in a test: the *testing.T
	defer t.done()

	node := otptest.NewNode(t) // stopped and checked for leaks at cleanup
	watcher := otptest.NewProbe(t, node, process.TrapExits())
	child, _ := node.Spawn(func(p *process.Proc) error {
		if _, err := p.Receive(p.Context()); err != nil {
			return err
		}
		return errors.New("boom")
	})
	_ = watcher.Link(child) // runs inside the probe process
	_ = node.Send(child, "go")

	exit := watcher.ExpectExit(t, time.Second)
	fmt.Println("from child:", exit.From == child)
	fmt.Println("reason:", exit.Reason)
	// Output:
	// from child: true
	// reason: boom
}

func ExampleTrace() {
	var tr otptest.Trace
	done := make(chan struct{})
	go func() {
		defer close(done)
		tr.Add("init")
		tr.Addf("handle_call %d", 42)
	}()
	t := &exampleT{}
	tr.WaitFor(t, "handle_call 42", time.Second)
	<-done
	fmt.Println(tr.Lines())
	// Output: [init handle_call 42]
}

func ExampleTrace_Equal() {
	var tr otptest.Trace
	tr.Add("start worker")
	tr.Add("exit worker killed")
	tr.Equal(&exampleT{}, []string{"start worker", "exit worker normal"})
	// Output:
	// FAIL: otptest: trace mismatch (-want +got):
	//   start worker
	// - exit worker normal
	// + exit worker killed
}

func ExampleDiff() {
	fmt.Print(otptest.Diff(
		[]string{"a started", "b started", "b exited"},
		[]string{"a started", "b exited"},
	))
	// Output:
	//   a started
	// - b started
	//   b exited
}

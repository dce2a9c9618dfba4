//go:build unix

package osproc_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/seed-fe72f376/orchard/osproc"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// A command's output arrives as messages to its owner, then its end.
func ExampleStart() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	done := make(chan struct{})
	owner, _ := node.Spawn(func(p *process.Proc) error {
		defer close(done)
		for {
			m, err := p.ReceiveTimeout(10 * time.Second)
			if err != nil {
				return err
			}
			switch m := m.(type) {
			case osproc.Output:
				fmt.Printf("%s: %s\n", m.Stream, m.Data)
			case osproc.Exited:
				fmt.Println("exited:", process.FormatReason(m.Reason))
				return nil
			}
		}
	})
	_, err := osproc.Start(node, osproc.Command{Path: "echo", Args: []string{"hello", "world"}, Owner: owner})
	if err != nil {
		fmt.Println(err)
		return
	}
	<-done
	// Output:
	// stdout: hello world
	// exited: normal
}

// A command under a supervisor: its non-zero exit is an abnormal exit
// reason, so it is restarted like any process.
func ExampleChild() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	restarted := make(chan string, 1)
	sup, _ := supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.Flags{MaxRestarts: 3, Period: time.Minute},
		Children: []supervisor.ChildSpec{
			osproc.Child("fails", osproc.Command{Path: "sh", Args: []string{"-c", "exit 3"}}).
				WithRestart(supervisor.Transient),
		},
	}, supervisor.WithEventHook(func(e supervisor.Event) {
		if r, ok := e.(supervisor.ChildRestarting); ok {
			var ee *osproc.ExitError
			if errors.As(r.Reason, &ee) {
				select {
				case restarted <- fmt.Sprintf("%s exited with status %d: restarting", r.ID, ee.Code):
				default:
				}
			}
		}
	}), supervisor.WithLogger(slog.New(slog.DiscardHandler)))
	select {
	case s := <-restarted:
		fmt.Println(s)
	case <-time.After(10 * time.Second):
		fmt.Println("no restart")
	}
	_ = supervisor.Stop(sup, process.Shutdown, 10*time.Second)
	// Output:
	// fails exited with status 3: restarting
}

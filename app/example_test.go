package app_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"time"

	"github.com/seed-fe72f376/orchard/app"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// service is a worker that says when it starts and stops.
type service struct{ name string }

func (s service) Init(self *genserver.Self) error {
	self.TrapExit(true) // so that Terminate runs when its supervisor stops it
	fmt.Println("start", s.name)
	return nil
}

func (s service) Terminate(_ *genserver.Self, reason error) {
	fmt.Println("stop", s.name, process.FormatReason(reason))
}

// serviceTree is a part: a supervisor with one service.
func serviceTree(name string) app.Part {
	return app.Part{
		Name: name,
		Tree: supervisor.Spec{
			Flags: supervisor.DefaultFlags(),
			Children: []supervisor.ChildSpec{{
				ID:    name,
				Start: func(p *process.Proc) (process.PID, error) { return genserver.StartLink(p, service{name}) },
			}},
		},
	}
}

// printStop is a stop hook; a real program would print took as well
// ("stopped web in 3ms").
func printStop(part string, _ time.Duration, err error) {
	fmt.Printf("stopped %s (err=%v)\n", part, err)
}

func ExampleNew() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	a, err := app.New(node, app.Spec{
		Name:  "shop",
		Parts: []app.Part{serviceTree("storage"), serviceTree("web")},
	}, app.WithLogger(slog.New(slog.DiscardHandler)), app.WithStopHook(printStop))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := a.RegisterOnStop(func() { fmt.Println("on stop: flush metrics") }); err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	if err := a.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("running")
	fmt.Println("stop:", a.Stop(ctx))
	fmt.Println("stop again:", a.Stop(ctx))
	// Output:
	// start storage
	// start web
	// running
	// stop web shutdown
	// stopped web (err=<nil>)
	// stop storage shutdown
	// stopped storage (err=<nil>)
	// on stop: flush metrics
	// stop: <nil>
	// stop again: app: application stopped
}

func ExampleApp_Run() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	a, _ := app.New(node, app.Spec{
		Name:  "shop",
		Parts: []app.Part{serviceTree("storage"), serviceTree("web")},
	}, app.WithLogger(slog.New(slog.DiscardHandler)))

	// A context that is already done: Run starts everything, sees it, and
	// stops everything in reverse order.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := a.Run(ctx)
	fmt.Println("run:", err, "exit code:", app.ExitCode(err))
	// Output:
	// start storage
	// start web
	// stop web shutdown
	// stop storage shutdown
	// run: <nil> exit code: 0
}

func ExampleWithSignals() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	sigs := make(chan os.Signal, 1)
	a, _ := app.New(node, app.Spec{Name: "shop", Parts: []app.Part{serviceTree("web")}},
		app.WithSignals(sigs), app.WithLogger(slog.New(slog.DiscardHandler)))

	sigs <- syscall.SIGTERM // as if the OS had sent it
	err := a.Run(context.Background())
	fmt.Println("run:", err)
	// Output:
	// start web
	// stop web shutdown
	// run: <nil>
}

func ExampleStartError() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	broken := app.Part{Name: "web", Start: func(*process.Node) (process.PID, error) {
		return process.PID{}, errors.New("port in use")
	}}
	a, _ := app.New(node, app.Spec{Name: "shop", Parts: []app.Part{serviceTree("storage"), broken}},
		app.WithLogger(slog.New(slog.DiscardHandler)))

	err := a.Run(context.Background())
	var se *app.StartError
	if errors.As(err, &se) {
		fmt.Println("failed part:", se.Part)
	}
	fmt.Println(err)
	fmt.Println("exit code:", app.ExitCode(err))
	// Output:
	// start storage
	// stop storage shutdown
	// failed part: web
	// app: shop: failed to start web: port in use
	// exit code: 3
}

func ExampleExitCode() {
	for _, err := range []error{
		nil,
		&app.ExitError{App: "shop", Part: "pipeline", Reason: process.Shutdown},
		&app.StopError{App: "shop", Parts: []string{"web"}, Err: context.DeadlineExceeded},
		&app.StartError{App: "shop", Part: "web", Err: errors.New("port in use")},
	} {
		fmt.Println(app.ExitCode(err), err)
	}
	// Output:
	// 0 <nil>
	// 1 app: shop: pipeline exited: shutdown
	// 2 app: shop: shutdown incomplete (context deadline exceeded): still running: web
	// 3 app: shop: failed to start web: port in use
}

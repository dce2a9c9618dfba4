package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/seed-fe72f376/orchard/app"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
)

// Defaults of `orchard demo`.
const (
	defaultDuration   = 10 * time.Second
	defaultCrashEvery = time.Second
	defaultRefresh    = time.Second
	defaultEvents     = 5 // event rows in a terminal frame: the frame fits 80x24
	// stopBudget bounds the application's shutdown and the node's.
	stopBudget = 5 * time.Second
)

// demoConfig configures one run of the demo.
type demoConfig struct {
	// Duration is how long the application runs; zero means until ctx
	// is done (Ctrl-C).
	Duration time.Duration
	// CrashEvery is the time between two injected crashes; zero means
	// no crashes.
	CrashEvery time.Duration
	// Seed seeds the choice of victims and of crash kinds.
	Seed int64
	// Refresh is the time between two frames (default 1 s).
	Refresh time.Duration
	// Terminal redraws each frame in place with ANSI sequences; otherwise
	// frames follow each other, separated by a blank line.
	Terminal bool
	// Quiet skips frames in which nothing changed.
	Quiet bool
	// Events is how many rows of events a terminal frame shows (default 5).
	Events int
	// Width is the column at which event lines wrap (default 80, at
	// least 40): the terminal's width, see terminalWidth.
	Width int
	// SkipDeadLetter sends no job to the retired agent, so that the run
	// makes no dead letter (--no-crash).
	SkipDeadLetter bool
	// HTTP is the address of /metrics, /healthz and /readyz; empty
	// serves nothing.
	HTTP string
	// MCP is the address of the MCP endpoint (http://MCP/mcp); empty
	// serves none.
	MCP string
	// DataDir holds the durable dead-letter queue (JetStream files); empty
	// keeps dead letters in memory.
	DataDir string
	// DataRemoved says that DataDir is a temporary directory removed when
	// the demo ends, so the summary does not offer to list it.
	DataRemoved bool
}

func (c *demoConfig) withDefaults() {
	if c.Refresh <= 0 {
		c.Refresh = defaultRefresh
	}
	if c.Events <= 0 {
		c.Events = defaultEvents
	}
	if c.Width <= 0 {
		c.Width = width
	}
}

// discard is the logger of the demo's supervisors and application: the
// frames tell what happens, and log lines would scribble over them.
var discard = slog.New(slog.DiscardHandler)

// runDemo runs the demo application on a new node and writes its frames
// to w until cfg.Duration has passed or ctx is done; then it stops the
// application, writes the stop sequence and a summary, and stops the
// node. It returns an error if the application could not start, a root
// died, the shutdown was not clean, or w failed.
func runDemo(ctx context.Context, w io.Writer, cfg demoConfig) (err error) {
	cfg.withDefaults()
	// tel is the node's registry: every process, supervisor, send and
	// dead-letter event on the node is published on it, and the
	// /metrics exporter and the send-delivery lines read it. The node's
	// logger is quiet: the frames tell what happens (a store's loss is
	// shown in the summary).
	tel := telemetry.New()
	node, err := process.NewNode(process.Config{Telemetry: tel, Logger: discard}, bridge.NodeEvents(nil))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stopNode(node)) }()
	if err := bridge.GenServerEvents(nil, node); err != nil {
		return err
	}
	msg, err := openMessaging(ctx, node, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("dead-letter queue: %w", err)
	}
	defer func() { err = errors.Join(err, msg.close()) }()

	runCtx, cancel := ctx, context.CancelFunc(func() {})
	if cfg.Duration > 0 {
		runCtx, cancel = context.WithTimeout(ctx, cfg.Duration)
	}
	defer cancel()
	// The agents' names live in a registry, which is no process: it
	// outlives the application and is closed after it stopped.
	reg, err := registry.New(node)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, reg.Close()) }()
	var stopHTTP func(context.Context) error
	var live liveAgents
	var liveM liveMCP // the MCP endpoint, for the observer (mcpobs.go)
	banner := ""
	if cfg.HTTP != "" {
		var addr string
		if err := live.start(ctx, node); err != nil { // agents for the observer (agentobs.go)
			return err
		}
		defer func() { err = errors.Join(err, live.stopWithin(stopBudget)) }() // on early returns
		obs, fragment, err := observerMount(node, tel, msg.letters, append(agentSections(live.current), mcpSections(liveM.current)...)...)
		if err != nil {
			return err
		}
		stopHTTP, addr, err = startHTTP(node, cfg.HTTP, tel, []process.Dest{node.Name(healthName), node.Name(servicesName)}, obs)
		if err != nil {
			return err
		}
		banner = fmt.Sprintf("observer http://%s/%s\nmetrics http://%s/metrics · health /healthz /readyz", addr, fragment, addr)
	}
	stopMCP, mcpBanner := startDemoMCP(ctx, node, cfg.MCP, &liveM)
	banner = joinBanner(banner, mcpBanner)
	dir, err := genserver.Start(node, &director{cfg: cfg, w: w, run: runCtx, reg: reg, msg: msg, banner: banner})
	if err != nil {
		return fmt.Errorf("starting the director: %w", err)
	}
	detach, err := forwardDeliveries(node, tel, dir)
	if err != nil {
		return err
	}
	defer detach()
	// The supervisors' event hooks run in the supervisors' processes and
	// must not block: they only send the event to the director.
	hook := func(e supervisor.Event) { _ = node.Send(dir, e) }

	var took time.Duration
	a, err := app.New(node, demoSpec(node, reg, tel, msg, hook),
		app.WithLogger(discard),
		app.WithShutdownTimeout(stopBudget),
		// Ctrl-C reaches the app through ctx (main's NotifyContext).
		app.WithSignals(make(chan os.Signal)),
		app.WithStopHook(func(_ string, d time.Duration, _ error) { took += d }))
	if err != nil {
		return err
	}
	// The dead letters are counted once the parts stopped, before the
	// application closes the node's engine, which holds them.
	a.RegisterOnStop(msg.countStored)
	if err := a.Start(ctx); err != nil {
		return err
	}
	_ = genserver.Cast(dir, begin{})
	runErr := a.Run(runCtx)
	runErr = errors.Join(runErr, stopMCP())
	if stopHTTP != nil {
		hctx, hcancel := context.WithTimeout(context.Background(), stopBudget)
		runErr = errors.Join(runErr, stopHTTP(hctx), live.stopWithin(stopBudget))
		hcancel()
	}

	rep, err := genserver.Call[finalReport](context.Background(), dir, finishReq{}, genserver.WithTimeout(stopBudget))
	if err != nil {
		return fmt.Errorf("director: %w", err)
	}
	_ = genserver.Stop(dir, process.Normal, time.Second)
	left := node.Stats().Processes // everything the demo started, gone?

	why := "duration elapsed"
	var exit *app.ExitError
	switch {
	case errors.As(runErr, &exit):
		why = fmt.Sprintf("%s exited: %s", exit.Part, process.FormatReason(exit.Reason))
	case ctx.Err() != nil:
		why = "interrupted"
	}
	seq := "root"
	if rep.stopSeq != "" {
		seq = rep.stopSeq + ", root"
	}
	var b strings.Builder
	b.WriteString(rep.frame)
	b.WriteString("\n" + wrap(fmt.Sprintf("stopping (%s), in reverse start order: %s … done in %v",
		why, seq, took.Round(10*time.Microsecond)), width, "  ") + "\n")
	if rep.lookups > 0 {
		fmt.Fprintf(&b, "name lookups after an agent restart: %d, %d of them stale\n", rep.lookups, rep.stale)
	}
	fmt.Fprintf(&b, "supervised sends: %d, handled: %d; dead letters stored: %d\n",
		rep.jobs, rep.handled, msg.stored)
	if msg.damage != "" {
		b.WriteString(wrap("  warning: "+msg.damage, width, "    ") + "\n")
	}
	switch {
	case cfg.DataDir != "" && cfg.DataRemoved:
		b.WriteString("  in a temporary directory, removed now (--keep-data keeps it, --data DIR picks one)\n")
	case cfg.DataDir != "":
		fmt.Fprintf(&b, "  list them: orchard deadletters list --data %s\n", cfg.DataDir)
	}
	fmt.Fprintf(&b, "summary: crashes injected: %d, restarts seen: %d, processes left: %d\n",
		rep.injected, rep.restarts, left)
	_, werr := io.WriteString(w, b.String())
	if werr == nil && runErr == nil && ctx.Err() == nil {
		werr = runAgentSystem(ctx, w, cfg.CrashEvery > 0) // the agent-system act (agentsys.go)
	}
	switch {
	case runErr != nil:
		return runErr
	case left != 0:
		return fmt.Errorf("%s still alive after the application stopped", plural(left, "process", "processes"))
	case rep.werr != nil:
		return rep.werr
	}
	return werr
}

// demoSpec is the demo application: one tree whose root (one_for_one)
// holds, in start order, the agents supervisor (its agents named in reg)
// and the pipeline supervisor; then a services tree (a health monitor, a
// service monitor of the pipeline's stages and the dead-letter queue's
// retrier), which starts last and stops first. Every supervisor publishes
// its events on tel.
func demoSpec(node *process.Node, reg *registry.Registry, tel *telemetry.Registry, msg *messaging, hook func(supervisor.Event)) app.Spec {
	services := append(healthChildren(node, tel, stageNames),
		supervisor.ChildSpec{ID: "deadletter-retrier", Start: msg.letters.StartRetrierLink})
	opts := []supervisor.Option{bridge.SupervisorEvents(tel), supervisor.WithEventHook(hook), supervisor.WithLogger(discard)}
	root := supervisor.Spec{
		Flags: supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 10, Period: 5 * time.Second},
		Children: []supervisor.ChildSpec{
			agentsChild(reg, opts),
			pipelineChild(opts),
		},
	}
	return app.Spec{
		Name: "orchard-demo",
		Parts: []app.Part{
			// Named, so that the metrics label the trees "root",
			// "root/pipeline", "services" (never by PID).
			{Name: "root", Tree: root, TreeOptions: append(slices.Clip(opts), supervisor.WithName(rootName))},
			{
				Name:        "services",
				Tree:        supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: services},
				TreeOptions: []supervisor.Option{bridge.SupervisorEvents(tel), supervisor.WithLogger(discard), supervisor.WithName(servicesTreeName)},
			},
		},
	}
}

// The registered names of the demo's two trees.
const (
	rootName         = "root"
	servicesTreeName = "services"
)

// stopNode stops the node, bounded by stopBudget. Normally the
// application has stopped every process by then, and this only releases
// the node's workers.
func stopNode(node *process.Node) error {
	ctx, cancel := context.WithTimeout(context.Background(), stopBudget)
	defer cancel()
	if err := node.Stop(ctx); err != nil && !errors.Is(err, process.ErrStopped) {
		return fmt.Errorf("stopping the node: %w", err)
	}
	return nil
}

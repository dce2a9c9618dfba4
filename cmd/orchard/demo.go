package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// defaultTick is the clock's period in `orchard demo`.
const defaultTick = 200 * time.Millisecond

// stopBudget bounds the node's Stop at the end of the demo.
const stopBudget = 5 * time.Second

// demoConfig configures one run of the demo.
type demoConfig struct {
	// Duration is how long the node runs before the demo stops it.
	Duration time.Duration
	// Tick is the clock's period; every tick makes one transfer and one job.
	Tick time.Duration
	// Quiet suppresses the event lines; the summary is still printed.
	Quiet bool
}

// demoStats are the counters the summary prints. The processes update
// them concurrently.
type demoStats struct {
	calls, failedCalls atomic.Int64
	ticks, crashes     atomic.Int64
	restarts           atomic.Int64
}

// narrator prints one line per event, prefixed with the time since the
// demo started. It is safe for concurrent use.
type narrator struct {
	mu    sync.Mutex // protects w and err
	w     io.Writer
	err   error // first write error
	quiet bool
	start time.Time
}

// event prints what process who (pid) did, unless the demo is quiet.
func (n *narrator) event(who string, pid process.PID, format string, args ...any) {
	if n.quiet {
		return
	}
	n.printf("%7.3fs  %-7s %-7v %s\n", time.Since(n.start).Seconds(), who, pid, fmt.Sprintf(format, args...))
}

// say prints a line that is shown even in quiet mode.
func (n *narrator) say(format string, args ...any) {
	n.printf(format+"\n", args...)
}

func (n *narrator) printf(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := fmt.Fprintf(n.w, format, args...); err != nil && n.err == nil {
		n.err = err
	}
}

// call is genserver.Call with the demo's bookkeeping: every call is
// counted, and failed ones too.
func call[R any](ctx context.Context, st *demoStats, dest process.Dest, req any) (R, error) {
	st.calls.Add(1)
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	r, err := genserver.Call[R](ctx, dest, req)
	if err != nil {
		st.failedCalls.Add(1)
	}
	return r, err
}

// demo is one running demo: its node, the PIDs of its servers, and what
// it has seen.
type demo struct {
	cfg    demoConfig
	log    *narrator
	stats  demoStats
	node   *process.Node
	ledger process.PID
	bank   process.PID
}

// runDemo starts a node with a ledger, a bank, a teller, a clock and a
// crash-prone worker kept alive by a keeper process, narrates what they do
// on w, and after cfg.Duration (or when ctx is done) stops the node with a
// bounded context and prints a summary. It returns an error if the node
// could not start its servers or did not stop cleanly.
func runDemo(ctx context.Context, w io.Writer, cfg demoConfig) error {
	if cfg.Duration <= 0 {
		cfg.Duration = 5 * time.Second
	}
	if cfg.Tick <= 0 {
		cfg.Tick = defaultTick
	}
	node, err := process.NewNode()
	if err != nil {
		return err
	}
	d := &demo{cfg: cfg, node: node, log: &narrator{w: w, quiet: cfg.Quiet, start: time.Now()}}
	d.log.say("orchard demo: node %d, GOMAXPROCS=%d, running for %v (Ctrl-C stops earlier)",
		node.ID(), runtime.GOMAXPROCS(0), cfg.Duration)
	if err := d.startServers(); err != nil {
		_ = d.stopNode()
		return err
	}

	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	<-runCtx.Done()
	cancel()
	why := "duration elapsed"
	if ctx.Err() != nil {
		why = "interrupted"
	}
	d.log.say("orchard demo: %s after %.1fs; checking the books and stopping the node",
		why, time.Since(d.log.start).Seconds())
	books := d.checkBooks()
	stopErr := d.stopNode()
	d.summary(books)
	if stopErr != nil {
		return stopErr
	}
	if left := node.Stats().Processes; left != 0 {
		return fmt.Errorf("%d processes still alive after stop", left)
	}
	return d.log.err
}

// startServers starts the processes in dependency order: a server is
// started before the ones that call it.
func (d *demo) startServers() error {
	var err error
	if d.ledger, err = genserver.Start(d.node, &ledger{log: d.log}, genserver.WithName("ledger")); err != nil {
		return fmt.Errorf("starting ledger: %w", err)
	}
	b := &bank{log: d.log, stats: &d.stats, ledger: d.ledger, balances: openingBalances()}
	if d.bank, err = genserver.Start(d.node, b, genserver.WithName("bank")); err != nil {
		return fmt.Errorf("starting bank: %w", err)
	}
	ready := make(chan error, 1)
	if _, err = d.node.Spawn(keeper(d.log, &d.stats, ready)); err != nil {
		return fmt.Errorf("starting keeper: %w", err)
	}
	if err := <-ready; err != nil {
		return fmt.Errorf("starting worker: %w", err)
	}
	t := &teller{log: d.log, stats: &d.stats, bank: d.bank}
	tellerPID, err := genserver.Start(d.node, t, genserver.WithName("teller"))
	if err != nil {
		return fmt.Errorf("starting teller: %w", err)
	}
	c := &clock{log: d.log, stats: &d.stats, every: d.cfg.Tick, to: tellerPID}
	if _, err = genserver.Start(d.node, c, genserver.WithName("clock")); err != nil {
		return fmt.Errorf("starting clock: %w", err)
	}
	return nil
}

// books is what the bank and the ledger say at the end.
type books struct {
	total, entries int
	err            error
}

// checkBooks asks the bank for its total and the ledger for its size;
// transfers move money, so the total must still be the opening one.
func (d *demo) checkBooks() books {
	var bk books
	ctx := context.Background()
	bk.total, bk.err = genserver.Call[int](ctx, d.bank, totalReq{})
	if bk.err == nil {
		bk.entries, bk.err = genserver.Call[int](ctx, d.ledger, countReq{})
	}
	return bk
}

// stopNode stops the node, bounded by stopBudget.
func (d *demo) stopNode() error {
	ctx, cancel := context.WithTimeout(context.Background(), stopBudget)
	defer cancel()
	t0 := time.Now()
	err := d.node.Stop(ctx)
	d.log.say("orchard demo: node stopped in %v", time.Since(t0).Round(time.Microsecond))
	if err != nil && !errors.Is(err, process.ErrStopped) {
		return fmt.Errorf("stopping node: %w", err)
	}
	return nil
}

func (d *demo) summary(bk books) {
	st := &d.stats
	d.log.say("summary: %d ticks, %d calls made (%d failed), %d crashes seen, %d restarts",
		st.ticks.Load(), st.calls.Load(), st.failedCalls.Load(), st.crashes.Load(), st.restarts.Load())
	switch opening := totalOf(openingBalances()); {
	case bk.err != nil:
		d.log.say("summary: books not checked: %v", bk.err)
	case bk.total == opening:
		d.log.say("summary: bank total %d (conserved), %d ledger entries", bk.total, bk.entries)
	default:
		d.log.say("summary: bank total %d, want %d: MONEY LOST", bk.total, opening)
	}
	s := d.node.Stats()
	d.log.say("summary: processes at exit: %d, zombies: %d, dropped messages: %d",
		s.Processes, s.Zombies, s.DroppedMessages)
}

package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Messages of the director.
type (
	// begin (cast) starts the show once the application is up: the
	// first frame, then the frame and crash timers.
	begin struct{}
	// frameTick and crashTick are the director's timer messages.
	frameTick struct{}
	crashTick struct{}
	// finishReq (call) ends the show after the application stopped; the
	// reply is a finalReport.
	finishReq struct{}
)

// finalReport is what the director hands back at the end.
type finalReport struct {
	frame    string // the last frame, ready to write
	stopSeq  string // the shutdown order, from the events
	injected int    // crashes injected
	restarts int    // children restarted
	jobs     int    // supervised sends made
	handled  int    // ... confirmed handled by their agent
	lookups  int    // whereis after an agent's restart
	stale    int    // ... that did not return the new PID
	werr     error  // the first error writing a frame
}

// maxEvents bounds the event lines the director keeps.
const maxEvents = 64

// director runs the show, outside the application it watches: it
// receives every supervisor event (the hooks send them here), keeps the
// tree view up to date, injects a crash every cfg.CrashEvery and draws a
// frame every cfg.Refresh. Its state is owned by its process; no locks.
type director struct {
	cfg  demoConfig
	w    io.Writer
	werr error // first write error
	// run is the application's run context: once it is done the app
	// is stopping, and the director neither crashes nor draws anything.
	run context.Context
	// reg is the registry the agents are named in.
	reg *registry.Registry
	// msg sends jobs to agents with supervised send; couriers holds the
	// processes doing it, until they report.
	msg      *messaging
	couriers map[process.PID]bool
	// banner is a line the header shows (the HTTP address), if any.
	banner string
	tree   *tree
	chaos  *chaos
	start  time.Time

	events      []string // event lines, oldest first
	shown       int      // how many of events the last frame showed (pipes)
	frames      int
	lastVersion int
	finished    bool

	injected, lookups, stale, jobs, handled int
}

func (d *director) Init(s *genserver.Self) error {
	d.couriers = map[process.PID]bool{}
	d.tree = newTree()
	d.chaos = newChaos(d.cfg.Seed)
	d.start = time.Now()
	return nil
}

func (d *director) HandleCast(s *genserver.Self, msg any) error {
	if _, ok := msg.(begin); !ok {
		return nil
	}
	d.start = time.Now()
	d.draw(s)
	// One job for an agent that no longer exists: it ends as a dead letter
	// (not with --no-crash, which makes the run uneventful).
	if !d.cfg.SkipDeadLetter {
		d.sendJob(s, retiredAgent)
	}
	if _, err := s.SendAfter(s.PID(), frameTick{}, d.cfg.Refresh); err != nil {
		return err
	}
	if d.cfg.CrashEvery > 0 {
		// The first crash comes after half a period, so that crashes fall
		// between frames and each frame shows the restarts complete.
		_, err := s.SendAfter(s.PID(), crashTick{}, d.cfg.CrashEvery/2)
		return err
	}
	return nil
}

func (d *director) HandleInfo(s *genserver.Self, msg any) error {
	switch m := msg.(type) {
	case supervisor.Event:
		ep, line := d.tree.apply(m)
		if line != "" {
			d.log(line)
		}
		if ep != nil {
			d.log(ep.line())
			d.checkNames(s, ep)
		}
	case delivered:
		d.handled++
		d.log(m.line())
	case sendDone:
		delete(d.couriers, m.pid)
		if line := m.line(); line != "" {
			d.log(line)
		}
	case frameTick:
		if d.finished || d.run.Err() != nil {
			return nil
		}
		d.draw(s)
		_, err := s.SendAfter(s.PID(), frameTick{}, d.cfg.Refresh)
		return err
	case crashTick:
		if d.finished || d.run.Err() != nil {
			return nil
		}
		if victim := d.chaos.pick(d.tree); victim != nil {
			d.injected++
			_ = d.chaos.strike(s.Proc, victim.pid)
			if victim.parent != nil && victim.parent.id == agentsID {
				// Sent right after the crash: the first attempt finds the
				// agent dead or restarting, a retry reaches its successor.
				d.sendJob(s, victim.id)
			}
		}
		_, err := s.SendAfter(s.PID(), crashTick{}, d.cfg.CrashEvery)
		return err
	}
	return nil
}

func (d *director) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	if _, ok := req.(finishReq); !ok {
		return nil, fmt.Errorf("director: unknown request %T", req)
	}
	d.finished = true
	for pid := range d.couriers { // sends still retrying: the show is over
		_ = s.Exit(pid, process.Kill)
	}
	d.tree.stopped()
	frame := d.frame(s)
	if d.cfg.Terminal {
		frame = redraw(frame, d.frames == 0) + "\n"
	} else if d.frames > 0 {
		frame = "\n" + frame
	}
	return finalReport{
		frame: frame, stopSeq: d.tree.stopSequence(),
		injected: d.injected, restarts: d.tree.restarts,
		jobs: d.jobs, handled: d.handled,
		lookups: d.lookups, stale: d.stale, werr: d.werr,
	}, nil
}

// sendJob starts a courier that sends the next job to the agent named to.
func (d *director) sendJob(s *genserver.Self, to string) {
	if d.msg == nil {
		return
	}
	d.jobs++
	if pid, err := d.msg.courier(s.Proc, d.reg, to, d.jobs); err == nil {
		d.couriers[pid] = true
	}
}

// checkNames looks up, in the registry, every agent the episode
// restarted: each was registered under its name before its Init, and the
// old process's entry went when it died, so the lookup must return the
// PID its supervisor just reported.
func (d *director) checkNames(s *genserver.Self, ep *episode) {
	for _, m := range ep.started {
		if m.parent == nil || m.parent.id != agentsID {
			continue
		}
		d.lookups++
		pid, ok := d.reg.WhereIs(m.id)
		switch {
		case !ok:
			d.stale++
			d.log(fmt.Sprintf("  whereis %s: not registered", m.id))
		case pid == m.pid:
			d.log(fmt.Sprintf("  whereis %s → %v, its new pid", m.id, pid))
		default:
			d.stale++
			d.log(fmt.Sprintf("  whereis %s → %v, STALE: the new pid is %v", m.id, pid, m.pid))
		}
	}
}

// log adds an event line, stamped with the time since the show began.
func (d *director) log(line string) {
	d.events = append(d.events, fmt.Sprintf("%5.1fs  %s", time.Since(d.start).Seconds(), line))
	if over := len(d.events) - maxEvents; over > 0 {
		d.events = d.events[over:]
		d.shown = max(0, d.shown-over)
	}
	d.tree.version++
}

// draw writes a frame: in place on a terminal, else after a blank line.
// With --quiet, a frame with no change since the last one is skipped.
func (d *director) draw(s *genserver.Self) {
	if d.cfg.Quiet && d.frames > 0 && d.tree.version == d.lastVersion {
		return
	}
	frame := d.frame(s)
	switch {
	case d.cfg.Terminal:
		frame = redraw(frame, d.frames == 0)
	case d.frames > 0:
		frame = "\n" + frame
	}
	d.frames++
	d.write(frame)
}

// frame renders the current tree with the events a frame shows: on a
// terminal the last few; on a pipe the ones since the previous frame, so
// that none is lost.
func (d *director) frame(s *genserver.Self) string {
	d.lastVersion = d.tree.version
	events := d.events[d.shown:]
	if d.cfg.Terminal {
		events = lastRows(d.events, d.cfg.Events, d.cfg.Width)
	}
	d.shown = len(d.events)
	quiet := "(none since the last frame)"
	if d.cfg.Terminal || d.frames == 0 {
		quiet = "(none yet)"
	}
	node := s.Node()
	return renderFrame(d.tree, frameData{
		header:     d.header(),
		hideEvents: d.finished && d.cfg.Terminal,
		names:      d.reg.Count(),
		msgs: func(pid process.PID) (uint64, bool) {
			info, err := node.Info(pid)
			return info.MessagesHandled, err == nil
		},
		events:     events,
		noEvents:   quiet,
		eventWidth: d.cfg.Width,
	})
}

func (d *director) header() string {
	elapsed := fmt.Sprintf("%.1fs", time.Since(d.start).Seconds())
	if d.cfg.Duration > 0 {
		elapsed += " of " + d.cfg.Duration.String()
	}
	crash := "no crashes"
	if d.cfg.CrashEvery > 0 {
		crash = "a crash every " + d.cfg.CrashEvery.String()
	}
	h := fmt.Sprintf("orchard demo · seed %d · %s · %s · Ctrl-C stops", d.cfg.Seed, elapsed, crash)
	if d.banner != "" {
		h += "\n" + d.banner
	}
	return h
}

func (d *director) write(s string) {
	if _, err := io.WriteString(d.w, s); err != nil && d.werr == nil {
		d.werr = err
	}
}

// lastRows returns the last events that fit in rows lines once wrapped
// at width columns.
func lastRows(events []string, rows, width int) []string {
	i := len(events)
	for i > 0 {
		n := strings.Count(wrapEvent(events[i-1], width), "\n") + 1
		if n > rows {
			break
		}
		rows -= n
		i--
	}
	return events[i:]
}

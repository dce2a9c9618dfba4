package process

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ZombieInfo describes a process that was killed while its goroutine was
// running and has not returned yet. Go cannot stop a goroutine from
// outside: the process is dead for everyone else, but its code still runs
// until it notices its context.
type ZombieInfo struct {
	PID       PID
	Behaviour string
	Reason    error
	Since     time.Time
	// Stack is the goroutine's current entry in a dump of all goroutines
	// (runtime.Stack): its state, how long it has waited, its frames. If
	// the goroutine moved on between the two dumps the report reads, it
	// is its frames from the goroutine profile, one "function file:line"
	// per line. Empty when the goroutine could not be found (see
	// "Zombies" in the package documentation).
	Stack string
}

type zombieEntry struct {
	info     ZombieInfo
	proc     *Proc
	worker   uint64 // serial of the worker running the process
	released bool   // the goroutine returned before the kill was recorded
	timer    *time.Timer
}

type zombieSet struct {
	mu sync.Mutex // protects m
	m  map[*Proc]*zombieEntry
}

func (z *zombieSet) init() { z.m = make(map[*Proc]*zombieEntry) }

// add records p as a zombie; release undoes it. The two can come in either
// order, since the dying and the running goroutine race.
func (z *zombieSet) add(p *Proc, reason error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if e, ok := z.m[p]; ok && e.released {
		delete(z.m, p)
		return
	}
	e := &zombieEntry{
		info:   ZombieInfo{PID: p.pid, Behaviour: p.behaviourName(), Reason: reason, Since: time.Now()},
		proc:   p,
		worker: p.worker.Load(),
	}
	n := p.node
	e.timer = time.AfterFunc(n.cfg.zombieGrace, func() {
		z.mu.Lock()
		cur, still := z.m[p]
		z.mu.Unlock()
		if still && cur == e {
			n.publishZombie(z.describe(e, new(stackDumps)))
		}
	})
	z.m[p] = e
}

func (z *zombieSet) release(p *Proc) {
	z.mu.Lock()
	defer z.mu.Unlock()
	e, ok := z.m[p]
	if !ok {
		z.m[p] = &zombieEntry{released: true}
		return
	}
	if e.timer != nil {
		e.timer.Stop()
	}
	delete(z.m, p)
}

func (z *zombieSet) count() int {
	z.mu.Lock()
	defer z.mu.Unlock()
	c := 0
	for _, e := range z.m {
		if !e.released {
			c++
		}
	}
	return c
}

func (z *zombieSet) describe(e *zombieEntry, d *stackDumps) ZombieInfo {
	info := e.info
	w := e.worker
	if w == 0 && e.proc != nil {
		// Killed before its worker recorded itself: look again.
		w = e.proc.worker.Load()
	}
	info.Stack = d.workerStack(w)
	return info
}

// Zombies lists the node's zombies, oldest first, each with its current
// stack (none for a nil node). Safe from any goroutine.
func (n *Node) Zombies() []ZombieInfo {
	if n.unusable() {
		return nil
	}
	n.zombies.mu.Lock()
	entries := make([]*zombieEntry, 0, len(n.zombies.m))
	for _, e := range n.zombies.m {
		if !e.released {
			entries = append(entries, e)
		}
	}
	n.zombies.mu.Unlock()
	out := make([]ZombieInfo, 0, len(entries))
	var d stackDumps // taken once for all the zombies
	for _, e := range entries {
		out = append(out, n.zombies.describe(e, &d))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out
}

// stackDumps finds a worker goroutine's stack. A worker is known by its
// number, which it carries as a pprof label (workerLabel); the goroutine
// profile shows labels but not a goroutine's state, the goroutine dump
// shows the state but not labels. So the profile finds the worker's
// frames, and the dump the goroutine with the same frames, whose entry
// (its state, how long it has waited, its arguments) is the stack
// reported. Both dumps are taken on first use and shared by the zombies
// of one report.
type stackDumps struct {
	profile, goroutines [][]byte // blocks of the two dumps
}

// workerStack returns the current stack of worker serial ("" if none).
func (d *stackDumps) workerStack(serial uint64) string {
	if serial == 0 {
		return ""
	}
	if d.profile == nil {
		var buf bytes.Buffer
		if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
			return ""
		}
		d.profile = bytes.Split(buf.Bytes(), []byte("\n\n"))
	}
	block := workerBlock(d.profile, serial)
	if block == nil {
		return ""
	}
	want := profileFrames(block)
	if d.goroutines == nil {
		buf := make([]byte, 1<<20)
		d.goroutines = bytes.Split(buf[:runtime.Stack(buf, true)], []byte("\n\n"))
	}
	for _, g := range d.goroutines {
		if slices.Equal(dumpFrames(g), want) {
			return string(g)
		}
	}
	// The worker moved between the two dumps: its frames, from the
	// profile.
	return strings.Join(want, "\n")
}

// workerBlock returns the goroutine profile's record of worker serial: the
// one with its label that runs a worker's loop. A goroutine started by
// process code inherits the worker's labels too, but not its loop.
func workerBlock(profile [][]byte, serial uint64) []byte {
	label := []byte(strconv.Quote(workerLabel) + ":" + strconv.Quote(strconv.FormatUint(serial, 10)))
	for _, b := range profile {
		if bytes.Contains(b, label) && bytes.Contains(b, workerLoopFrame) {
			return b
		}
	}
	return nil
}

// workerLoopFrame is how the worker's loop appears in both dumps.
var workerLoopFrame = []byte("/process.(*worker).loop")

// profileFrames returns the "function file:line" of a profile record's
// frames ("#\tPC\tfunction+offset\tfile:line"), runtime frames left out.
func profileFrames(block []byte) []string {
	var out []string
	for _, line := range strings.Split(string(block), "\n") {
		// Tab-separated, padded with more tabs (a tabwriter's output).
		f := strings.FieldsFunc(line, func(r rune) bool { return r == '\t' })
		if len(f) != 4 || f[0] != "#" {
			continue
		}
		fn, _, _ := strings.Cut(f[2], "+0x")
		if !isRuntimeFrame(fn) {
			out = append(out, fn+" "+f[3])
		}
	}
	return out
}

// dumpFrames returns the "function file:line" of a goroutine dump entry's
// frames (a "function(args)" line, then "\tfile:line +offset"), runtime
// frames and the "created by" frame left out.
func dumpFrames(entry []byte) []string {
	var out []string
	lines := strings.Split(string(entry), "\n")
	for i := 1; i+1 < len(lines); i += 2 { // lines[0] is "goroutine N [state]:"
		call, at := lines[i], strings.TrimSpace(lines[i+1])
		if strings.HasPrefix(call, "created by ") {
			break
		}
		fn := call
		if k := strings.LastIndexByte(call, '('); k > 0 {
			fn = call[:k] // drop the arguments
		}
		at, _, _ = strings.Cut(at, " ")
		if !isRuntimeFrame(fn) {
			out = append(out, fn+" "+at)
		}
	}
	return out
}

func isRuntimeFrame(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/runtime/")
}

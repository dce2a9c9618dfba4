package process

import (
	"bytes"
	"runtime/pprof"
	"sort"
	"strconv"
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
	// Stack is the goroutine's current stack, when it could be found.
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
		info:   ZombieInfo{PID: p.pid, Behaviour: p.behaviour, Reason: reason, Since: time.Now()},
		proc:   p,
		worker: p.worker.Load(),
	}
	n := p.node
	e.timer = time.AfterFunc(n.cfg.zombieGrace, func() {
		z.mu.Lock()
		cur, still := z.m[p]
		z.mu.Unlock()
		if still && cur == e {
			n.publish(ZombieDetected{Zombie: z.describe(e)})
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

func (z *zombieSet) describe(e *zombieEntry) ZombieInfo {
	info := e.info
	w := e.worker
	if w == 0 && e.proc != nil {
		// Killed before its worker recorded itself: look again.
		w = e.proc.worker.Load()
	}
	info.Stack = workerStack(w)
	return info
}

// Zombies lists the node's zombies, oldest first, each with its current
// stack. Safe from any goroutine.
func (n *Node) Zombies() []ZombieInfo {
	n.zombies.mu.Lock()
	entries := make([]*zombieEntry, 0, len(n.zombies.m))
	for _, e := range n.zombies.m {
		if !e.released {
			entries = append(entries, e)
		}
	}
	n.zombies.mu.Unlock()
	out := make([]ZombieInfo, 0, len(entries))
	for _, e := range entries {
		out = append(out, n.zombies.describe(e))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out
}

// workerStack returns the stack of the worker goroutine numbered serial,
// found by its label in the goroutine profile ("" if it has ended).
func workerStack(serial uint64) string {
	if serial == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return ""
	}
	label := []byte(strconv.Quote(workerLabel) + ":" + strconv.Quote(strconv.FormatUint(serial, 10)))
	for _, g := range bytes.Split(buf.Bytes(), []byte("\n\n")) {
		if bytes.Contains(g, label) {
			return string(g)
		}
	}
	return ""
}

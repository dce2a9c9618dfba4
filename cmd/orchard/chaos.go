package main

import (
	"errors"
	"math/rand/v2"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// The chaos monkey's three ways to crash a worker. Every worker of the
// demo passes its casts and plain messages through crashOn.
type (
	// chaosPanic, sent with genserver.Cast, makes HandleCast panic.
	chaosPanic struct{}
	// chaosError, sent as a plain message, makes HandleInfo return
	// errInjected.
	chaosError struct{}
)

// errInjected is the exit reason of a worker crashed with chaosError.
var errInjected = errors.New("chaos: injected error")

// crashOn panics on chaosPanic and returns errInjected on chaosError; it
// returns nil for every other message.
func crashOn(msg any) error {
	switch msg.(type) {
	case chaosPanic:
		panic("chaos: injected panic")
	case chaosError:
		return errInjected
	}
	return nil
}

// crashKind names how a process died, for the crash lines: panic, error,
// kill, or the exit reason as Erlang prints it.
func crashKind(reason error) string {
	var pe *process.PanicError
	switch {
	case errors.As(reason, &pe):
		return "panic"
	case errors.Is(reason, errInjected):
		return "error"
	case errors.Is(reason, process.Killed):
		return "kill"
	}
	return process.FormatReason(reason)
}

// chaos picks the victims. Its random source is seeded, so a seed
// replays the same sequence of choices (the timing of the rest of the
// demo is real and varies).
type chaos struct {
	rng *rand.Rand
}

func newChaos(seed int64) *chaos {
	// PCG's first outputs for small, nearby seeds are alike; mixing the
	// seed first makes seeds 1, 2, 3 ... give unrelated sequences.
	return &chaos{rng: rand.New(rand.NewPCG(splitmix(uint64(seed)), splitmix(^uint64(seed))))}
}

// splitmix is SplitMix64's finalizer, a cheap bijective bit mixer.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// pick chooses a running worker of the tree: an agent or a pipeline
// stage, half of the time each. It returns nil when the chosen worker is
// not running.
func (c *chaos) pick(t *tree) *member {
	var group []*member
	if c.rng.IntN(2) == 0 {
		group = t.byID[agentsID].children
	} else {
		group = t.byID[pipelineID].children
	}
	m := group[c.rng.IntN(len(group))]
	if m.status != running || m.pid.IsZero() {
		return nil
	}
	return m
}

// strike crashes the process pid from the process self: a panic (cast),
// an error (plain message) or, one time in six, an untrappable Kill.
func (c *chaos) strike(self *process.Proc, pid process.PID) error {
	switch r := c.rng.IntN(12); {
	case r < 2:
		return self.Exit(pid, process.Kill)
	case r < 7:
		return genserver.Cast(pid, chaosPanic{})
	default:
		return self.Send(pid, chaosError{})
	}
}

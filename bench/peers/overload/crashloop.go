package overload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// CrashLoopResult is the crash-loop benchmark's outcome for one setting.
type CrashLoopResult struct {
	Setting      string  `json:"setting"`
	Starts       int64   `json:"starts"`
	CPUPerMinute float64 `json:"cpu_s_per_minute"` // CPU seconds burnt per minute of fault
	HealthyMS    float64 `json:"healthy_ms"`       // from the fault clearing to the child running
}

type idleServer struct{}

func (idleServer) Init(*genserver.Self) error { return nil }

// CrashLoop runs a child whose start fails at once for fault, then clears
// the fault and times how long until the child runs again. The
// supervisor's intensity is high enough (math.MaxInt32 restarts a minute)
// never to be reached: the question is what the loop costs. backoff nil
// is OTP's immediate restart.
func CrashLoop(fault time.Duration, backoff *supervisor.Backoff) (CrashLoopResult, error) {
	r := CrashLoopResult{Setting: "no backoff (OTP)"}
	if backoff != nil {
		r.Setting = fmt.Sprintf("backoff %v..%v", backoff.Initial, backoff.Max)
	}
	node, err := process.NewNode()
	if err != nil {
		return r, err
	}
	defer func() { _ = node.Stop(context.Background()) }()
	var failing atomic.Bool
	var starts atomic.Int64
	healthy := make(chan struct{}, 1)
	start := func(p *process.Proc) (process.PID, error) {
		starts.Add(1)
		if failing.Load() {
			return process.PID{}, errors.New("fault")
		}
		pid, err := genserver.StartLink(p, idleServer{})
		if err == nil {
			select {
			case healthy <- struct{}{}:
			default:
			}
		}
		return pid, err
	}
	sup, err := supervisor.Start(node, supervisor.Spec{
		Flags:    supervisor.Flags{MaxRestarts: math.MaxInt32, Period: time.Minute},
		Children: []supervisor.ChildSpec{{ID: "c", Start: start, Backoff: backoff}},
	}, supervisor.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return r, err
	}
	<-healthy
	kids, err := supervisor.WhichChildren(context.Background(), sup)
	if err != nil {
		return r, err
	}
	starts.Store(0)
	failing.Store(true)
	cpu0 := cpuTime()
	if err := node.Exit(kids[0].PID, process.Kill); err != nil {
		return r, err
	}
	time.Sleep(fault)
	cpu := cpuTime() - cpu0
	r.Starts = starts.Load()
	r.CPUPerMinute = cpu.Seconds() * float64(time.Minute) / float64(fault)
	cleared := time.Now()
	failing.Store(false)
	for deadline := time.Now().Add(drainTimeout); ; {
		select {
		case <-healthy:
		case <-time.After(10 * time.Millisecond):
			if _, err := supervisor.CountChildren(context.Background(), sup); err != nil {
				return r, fmt.Errorf("crash loop: the supervisor gave up: %w", err)
			}
			if time.Now().After(deadline) {
				return r, errors.New("crash loop: child not healthy")
			}
			continue
		}
		break
	}
	r.HealthyMS = float64(time.Since(cleared).Microseconds()) / 1000
	return r, supervisor.Stop(sup, nil, time.Minute)
}

// cpuTime returns the CPU time the program has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

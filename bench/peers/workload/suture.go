package workload

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/thejerf/suture/v4"
)

// Suture runs the supervision workloads (W5, W6) on suture v4.0.6. Suture
// supervises goroutines (Services); it has no processes, mailboxes,
// calls or names, so W1–W4 and W7 do not apply, and every Add is a round
// trip to the supervisor, so W6a does not either.
type Suture struct{}

// Name returns "suture".
func (Suture) Name() string { return "suture" }

// NA says why suture cannot run w.
func (Suture) NA(w Workload) string {
	switch w {
	case W5, W6:
		return ""
	case W6a:
		return "every Add is a round trip to the supervisor goroutine (that is W6)"
	case W4:
		return "supervisors only: no processes to spawn outside a supervisor (W6 covers starting services)"
	case W7:
		return "supervisors only: no name registry"
	}
	return "supervisors only: no messaging between services"
}

// sutureSpec turns off suture's defaults that would distort a restart
// benchmark: the 15 s backoff after 5 failures (FailureThreshold) and the
// log line per event (EventHook).
func sutureSpec() suture.Spec {
	return suture.Spec{
		EventHook:        func(suture.Event) {},
		FailureThreshold: 1e12,
		FailureDecay:     1,
		FailureBackoff:   time.Millisecond,
		Timeout:          10 * time.Second,
	}
}

// Run runs w at scale s.
func (su Suture) Run(w Workload, s Scale) ([]Metric, error) {
	switch w {
	case W5:
		return su.restart(s.Restarts)
	case W6:
		return warm(func() ([]Metric, error) { return su.dynamic(s.Children) })
	}
	return nil, errNoWorkload(su, w)
}

// sutureCrasher signals ready each time Serve starts and returns an error
// (a crash) when kicked.
type sutureCrasher struct {
	ready chan chan struct{}
}

func (c *sutureCrasher) Serve(ctx context.Context) error {
	kick := make(chan struct{})
	c.ready <- kick
	select {
	case <-kick:
		return errCrash
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (Suture) restart(crashes int) ([]Metric, error) {
	sup := suture.New("restart", sutureSpec())
	c := &sutureCrasher{ready: make(chan chan struct{}, 1)}
	sup.Add(c)
	ctx, cancel := context.WithCancel(context.Background())
	errc := sup.ServeBackground(ctx)
	defer func() {
		cancel()
		<-errc
	}()
	kick := <-c.ready
	t := time.NewTimer(readyTimeout)
	defer t.Stop()
	t0 := time.Now()
	for i := range crashes {
		close(kick)
		t.Reset(readyTimeout)
		select {
		case kick = <-c.ready:
		case <-t.C:
			return nil, fmt.Errorf("restart %d: not restarted after %v", i, readyTimeout)
		}
	}
	d := time.Since(t0)
	return []Metric{{RestartUS, nsPer(d, crashes) / 1000}}, nil
}

// sutureIdle counts its starts and waits for its context.
type sutureIdle struct{ started, stopped *atomic.Int64 }

func (s sutureIdle) Serve(ctx context.Context) error {
	s.started.Add(1)
	<-ctx.Done()
	s.stopped.Add(1)
	return ctx.Err()
}

func (Suture) dynamic(k int) ([]Metric, error) {
	sup := suture.New("dynamic", sutureSpec())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := sup.ServeBackground(ctx)
	var started, stopped atomic.Int64
	svc := sutureIdle{started: &started, stopped: &stopped}
	total, ratio, err := timeStarts(k, func(int) error {
		sup.Add(svc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Add returns before the service runs; a start counts once Serve ran.
	t := time.Now()
	if err := waitCount(&started, int64(k), "dynamic: started"); err != nil {
		return nil, err
	}
	total += time.Since(t)
	t1 := time.Now()
	cancel()
	select {
	case <-errc:
	case <-time.After(waitTimeout):
		return nil, fmt.Errorf("dynamic: supervisor not stopped after %v", waitTimeout)
	}
	stopTime := time.Since(t1)
	if got := stopped.Load(); got != int64(k) {
		return nil, fmt.Errorf("dynamic: %d services stopped; want %d", got, k)
	}
	return []Metric{{ChildrenPerS, perSec(total, k)}, {Last10First10, ratio}, {StopMS, ms(stopTime)}}, nil
}

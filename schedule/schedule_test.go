package schedule_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
)

var ctx = context.Background()

func TestAfterDeliversOnceThenIsGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		rec := newRecorder(t)
		s := start(t, node, rec)
		sk := newSink(t, node)
		t0 := time.Now()
		id, err := s.After(ctx, 3*time.Second, sk.pid, "ping")
		if err != nil {
			t.Fatalf("After: %v", err)
		}
		if infos := list(t, s); len(infos) != 1 || infos[0].ID != id || infos[0].Kind != schedule.After ||
			!infos[0].Next.Equal(t0.Add(3*time.Second)) {
			t.Fatalf("List = %+v; want the After due at t0+3s", infos)
		}
		sk.wait(t, 1, time.Minute)
		got := sk.arrivals()
		if got[0].msg != "ping" || got[0].at.Sub(t0) != 3*time.Second {
			t.Errorf("arrival = %+v; want ping at t0+3s", got[0])
		}
		synctest.Wait()
		if infos := list(t, s); len(infos) != 0 {
			t.Errorf("List after firing = %+v; want empty", infos)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := len(sk.arrivals()); n != 1 {
			t.Errorf("%d arrivals after an hour; want 1", n)
		}
		if n := len(rec.of(schedule.EventAdded)); n != 1 {
			t.Errorf("%d added events; want 1", n)
		}
		if ev := rec.of(schedule.EventFired); len(ev) != 1 || ev[0].md["id"] != id {
			t.Errorf("fired events = %+v; want one for %s", ev, id)
		}
	})
}

func TestEveryRepeatsUntilCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		rec := newRecorder(t)
		s := start(t, node, rec)
		sk := newSink(t, node)
		t0 := time.Now()
		id, err := s.Every(ctx, time.Second, sk.pid, "tick")
		if err != nil {
			t.Fatalf("Every: %v", err)
		}
		sk.wait(t, 3, time.Minute)
		for i, a := range sk.arrivals() {
			if want := time.Duration(i+1) * time.Second; a.at.Sub(t0) != want {
				t.Errorf("arrival %d at t0+%v; want t0+%v", i, a.at.Sub(t0), want)
			}
		}
		if infos := list(t, s); len(infos) != 1 || infos[0].Runs != 3 {
			t.Errorf("List = %+v; want one schedule with 3 runs", infos)
		}
		if err := s.Cancel(ctx, id); err != nil {
			t.Fatalf("Cancel: %v", err)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := len(sk.arrivals()); n != 3 {
			t.Errorf("%d arrivals after Cancel; want 3", n)
		}
		if ev := rec.of(schedule.EventCancelled); len(ev) != 1 || ev[0].md["reason"] != schedule.ReasonCancel {
			t.Errorf("cancelled events = %+v; want one with reason cancel", ev)
		}
		pid, _ := s.PID()
		if info, err := node.Info(pid); err != nil || info.Timers != 0 {
			t.Errorf("scheduler Info = %+v, %v; want no timer left", info, err)
		}
		var nf *schedule.NotFoundError
		if err := s.Cancel(ctx, id); !errors.As(err, &nf) || nf.ID != id || !errors.Is(err, schedule.ErrNotFound) {
			t.Errorf("second Cancel = %v; want *NotFoundError for %s", err, id)
		}
	})
}

// TestEveryJitterStaysWithinBounds: every gap is the interval plus at
// most the jitter, and the jitter is not always zero.
func TestEveryJitterStaysWithinBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		s := start(t, node, nil)
		sk := newSink(t, node)
		const interval, jitter, runs = 10 * time.Second, 2 * time.Second, 50
		last := time.Now()
		if _, err := s.Every(ctx, interval, sk.pid, "tick", schedule.WithJitter(jitter)); err != nil {
			t.Fatalf("Every: %v", err)
		}
		sk.wait(t, runs, time.Hour)
		jittered := 0
		for i, a := range sk.arrivals()[:runs] {
			gap := a.at.Sub(last)
			if gap < interval || gap > interval+jitter {
				t.Errorf("gap %d = %v; want within [%v, %v]", i, gap, interval, interval+jitter)
			}
			if gap != interval {
				jittered++
			}
			last = a.at
		}
		if jittered == 0 {
			t.Errorf("no gap was jittered in %d runs", runs)
		}
	})
}

// TestCronFiresAtMatchingTimes: the bubble's clock starts at midnight
// UTC on 2000-01-01, so */5 fires at 00:05, 00:10, 00:15.
func TestCronFiresAtMatchingTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		s := start(t, node, nil)
		sk := newSink(t, node)
		start := time.Now().UTC().Truncate(5 * time.Minute)
		if _, err := s.Cron(ctx, "CRON_TZ=UTC */5 * * * *", sk.pid, "report"); err != nil {
			t.Fatalf("Cron: %v", err)
		}
		sk.wait(t, 3, time.Hour)
		for i, a := range sk.arrivals() {
			if want := start.Add(time.Duration(i+1) * 5 * time.Minute); !a.at.Equal(want) {
				t.Errorf("run %d at %v; want %v", i, a.at.UTC(), want)
			}
		}
	})
}

func TestCronDescriptors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		s := start(t, node, nil)
		sk := newSink(t, node)
		t0 := time.Now()
		if _, err := s.Cron(ctx, "@every 90s", sk.pid, "x"); err != nil {
			t.Fatalf("Cron(@every): %v", err)
		}
		if _, err := s.Cron(ctx, "@hourly", sk.pid, "y"); err != nil {
			t.Fatalf("Cron(@hourly): %v", err)
		}
		sk.wait(t, 1, time.Hour)
		if a := sk.arrivals()[0]; a.msg != "x" || a.at.Sub(t0) != 90*time.Second {
			t.Errorf("first arrival = %+v; want x after 90s", a)
		}
	})
}

func TestCronErrorsAreTyped(t *testing.T) {
	node := otptest.NewNode(t)
	s := start(t, node, nil)
	sk := newSink(t, node)
	tests := []struct {
		expr  string
		never bool
	}{
		{expr: ""},
		{expr: "* * * *"},
		{expr: "61 * * * *"},
		{expr: "* * * * * *"},
		{expr: "@fortnightly"},
		{expr: "@every banana"},
		{expr: "CRON_TZ=Mars/Olympus * * * * *"},
		{expr: "0 0 30 2 *", never: true},
	}
	for _, tc := range tests {
		_, err := s.Cron(ctx, tc.expr, sk.pid, "x")
		var ce *schedule.CronError
		if !errors.As(err, &ce) || ce.Expr != tc.expr {
			t.Errorf("Cron(%q) = %v; want *CronError with the expression", tc.expr, err)
			continue
		}
		if got := errors.Is(err, schedule.ErrNeverFires); got != tc.never {
			t.Errorf("Cron(%q): errors.Is(ErrNeverFires) = %v; want %v", tc.expr, got, tc.never)
		}
	}
	if infos := list(t, s); len(infos) != 0 {
		t.Errorf("List = %+v; want nothing scheduled", infos)
	}
}

// TestOwnerDeathCancels: schedules added from inside a process belong to
// it; its death cancels them all (one monitor for the owner), and no
// timer is left (otptest checks the node's timers at cleanup).
func TestOwnerDeathCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		rec := newRecorder(t)
		s := start(t, node, rec)
		sk := newSink(t, node)
		added := make(chan error, 1)
		owner, _ := node.Spawn(func(p *process.Proc) error {
			_, err1 := s.Every(p.Context(), time.Second, sk.pid, "a")
			_, err2 := s.Cron(p.Context(), "@every 1m", sk.pid, "b")
			added <- errors.Join(err1, err2)
			<-p.Done()
			return nil
		})
		if err := <-added; err != nil {
			t.Fatalf("adding from the owner: %v", err)
		}
		other, err := s.Every(ctx, time.Hour, sk.pid, "unowned")
		if err != nil {
			t.Fatal(err)
		}
		infos := list(t, s)
		owned := 0
		for _, in := range infos {
			if in.Owner == owner {
				owned++
			}
		}
		pid, _ := s.PID()
		info, _ := node.Info(pid)
		if owned != 2 || len(info.Monitors) != 1 || info.Monitors[0] != owner {
			t.Fatalf("owned = %d, monitors = %v; want 2 schedules, one monitor of %v", owned, info.Monitors, owner)
		}
		if err := node.Exit(owner, process.Kill); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if infos := list(t, s); len(infos) != 1 || infos[0].ID != other {
			t.Errorf("List after owner death = %+v; want only %s", infos, other)
		}
		ev := rec.of(schedule.EventCancelled)
		if len(ev) != 2 || ev[0].md["reason"] != schedule.ReasonOwnerDown || ev[1].md["reason"] != schedule.ReasonOwnerDown {
			t.Errorf("cancelled events = %+v; want two owner_down", ev)
		}
		info, _ = node.Info(pid)
		if len(info.Monitors) != 0 || info.Timers != 1 {
			t.Errorf("scheduler monitors %v, timers %d; want none, 1 (the unowned one)", info.Monitors, info.Timers)
		}
	})
}

func TestExplicitOwnerAndWithoutOwner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		s := start(t, node, nil)
		sk := newSink(t, node)
		owner := otptest.NewProbe(t, node)
		if _, err := s.Every(ctx, time.Second, sk.pid, "x", schedule.WithOwner(owner.PID())); err != nil {
			t.Fatal(err)
		}
		kept := make(chan schedule.ID, 1)
		inner, _ := node.Spawn(func(p *process.Proc) error {
			id, _ := s.Every(p.Context(), time.Second, sk.pid, "y", schedule.WithoutOwner())
			kept <- id
			return nil // exits at once
		})
		keptID := <-kept
		_ = inner
		_ = node.Exit(owner.PID(), process.Kill)
		synctest.Wait()
		if infos := list(t, s); len(infos) != 1 || infos[0].ID != keptID || !infos[0].Owner.IsZero() {
			t.Errorf("List = %+v; want only the ownerless %s", infos, keptID)
		}
	})
}

func TestAlreadyDeadOwnerCancelsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		s := start(t, node, nil)
		sk := newSink(t, node)
		dead, _ := node.Spawn(func(*process.Proc) error { return nil })
		synctest.Wait()
		if _, err := s.Every(ctx, time.Second, sk.pid, "x", schedule.WithOwner(dead)); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if infos := list(t, s); len(infos) != 0 {
			t.Errorf("List = %+v; want empty (owner was dead)", infos)
		}
	})
}

func TestWithIDAndDuplicates(t *testing.T) {
	node := otptest.NewNode(t)
	s := start(t, node, nil)
	sk := newSink(t, node)
	id, err := s.Every(ctx, time.Hour, sk.pid, "x", schedule.WithID("nightly-report"))
	if err != nil || id != "nightly-report" {
		t.Fatalf("Every(WithID) = %q, %v", id, err)
	}
	if _, err := s.After(ctx, time.Hour, sk.pid, "x", schedule.WithID("nightly-report")); !errors.Is(err, schedule.ErrDuplicateID) {
		t.Errorf("second add under the id = %v; want ErrDuplicateID", err)
	}
	if _, err := s.After(ctx, time.Hour, sk.pid, "x", schedule.WithID("bad id")); !errors.Is(err, schedule.ErrInvalidOption) {
		t.Errorf("WithID(bad id) = %v; want ErrInvalidOption", err)
	}
}

func TestInvalidOptions(t *testing.T) {
	node := otptest.NewNode(t)
	s := start(t, node, nil)
	sk := newSink(t, node)
	adds := map[string]func() error{
		"After negative": func() error { _, err := s.After(ctx, -time.Second, sk.pid, "x"); return err },
		"Every zero":     func() error { _, err := s.Every(ctx, 0, sk.pid, "x"); return err },
		"nil dest":       func() error { _, err := s.Every(ctx, time.Second, nil, "x"); return err },
		"nil msg":        func() error { _, err := s.Every(ctx, time.Second, sk.pid, nil); return err },
		"nil option":     func() error { _, err := s.Every(ctx, time.Second, sk.pid, "x", nil); return err },
		"neg jitter": func() error {
			_, err := s.Every(ctx, time.Second, sk.pid, "x", schedule.WithJitter(-1))
			return err
		},
		"zero owner": func() error {
			_, err := s.Every(ctx, time.Second, sk.pid, "x", schedule.WithOwner(process.PID{}))
			return err
		},
	}
	for name, add := range adds {
		if err := add(); !errors.Is(err, schedule.ErrInvalidOption) {
			t.Errorf("%s: %v; want ErrInvalidOption", name, err)
		}
	}
	starts := map[string][]schedule.Option{
		"nil option":       {nil},
		"empty name":       {schedule.WithName("")},
		"nil deliverer":    {schedule.WithDeliverer(nil)},
		"zero timeout":     {schedule.WithDeliveryTimeout(0)},
		"nil store":        {schedule.WithStore(nil)},
		"zero store wait":  {schedule.WithStoreTimeout(0)},
		"nil codec":        {schedule.WithCodec(nil)},
		"nil hook":         {schedule.WithOnFailure(nil)},
		"reserved kind":    {schedule.WithRegistry("name", nil)},
		"registry nil reg": {schedule.WithRegistry("svc", nil)},
	}
	for name, opts := range starts {
		if _, err := schedule.Start(node, opts...); !errors.Is(err, schedule.ErrInvalidOption) {
			t.Errorf("Start(%s) = %v; want ErrInvalidOption", name, err)
		}
	}
	if _, err := schedule.Start(nil); !errors.Is(err, schedule.ErrInvalidOption) {
		t.Errorf("Start(nil) = %v; want ErrInvalidOption", err)
	}
	if _, err := schedule.StartLink(nil); !errors.Is(err, schedule.ErrInvalidOption) {
		t.Errorf("StartLink(nil) = %v; want ErrInvalidOption", err)
	}
	if infos := list(t, s); len(infos) != 0 {
		t.Errorf("List = %+v; want nothing scheduled", infos)
	}
}

func TestCallsToStoppedScheduler(t *testing.T) {
	node := otptest.NewNode(t)
	s := start(t, node, nil)
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	_, err := s.List(ctx)
	var ce *genserver.CallError
	if !errors.As(err, &ce) || !errors.Is(err, process.NoProc) {
		t.Errorf("List after Stop = %v; want *genserver.CallError matching NoProc", err)
	}
}

// TestNamedScheduler: a name reaches the scheduler through For, and a
// name destination is resolved at each delivery (it follows a restart).
func TestNamedSchedulerAndNameDestination(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		f := newFailures()
		start(t, node, nil, schedule.WithName("scheduler"), f.option())
		s := schedule.For(node.Name("scheduler"))
		first := newSink(t, node, process.WithName("worker"))
		if _, err := s.Every(ctx, time.Second, node.Name("worker"), "tick"); err != nil {
			t.Fatal(err)
		}
		first.wait(t, 1, time.Minute)
		_ = node.Exit(first.pid, process.Kill)
		synctest.Wait()
		time.Sleep(time.Second) // one firing with nobody under the name
		synctest.Wait()
		var np *process.NoProcError
		if got := f.get(); len(got) != 1 || !errors.As(got[0].Reason, &np) || np.Name != "worker" || got[0].Last {
			t.Errorf("failures = %+v; want one NoProcError for the name worker, not last", got)
		}
		second := newSink(t, node, process.WithName("worker"))
		second.wait(t, 1, time.Minute)
	})
}

package rtcore_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt/rtcore"
	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// goSpawn starts the sweeper's goroutine, as package process does.
func goSpawn(run func()) { go run() }

// expiry records when it expired, on the fake clock of a synctest bubble.
type expiry struct {
	start time.Time
	at    chan time.Duration
}

func (e *expiry) Expire() { e.at <- time.Since(e.start) }

func newExpiry() *expiry { return &expiry{start: time.Now(), at: make(chan time.Duration, 1)} }

// TestSweeperExpiresInOrder: deadlines fire at their time, never before,
// and a stopped one never fires.
func TestSweeperExpiresInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s rtcore.Sweeper
		s.Init(goSpawn)
		defer s.Close()
		var short, long, stopped rtcore.Deadline
		es, el, ex := newExpiry(), newExpiry(), newExpiry()
		s.Start(&long, 3*time.Second, el)
		s.Start(&short, time.Second, es)
		s.Start(&stopped, 2*time.Second, ex)
		if !s.Stop(&stopped) {
			t.Fatal("Stop(pending) = false; want true")
		}
		if got := <-es.at; got != time.Second {
			t.Errorf("1s deadline fired after %v", got)
		}
		if got := <-el.at; got != 3*time.Second {
			t.Errorf("3s deadline fired after %v", got)
		}
		synctest.Wait()
		select {
		case got := <-ex.at:
			t.Errorf("stopped deadline fired after %v", got)
		default:
		}
		if s.Stop(&short) {
			t.Error("Stop(expired) = true; want false")
		}
	})
}

// TestSweeperAfterClose: a deadline started after Close expires at once;
// bad input never leaves a waiter stuck.
func TestSweeperAfterClose(t *testing.T) {
	var s rtcore.Sweeper
	s.Init(goSpawn)
	s.Close()
	e := newExpiry()
	var d rtcore.Deadline
	s.Start(&d, time.Hour, e)
	select {
	case <-e.at:
	default:
		t.Fatal("deadline started after Close did not expire at once")
	}
	if s.Stop(&d) {
		t.Error("Stop after Close = true; want false")
	}

	var nilSweeper *rtcore.Sweeper
	nilSweeper.Start(&d, time.Hour, e)
	select {
	case <-e.at:
	default:
		t.Fatal("nil sweeper did not expire at once")
	}
	if nilSweeper.Stop(&d) || s.Stop(nil) {
		t.Error("Stop on a nil sweeper or deadline = true; want false")
	}
	s.Start(&d, time.Hour, nil) // a nil Expirer: nothing to do, no panic
}

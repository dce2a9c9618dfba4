package process_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// seq is message number N of sender From in the FIFO tests.
type seq struct {
	From int
	N    int
}

// fifoChecker checks that messages of each sender arrive in order and
// reports the first violation, or nil, once total messages arrived.
type fifoChecker struct {
	next   []int
	total  int
	seen   int
	err    error
	result chan<- error
}

func (c *fifoChecker) add(m process.Msg) (done bool) {
	s, ok := m.(seq)
	switch {
	case c.err != nil:
	case !ok:
		c.err = fmt.Errorf("unexpected message %T %+v", m, m)
	case s.N != c.next[s.From]:
		c.err = fmt.Errorf("sender %d: got message %d; want %d", s.From, s.N, c.next[s.From])
	default:
		c.next[s.From]++
	}
	c.seen++
	if c.seen == c.total {
		c.result <- c.err
		return true
	}
	return false
}

func (c *fifoChecker) HandleMessage(_ *process.Proc, m process.Msg) error {
	if c.add(m) {
		return process.Normal
	}
	return nil
}

// checkFIFO runs senders concurrent senders, each sending msgs numbered
// messages to one receiver (a Func or a Handler process), and fails t if
// any sender's messages arrive out of order or are lost. Even senders are
// processes, odd ones plain goroutines using Node.Send.
func checkFIFO(t *testing.T, handler bool, senders, msgs int) {
	t.Helper()
	n := otptest.NewNode(t)
	result := make(chan error, 1)
	c := &fifoChecker{next: make([]int, senders), total: senders * msgs, result: result}
	var recv process.PID
	var err error
	if handler {
		recv, err = n.SpawnHandler(c)
	} else {
		recv, err = n.Spawn(func(p *process.Proc) error {
			for {
				m, err := p.Receive(p.Context())
				if err != nil {
					return err
				}
				if c.add(m) {
					return nil
				}
			}
		})
	}
	if err != nil {
		t.Fatalf("spawn receiver: %v", err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for s := range senders {
		send := func(p *process.Proc) error {
			<-start
			for i := range msgs {
				var err error
				if p != nil {
					err = p.Send(recv, seq{s, i})
				} else {
					err = n.Send(recv, seq{s, i})
				}
				if err != nil {
					return err
				}
			}
			return nil
		}
		wg.Go(func() {
			if s%2 == 1 {
				if err := send(nil); err != nil {
					t.Errorf("sender %d: %v", s, err)
				}
				return
			}
			death := make(chan struct{})
			if _, err := n.Spawn(func(p *process.Proc) error {
				defer close(death)
				return send(p)
			}); err != nil {
				t.Errorf("spawn sender %d: %v", s, err)
				return
			}
			<-death
		})
	}
	close(start)
	wg.Wait()
	select {
	case err := <-result:
		if err != nil {
			t.Errorf("receiver (handler=%v, %d senders × %d): %v", handler, senders, msgs, err)
		}
	case <-time.After(timeout):
		t.Fatalf("receiver did not get all %d messages within %v (lost message or wake-up)", senders*msgs, timeout)
	}
}

func TestFIFOPerSender(t *testing.T) {
	for _, handler := range []bool{false, true} {
		for _, size := range []struct{ senders, msgs int }{{1, 1000}, {8, 500}, {32, 100}} {
			name := fmt.Sprintf("handler=%v/senders=%d", handler, size.senders)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				checkFIFO(t, handler, size.senders, size.msgs)
			})
		}
	}
}

func FuzzFIFO(f *testing.F) {
	f.Add(uint8(1), uint16(1), false)
	f.Add(uint8(2), uint16(100), true)
	f.Add(uint8(7), uint16(33), false)
	f.Add(uint8(16), uint16(250), true)
	f.Fuzz(func(t *testing.T, senders uint8, msgs uint16, handler bool) {
		checkFIFO(t, handler, 1+int(senders%16), 1+int(msgs%256))
	})
}

// TestSelectiveReceive: ReceiveMatch takes the first matching message and
// leaves the others in order.
func TestSelectiveReceive(t *testing.T) {
	n := otptest.NewNode(t)
	gate := make(chan struct{})
	got := make(chan []process.Msg, 1)
	pid, _ := n.Spawn(func(p *process.Proc) error {
		<-gate
		var out []process.Msg
		m, err := p.ReceiveMatch(p.Context(), func(m process.Msg) bool { return m == "b" })
		if err != nil {
			return err
		}
		out = append(out, m)
		for range 3 {
			m, err := p.Receive(p.Context())
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		got <- out
		return nil
	})
	for _, m := range []string{"a", "b", "c", "d"} {
		_ = n.Send(pid, m)
	}
	close(gate)
	if out := <-got; fmt.Sprint(out) != "[b a c d]" {
		t.Errorf("selective receive order = %v; want [b a c d]", out)
	}
}

func TestReceiveTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		got := make(chan error, 1)
		start := time.Now()
		_, _ = n.Spawn(func(p *process.Proc) error {
			_, err := p.ReceiveTimeout(time.Second)
			got <- err
			return nil
		})
		if err := <-got; !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Errorf("ReceiveTimeout(1s) = %v after %v; want DeadlineExceeded after 1s", err, time.Since(start))
		}
	})
}

// boundedSetup spawns a gated, trapping Func process with a bounded
// mailbox that monitors target before it starts waiting.
func boundedSetup(t *testing.T, n *process.Node, limit int, policy process.OverflowPolicy, target process.PID) (pid process.PID, gate chan struct{}, got chan process.Msg) {
	t.Helper()
	gate = make(chan struct{})
	got = make(chan process.Msg, 16)
	ready := make(chan struct{})
	run := gated(gate, got)
	pid, err := n.Spawn(func(p *process.Proc) error {
		if _, err := p.Monitor(target); err != nil {
			return err
		}
		close(ready)
		return run(p)
	}, process.WithMailbox(limit, policy), process.TrapExits())
	if err != nil {
		t.Fatalf("Spawn(WithMailbox(%d, %v)) = %v", limit, policy, err)
	}
	<-ready
	return pid, gate, got
}

func TestMailboxRejectWhenFull(t *testing.T) {
	n := otptest.NewNode(t)
	target := otptest.NewProbe(t, n)
	pid, gate, got := boundedSetup(t, n, 2, process.RejectWhenFull(), target.PID())
	for i := range 2 {
		if err := n.Send(pid, i); err != nil {
			t.Fatalf("Send #%d = %v; want nil", i, err)
		}
	}
	err := n.Send(pid, 2)
	var mf *process.MailboxFullError
	if !errors.Is(err, process.ErrMailboxFull) || !errors.As(err, &mf) || mf.PID != pid || mf.Limit != 2 || mf.Dropped {
		t.Fatalf("Send to full mailbox = %#v; want *MailboxFullError{PID: %v, Limit: 2}", err, pid)
	}
	sender := otptest.NewProbe(t, n)
	if err := sender.Send(pid, 2); !errors.Is(err, process.ErrMailboxFull) {
		t.Errorf("Proc.Send to full mailbox = %v; want ErrMailboxFull", err)
	}

	// Exit and Down are never refused.
	_ = n.Exit(target.PID(), process.Kill)
	_ = n.Exit(pid, errBoom)
	if info, _ := n.Info(pid); info.MailboxLen != 4 {
		t.Errorf("MailboxLen = %d; want 4 (2 messages, Down, Exit)", info.MailboxLen)
	}
	close(gate)
	want := []string{"0", "1", "Down killed", "Exit boom"}
	for _, w := range want {
		var s string
		switch m := (<-got).(type) {
		case process.Down:
			s = "Down " + process.FormatReason(m.Reason)
		case process.Exit:
			s = "Exit " + process.FormatReason(m.Reason)
		default:
			s = fmt.Sprint(m)
		}
		if s != w {
			t.Errorf("bounded process received %q; want %q", s, w)
		}
	}
	if err := n.Send(pid, 5); err != nil {
		t.Errorf("Send after the mailbox drained = %v; want nil", err)
	}
}

func TestMailboxDeadLetterWhenFull(t *testing.T) {
	letters := make(chan process.DeadLetter, 4)
	n := otptest.NewNode(t, process.Config{OnDeadLetter: func(dl process.DeadLetter) { letters <- dl }})
	target := otptest.NewProbe(t, n)
	pid, gate, _ := boundedSetup(t, n, 1, process.DeadLetterWhenFull(), target.PID())
	defer close(gate)
	if err := n.Send(pid, "kept"); err != nil {
		t.Fatalf("Send = %v", err)
	}
	err := n.Send(pid, "lost")
	var mf *process.MailboxFullError
	if !errors.As(err, &mf) || !mf.Dropped || !errors.Is(err, process.ErrMailboxFull) {
		t.Errorf("Send to full mailbox = %v; want *MailboxFullError with Dropped", err)
	}
	dl := <-letters
	if dl.To != pid || !dl.From.IsZero() || dl.Msg != "lost" || !errors.Is(dl.Reason, process.ErrMailboxFull) {
		t.Errorf("dead letter = %+v; want {To: %v, From: <nil>, Msg: lost, Reason: mailbox full}", dl, pid)
	}
	sender := otptest.NewProbe(t, n)
	_ = sender.Send(pid, "lost too")
	if dl := <-letters; dl.From != sender.PID() || dl.Msg != "lost too" {
		t.Errorf("dead letter = %+v; want From %v", dl, sender.PID())
	}
	_ = n.Exit(target.PID(), process.Kill)
	if info, _ := n.Info(pid); info.MailboxLen != 2 {
		t.Errorf("MailboxLen = %d; want 2 (the kept message and a Down)", info.MailboxLen)
	}
}

func TestMailboxBlockWhenFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		target := otptest.NewProbe(t, n)
		pid, gate, got := boundedSetup(t, n, 1, process.BlockWhenFull(time.Second), target.PID())
		if err := n.Send(pid, 0); err != nil {
			t.Fatalf("Send = %v", err)
		}

		// Nobody takes messages: Send waits the full second, then fails.
		start := time.Now()
		err := n.Send(pid, 1)
		var mf *process.MailboxFullError
		if !errors.As(err, &mf) || mf.Waited != time.Second || time.Since(start) != time.Second {
			t.Errorf("blocked Send = %v after %v; want *MailboxFullError that waited 1s", err, time.Since(start))
		}

		// Exit and Down are not blocked by the full mailbox.
		_ = n.Exit(target.PID(), process.Kill)
		if info, _ := n.Info(pid); info.MailboxLen != 2 {
			t.Errorf("MailboxLen = %d; want 2", info.MailboxLen)
		}
		close(gate)
		if m := <-got; m != 0 {
			t.Fatalf("got %v; want 0", m)
		}
		if _, ok := (<-got).(process.Down); !ok {
			t.Fatalf("want the Down")
		}
	})
}

// TestMailboxBlockWhenFullWakes: a sender blocked on a full mailbox goes
// on as soon as the receiver takes a message, not when its wait ends.
func TestMailboxBlockWhenFullWakes(t *testing.T) {
	for _, handler := range []bool{false, true} {
		t.Run(fmt.Sprintf("handler=%v", handler), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := otptest.NewNode(t)
				take := make(chan struct{})
				got := make(chan process.Msg, 4)
				opt := process.WithMailbox(1, process.BlockWhenFull(time.Minute))
				var pid process.PID
				if handler {
					pid, _ = n.SpawnHandler(handlerFunc(func(p *process.Proc, m process.Msg) error {
						<-take
						got <- m
						return nil
					}), opt)
				} else {
					pid, _ = n.Spawn(func(p *process.Proc) error {
						for {
							<-take
							m, err := p.Receive(p.Context())
							if err != nil {
								return err
							}
							got <- m
						}
					}, opt)
				}
				_ = n.Send(pid, 0)
				if handler {
					_ = n.Send(pid, 1) // the handler holds 0 while it waits on take
				}
				start := time.Now()
				sent := make(chan error)
				go func() { sent <- n.Send(pid, "blocked") }()
				synctest.Wait()
				select {
				case err := <-sent:
					t.Fatalf("Send to a full mailbox returned %v at once; want it to block", err)
				default:
				}
				take <- struct{}{}
				if err := <-sent; err != nil || time.Since(start) != 0 {
					t.Errorf("blocked Send = %v after %v; want nil as soon as a message is taken", err, time.Since(start))
				}
				close(take)
				for range 2 {
					<-got
				}
				if handler {
					<-got
				}
			})
		})
	}
}

// TestBlockWhenFullLostWakeup streams messages through a one-slot
// BlockWhenFull mailbox. A sender woken when the receiver swapped the
// mailbox's slices, but before it took the message, used to find the
// mailbox still full and wait for a wake-up that never came, so Send
// failed after the whole wait.
func TestBlockWhenFullLostWakeup(t *testing.T) {
	for _, handler := range []bool{false, true} {
		t.Run(fmt.Sprintf("handler=%v", handler), func(t *testing.T) {
			n := otptest.NewNode(t)
			const total = 10000
			done := make(chan struct{})
			opt := process.WithMailbox(1, process.BlockWhenFull(timeout))
			var pid process.PID
			if handler {
				seen := 0
				pid, _ = n.SpawnHandler(handlerFunc(func(*process.Proc, process.Msg) error {
					if seen++; seen == total {
						close(done)
					}
					return nil
				}), opt)
			} else {
				pid, _ = n.Spawn(func(p *process.Proc) error {
					for range total {
						if _, err := p.Receive(p.Context()); err != nil {
							return err
						}
					}
					close(done)
					return nil
				}, opt)
			}
			for i := range total {
				if err := n.Send(pid, i); err != nil {
					t.Fatalf("Send #%d = %v; want nil", i, err)
				}
			}
			<-done
		})
	}
}

// counter is a handler that counts what it handles.
type counter struct{ handled *atomic.Int64 }

func (c counter) HandleMessage(*process.Proc, process.Msg) error {
	c.handled.Add(1)
	return nil
}

// TestKillRaceAccounting kills many short-lived handler processes while
// messages stream in. Every message must end up handled or counted as
// dropped: delivered + dropped == sent.
func TestKillRaceAccounting(t *testing.T) {
	n := otptest.NewNode(t)
	const procs, perProc = 200, 50
	var handled atomic.Int64
	var wg sync.WaitGroup
	for i := range procs {
		pid, err := n.SpawnHandler(counter{&handled})
		if err != nil {
			t.Fatalf("SpawnHandler = %v", err)
		}
		start := make(chan struct{})
		wg.Go(func() {
			<-start
			for j := range perProc {
				if err := n.Send(pid, j); err != nil {
					t.Errorf("Send = %v", err)
					return
				}
			}
		})
		wg.Go(func() {
			<-start
			for range i % 7 {
				_ = n.Send(pid, -1) // also counted as sent
			}
			_ = n.Exit(pid, process.Kill)
		})
		close(start)
	}
	wg.Wait()
	if err := n.Stop(context.Background()); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	sent := int64(procs * perProc)
	for i := range procs {
		sent += int64(i % 7)
	}
	dropped := int64(n.Stats().DroppedMessages)
	if got := handled.Load() + dropped; got != sent {
		t.Errorf("handled %d + dropped %d = %d; want %d sent", handled.Load(), dropped, got, sent)
	}
}

// TestSelfExitAccounting: a handler that ends itself with messages still
// queued counts them as dropped.
func TestSelfExitAccounting(t *testing.T) {
	n := otptest.NewNode(t)
	const procs, perProc = 100, 40
	var handled atomic.Int64
	var wg sync.WaitGroup
	for i := range procs {
		stopAt := i % perProc
		seen := 0
		pid, _ := n.SpawnHandler(handlerFunc(func(*process.Proc, process.Msg) error {
			handled.Add(1)
			if seen++; seen > stopAt {
				return errBoom
			}
			return nil
		}))
		wg.Go(func() {
			for j := range perProc {
				_ = n.Send(pid, j)
			}
		})
	}
	wg.Wait()
	if err := n.Stop(context.Background()); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	dropped := int64(n.Stats().DroppedMessages)
	if got := handled.Load() + dropped; got != procs*perProc {
		t.Errorf("handled %d + dropped %d = %d; want %d sent", handled.Load(), dropped, got, procs*perProc)
	}
}

// TestNoLostWakeup: handler and Func processes that keep going idle while
// concurrent senders stream messages must handle every one of them.
func TestNoLostWakeup(t *testing.T) {
	for _, handler := range []bool{false, true} {
		t.Run(fmt.Sprintf("handler=%v", handler), func(t *testing.T) {
			n := otptest.NewNode(t)
			const procs, senders, perSender = 50, 4, 200
			done := make(chan struct{}, procs)
			var pids []process.PID
			for range procs {
				want := senders * perSender
				seen := 0
				var pid process.PID
				if handler {
					pid, _ = n.SpawnHandler(handlerFunc(func(*process.Proc, process.Msg) error {
						if seen++; seen == want {
							done <- struct{}{}
						}
						return nil
					}))
				} else {
					pid, _ = n.Spawn(func(p *process.Proc) error {
						for range want {
							if _, err := p.Receive(p.Context()); err != nil {
								return err
							}
						}
						done <- struct{}{}
						return nil
					})
				}
				pids = append(pids, pid)
			}
			var wg sync.WaitGroup
			for s := range senders {
				wg.Go(func() {
					for i := range perSender {
						for k := range pids {
							_ = n.Send(pids[(k+s)%procs], i)
						}
					}
				})
			}
			wg.Wait()
			deadline := time.After(timeout)
			for i := range procs {
				select {
				case <-done:
				case <-deadline:
					t.Fatalf("%d of %d processes got all their messages within %v", i, procs, timeout)
				}
			}
			if d := n.Stats().DroppedMessages; d != 0 {
				t.Errorf("DroppedMessages = %d; want 0", d)
			}
		})
	}
}

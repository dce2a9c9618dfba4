package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// The demo's processes. Each GenServer's state is its struct; its
// callbacks run one at a time in its own process, so none needs a lock.

var accounts = []string{"alice", "bob", "carol"}

func openingBalances() map[string]int {
	return map[string]int{"alice": 40, "bob": 25, "carol": 10}
}

func totalOf(balances map[string]int) int {
	t := 0
	for _, v := range balances {
		t += v
	}
	return t
}

// Requests understood by the servers.
type (
	// entry asks the ledger to record a change of an account.
	entry struct {
		account string
		delta   int
	}
	// countReq asks the ledger how many entries it holds.
	countReq struct{}
	// transfer asks the bank to move amount between two accounts.
	transfer struct {
		from, to string
		amount   int
	}
	// totalReq asks the bank for the sum of all balances.
	totalReq struct{}
	// job asks the worker to do job n.
	job struct{ n int }
	// tick is what the clock sends the teller.
	tick struct{ n int }
	// clockTick is the clock's own timer message.
	clockTick struct{}
)

var errInsufficientFunds = errors.New("insufficient funds")

// ledger records every balance change, in order.
type ledger struct {
	log     *narrator
	entries []entry
}

func (l *ledger) Init(s *genserver.Self) error {
	l.log.event("ledger", s.PID(), "started (registered as %q)", "ledger")
	return nil
}

func (l *ledger) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	switch r := req.(type) {
	case entry:
		l.entries = append(l.entries, r)
		return len(l.entries), nil
	case countReq:
		return len(l.entries), nil
	}
	return nil, fmt.Errorf("ledger: unknown request %T", req)
}

// bank keeps balances and records every transfer in the ledger: it is a
// server that calls another server from inside HandleCall.
type bank struct {
	log      *narrator
	stats    *demoStats
	ledger   process.PID
	balances map[string]int
}

func (b *bank) Init(s *genserver.Self) error {
	b.log.event("bank", s.PID(), "started with %s", b.describe(accounts...))
	return nil
}

func (b *bank) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	switch r := req.(type) {
	case transfer:
		return b.transfer(s, r)
	case totalReq:
		return totalOf(b.balances), nil
	}
	return nil, fmt.Errorf("bank: unknown request %T", req)
}

func (b *bank) transfer(s *genserver.Self, t transfer) (any, error) {
	if b.balances[t.from] < t.amount {
		b.log.event("bank", s.PID(), "transfer %d %s->%s refused: %v (%s)",
			t.amount, t.from, t.to, errInsufficientFunds, b.describe(t.from))
		return nil, errInsufficientFunds
	}
	ctx := s.Context()
	first, err := call[int](ctx, b.stats, b.ledger, entry{account: t.from, delta: -t.amount})
	if err != nil {
		return nil, err
	}
	second, err := call[int](ctx, b.stats, b.ledger, entry{account: t.to, delta: t.amount})
	if err != nil {
		return nil, err
	}
	b.balances[t.from] -= t.amount
	b.balances[t.to] += t.amount
	b.log.event("bank", s.PID(), "transfer %d %s->%s done (%s; ledger %v entries #%d,#%d)",
		t.amount, t.from, t.to, b.describe(t.from, t.to), b.ledger, first, second)
	return b.balances[t.from], nil
}

func (b *bank) describe(names ...string) string {
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s=%d", n, b.balances[n]))
	}
	return strings.Join(parts, " ")
}

// clock sends the teller a tick every period, using a timer it owns
// (SendAfter): the timer dies with the clock.
type clock struct {
	log   *narrator
	stats *demoStats
	every time.Duration
	to    process.PID
	n     int
}

func (c *clock) Init(s *genserver.Self) error {
	if _, err := s.SendAfter(s.PID(), clockTick{}, c.every); err != nil {
		return err
	}
	c.log.event("clock", s.PID(), "started: a tick every %v to teller %v", c.every, c.to)
	return nil
}

func (c *clock) HandleInfo(s *genserver.Self, msg any) error {
	if _, ok := msg.(clockTick); !ok {
		return nil
	}
	c.n++
	c.stats.ticks.Add(1)
	c.log.event("clock", s.PID(), "tick %d", c.n)
	if err := s.Send(c.to, tick{n: c.n}); err != nil {
		return err
	}
	_, err := s.SendAfter(s.PID(), clockTick{}, c.every)
	return err
}

// teller turns every tick into a bank transfer and a job for the worker.
type teller struct {
	log   *narrator
	stats *demoStats
	bank  process.PID
}

func (t *teller) Init(s *genserver.Self) error {
	t.log.event("teller", s.PID(), "started: one transfer and one job per tick")
	return nil
}

func (t *teller) HandleInfo(s *genserver.Self, msg any) error {
	tk, ok := msg.(tick)
	if !ok {
		return nil
	}
	ctx := s.Context()
	tr := transfer{
		from:   accounts[tk.n%len(accounts)],
		to:     accounts[(tk.n+1)%len(accounts)],
		amount: 1 + (tk.n*7)%20,
	}
	if _, err := call[int](ctx, t.stats, t.bank, tr); err != nil && !errors.Is(err, errInsufficientFunds) {
		t.log.event("teller", s.PID(), "transfer failed: %v", err)
	}
	worker := s.Node().Name("worker")
	r, err := call[int](ctx, t.stats, worker, job{n: tk.n})
	switch {
	case err == nil:
		t.log.event("teller", s.PID(), "job %d -> %d", tk.n, r)
	case errors.Is(err, process.NoProc):
		t.log.event("teller", s.PID(), "job %d skipped: no worker registered right now", tk.n)
	default:
		t.log.event("teller", s.PID(), "job %d failed: %v", tk.n, err)
	}
	return nil
}

// worker squares numbers and fails on purpose every third job: by
// panicking, or by stopping with an error after replying.
type worker struct{}

func (w *worker) Init(s *genserver.Self) error { return nil }

func (w *worker) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	j, ok := req.(job)
	if !ok {
		return nil, fmt.Errorf("worker: unknown request %T", req)
	}
	switch j.n % 6 {
	case 0:
		panic(fmt.Sprintf("simulated fault in job %d", j.n))
	case 3:
		s.Stop(fmt.Errorf("job %d: simulated error exit", j.n))
		return nil, errors.New("worker stopping")
	}
	return j.n * j.n, nil
}

// keeper is a tiny restart loop (there is no supervisor package yet): it
// starts the worker, monitors it, and starts a new one whenever the
// worker dies abnormally, like a transient child of a one_for_one
// supervisor without restart intensity. It reports the first start on
// ready. It ends when its own process is stopped.
func keeper(log *narrator, st *demoStats, ready chan<- error) process.Func {
	return func(p *process.Proc) error {
		ctx := p.Context()
		for gen := 0; ; gen++ {
			pid, err := genserver.Start(p.Node(), &worker{}, genserver.WithName("worker"))
			if gen == 0 {
				ready <- err
			}
			if err != nil {
				if gen == 0 || ctx.Err() != nil || errors.Is(err, process.ErrNodeStopped) {
					return nil
				}
				return err
			}
			if gen == 0 {
				log.event("keeper", p.PID(), "started worker %v and monitors it", pid)
			} else {
				st.restarts.Add(1)
				log.event("keeper", p.PID(), "worker restarted as %v (restart %d)", pid, gen)
			}
			ref, err := p.Monitor(pid)
			if err != nil {
				return err
			}
			down, err := awaitDown(p, ref)
			if err != nil {
				return nil // the keeper itself is stopping
			}
			if process.IsNormalOrShutdown(down.Reason) {
				log.event("keeper", p.PID(), "worker %v stopped (%s); not restarting",
					down.PID, process.FormatReason(down.Reason))
				return nil
			}
			st.crashes.Add(1)
			log.event("keeper", p.PID(), "worker %v down: %s; restarting",
				down.PID, process.FormatReason(down.Reason))
		}
	}
}

// awaitDown waits for the Down message of monitor ref, leaving other
// messages in the mailbox.
func awaitDown(p *process.Proc, ref process.Ref) (process.Down, error) {
	m, err := p.ReceiveMatch(p.Context(), func(m process.Msg) bool {
		d, ok := m.(process.Down)
		return ok && d.Ref == ref
	})
	if err != nil {
		return process.Down{}, err
	}
	return m.(process.Down), nil
}

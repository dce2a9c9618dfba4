package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// retiredAgent is the name of an agent that no longer exists: the demo
// sends it one job at the start, which ends as a dead letter.
const retiredAgent = "agent-13"

// job is what the demo's couriers deliver to agents with supervised send.
// Its fields are exported so the dead-letter codec can store it and replay
// it after a restart.
type job struct {
	N int `json:"n"`
}

// sendDone is what a courier reports to the director when its send ended.
type sendDone struct {
	pid process.PID
	n   int
	to  string
	err error
}

// delivered is forwarded to the director from the sender's telemetry: a
// send was confirmed after attempts attempts.
type delivered struct {
	dest     string
	attempts int
}

// messaging is the demo's supervised messaging: a sender whose failures
// end in a dead-letter queue, durable in dataDir when it is set.
type messaging struct {
	sender  *send.Sender
	letters *deadletter.Queue
	store   deadletter.Store
	dataDir string
	// damage says what the store of dataDir lost while it was closed, or
	// is empty.
	damage string
	// stored is how many letters the queue held once the application
	// stopped (see countStored).
	stored int
}

// The dead-letter retrier's period and cap in the demo.
const (
	retryEvery = 2 * time.Second
	retryMax   = 3
)

// jobOptions are the send options of every job: wait until the agent
// handled it, retry a missing or crashing agent five times (10 ms, then
// doubling, capped at 200 ms) within 3 s, and dead-letter what still
// fails.
var jobOptions = []send.Option{
	send.WithConfirm(send.Handled),
	send.WithRetries(5),
	send.WithBackoff(send.Backoff{Initial: 10 * time.Millisecond, Max: 200 * time.Millisecond, Multiplier: 2, Jitter: send.EqualJitter}),
	send.WithTimeout(3 * time.Second),
	send.WithOnError(send.DeadLetter),
	send.WithMetadata(map[string]string{"origin": "orchard demo"}),
}

// openMessaging opens the dead-letter store (JetStream files in dataDir,
// kept by the node's engine, or memory when dataDir is empty) and builds
// the sender. The queue and the sender publish on the node's registry.
func openMessaging(ctx context.Context, node *process.Node, dataDir string) (*messaging, error) {
	var store deadletter.Store = deadletter.NewMemoryStore()
	var damage string
	if dataDir != "" {
		// The engine starts here and closes when the application stops
		// (or, if it never starts, with the node). A loss is published
		// on the node's registry (orchard_deadletter_lost_total on
		// /metrics) and shown in the summary, not logged over the frames
		// (the node's logger is quiet).
		if err := engine.Configure(node, engine.Config{Dir: dataDir}); err != nil {
			return nil, err
		}
		js, err := jsstore.OpenNodeStore(ctx, node, "")
		if err != nil {
			return nil, err
		}
		var dmg *jsstore.DamagedError
		if errors.As(js.Verify(ctx), &dmg) {
			damage = damageText(dmg)
		}
		store = js
	}
	codec := deadletter.NewJSONCodec()
	if err := deadletter.Register[job](codec, "orchard.demo.job"); err != nil {
		return nil, errors.Join(err, store.Close())
	}
	m := &messaging{store: store, dataDir: dataDir, damage: damage}
	// The queue's retrier (a child of the application, see demoSpec)
	// tries each letter again every retryEvery, at most retryMax times,
	// through the same sender (without dead-lettering a failed retry).
	redeliver := func(ctx context.Context, dest process.Dest, msg any) error {
		return m.sender.Send(ctx, dest, msg, send.WithConfirm(send.Handled), send.WithTimeout(time.Second))
	}
	var err error
	m.letters, err = deadletter.New(node, store, deadletter.WithCodec(codec),
		deadletter.WithDeliverer(redeliver), deadletter.WithAutoRetry(retryEvery, retryMax))
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	m.sender, err = send.New(send.WithDeadLetterSink(m.letters), send.WithLogger(discard))
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	return m, nil
}

// close closes the queue and the store; the node's engine, if the store
// is in it, is closed by the application's Stop (or the node's).
func (m *messaging) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), stopBudget)
	defer cancel()
	return errors.Join(m.letters.Close(ctx), m.store.Close())
}

// countStored records in stored how many letters the queue holds; the
// application runs it after its parts stopped, while the node's engine
// is still open.
func (m *messaging) countStored() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	m.stored, _ = m.letters.Len(ctx)
}

// forwardDeliveries attaches a telemetry handler that tells the director
// about every confirmed send, with its number of attempts; detach removes
// it.
func forwardDeliveries(node *process.Node, tel *telemetry.Registry, dir process.PID) (detach func(), err error) {
	const id = "orchard.demo.deliveries"
	err = tel.Attach(id, []string{send.EventDelivered}, func(_ string, m telemetry.Measurements, md telemetry.Metadata) {
		dest, _ := md["dest"].(string)
		_ = node.Send(dir, delivered{dest: dest, attempts: int(m["attempts"])})
	})
	return func() { _ = tel.Detach(id) }, err
}

// courier sends job n to the agent named to from a process of its own
// (the send waits and retries; the director must not), then reports to
// the director.
func (m *messaging) courier(self *process.Proc, reg *registry.Registry, to string, n int) (process.PID, error) {
	dir := self.PID()
	return self.Spawn(func(p *process.Proc) error {
		err := m.sender.Send(p.Context(), registry.Via(reg, to), job{N: n}, jobOptions...)
		return p.Send(dir, sendDone{pid: p.PID(), n: n, to: to, err: err})
	}, rt.Behaviour("courier"))
}

// line renders a finished send for the event list.
func (d sendDone) line() string {
	if d.err == nil {
		return "" // the delivery line came from telemetry
	}
	var f *send.Error
	if errors.As(d.err, &f) {
		return fmt.Sprintf("send job %d → %s: %s after %s → dead letter", d.n, d.to, f.Outcome, plural(f.Attempts, "attempt", "attempts"))
	}
	return fmt.Sprintf("send job %d → %s failed: %v", d.n, d.to, d.err)
}

func (d delivered) line() string {
	retried := ""
	if d.attempts > 1 {
		retried = ", the retry reached the restarted agent"
	}
	return fmt.Sprintf("send → %s handled after %s%s", d.dest, plural(d.attempts, "attempt", "attempts"), retried)
}

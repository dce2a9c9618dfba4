package coord

import (
	"context"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// Elected is the message a candidate receives when it becomes the
// leader of election Name; Token is its fencing token, larger than
// every earlier leader's.
type Elected struct {
	// Name is the election's name.
	Name string
	// Token is the new leader's fencing token.
	Token uint64
}

// LeaseLost is the message a lock holder or a leader receives when its
// lease was lost although it is alive (the backend could not be
// renewed within the lease, or another owner took the key). It must
// stop acting as holder: its token is stale.
type LeaseLost struct {
	// Name is the lock's or the election's name.
	Name string
	// Token is the lost holding's fencing token.
	Token uint64
}

// LeaderChanged is the message a watcher ([Coordinator.Watch])
// receives when the leader of election Name changes: Token 0 and an
// empty Owner mean no leader. Leader is the leader's PID when it stood
// through this coordinator (zero for a leader elected through another
// coordinator sharing the backend, known by Owner only).
type LeaderChanged struct {
	// Name is the election's name.
	Name string
	// Leader is the leader's PID, if it stood through this coordinator.
	Leader process.PID
	// Owner is the backend's name for the leader (coordinator and PID).
	Owner string
	// Token is the leader's fencing token; 0 when there is none.
	Token uint64
}

// Leader is an election's current leader, as [Coordinator.Leader]
// reports it; see [LeaderChanged] for the fields.
type Leader struct {
	// Name is the election's name.
	Name string
	// Leader is the leader's PID, if it stood through this coordinator.
	Leader process.PID
	// Owner is the backend's name for the leader.
	Owner string
	// Token is the leader's fencing token.
	Token uint64
}

// Campaign stands the candidate process (the context's, or
// [WithHolder]) for leader of election name, with a lease
// ([WithLease]), and returns once the candidacy is registered: it does
// not wait to win. Candidates win in the order they stood; the winner
// receives an [Elected] message with its fencing token and stays
// leader while it lives (the coordinator renews its lease) or until
// it resigns. When the leader dies the next candidate wins with a
// larger token; a candidate that dies is withdrawn. Standing again
// while a candidate is a no-op.
func (c *Coordinator) Campaign(ctx context.Context, name string, opts ...CallOption) error {
	dest, cc, err := c.prepare("coord: Coordinator.Campaign", ctx, name, opts, true)
	if err != nil {
		return err
	}
	_, err = genserver.Call[struct{}](ctx, dest, lockReq{key: leaderKey(name), name: name, election: true, holder: cc.holder, lease: cc.lease, id: nextID()})
	return err
}

// Resign withdraws the candidate process (the context's, or
// [WithHolder]) from election name; a leader that resigns hands
// leadership to the next candidate. A process that is not a candidate
// gives [ErrNotHeld].
func (c *Coordinator) Resign(ctx context.Context, name string, opts ...CallOption) error {
	dest, cc, err := c.prepare("coord: Coordinator.Resign", ctx, name, opts, true)
	if err != nil {
		return err
	}
	_, err = genserver.Call[struct{}](ctx, dest, resignReq{key: leaderKey(name), holder: cc.holder})
	return err
}

// Leader returns election name's current leader, as the backend has
// it, or [ErrNotHeld] when there is none.
func (c *Coordinator) Leader(ctx context.Context, name string) (Leader, error) {
	dest, _, err := c.prepare("coord: Coordinator.Leader", ctx, name, nil, false)
	if err != nil {
		return Leader{}, err
	}
	return genserver.Call[Leader](ctx, dest, leaderReq{key: leaderKey(name), name: name})
}

// Watch subscribes watcher to election name: it receives a
// [LeaderChanged] message with the current state at once, then one at
// every change this coordinator sees (its own candidates at once;
// leaders elected through another coordinator sharing the backend
// within the retry interval). The subscription ends when the watcher
// dies. Watching twice is a no-op.
func (c *Coordinator) Watch(ctx context.Context, name string, watcher process.PID) error {
	const op = "coord: Coordinator.Watch"
	if watcher.IsZero() {
		return invalid(op, "watcher", "is the zero PID")
	}
	dest, _, err := c.prepare(op, ctx, name, nil, false)
	if err != nil {
		return err
	}
	_, err = genserver.Call[struct{}](ctx, dest, watchReq{key: leaderKey(name), name: name, watcher: watcher})
	return err
}

func lockKey(name string) string   { return "lock." + name }
func leaderKey(name string) string { return "leader." + name }

// renewEvery is how often a lease of ttl is renewed.
func renewEvery(ttl time.Duration) time.Duration {
	d := ttl / 3
	if d <= 0 {
		d = ttl
	}
	return d
}

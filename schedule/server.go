package schedule

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/live"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// server is the scheduler process's state. Its methods run in the
// scheduler process, one at a time.
type server struct {
	cfg     config
	tel     *telemetry.Registry
	self    *genserver.Self
	entries map[ID]*entry
	owners  map[process.PID]*owner
	workers map[process.PID]*delivery // running delivery processes
}

// entry is one schedule.
type entry struct {
	id        ID
	kind      Kind
	spec      string
	dest      process.Dest
	msg       any
	owner     process.PID
	jitter    time.Duration
	durable   bool
	interval  time.Duration // Every
	cron      cron.Schedule // Cron
	next      time.Time
	timer     process.TimerRef
	generated bool        // id chosen at random by the client, not WithID
	seq       uint64      // bumped at each arm, so a stale timer message is ignored
	worker    process.PID // the running delivery, zero if none
	runs      uint64
	failures  uint64
	skipped   uint64
}

// owner is one monitored owner process and the schedules it owns.
type owner struct {
	ref process.Ref
	ids map[ID]struct{}
}

// delivery is a running delivery process's work.
type delivery struct {
	e    *entry
	last bool
}

// Messages of the scheduler process (sealed).
type (
	addReq struct {
		e     *entry
		delay time.Duration // After
	}
	cancelReq struct{ id ID }
	listReq   struct{}
	// fire is a schedule's timer message.
	fire struct {
		id  ID
		seq uint64
	}
	// deliveryError is the exit reason of a delivery whose Deliverer
	// failed.
	deliveryError struct{ err error }
)

func (e *deliveryError) Error() string { return "schedule: delivery failed: " + e.err.Error() }
func (e *deliveryError) Unwrap() error { return e.err }

// Init traps exits (to hear of its delivery processes and to run
// Terminate on a supervisor's shutdown) and reloads durable schedules.
func (s *server) Init(self *genserver.Self) error {
	s.self = self
	self.TrapExit(true)
	s.entries = make(map[ID]*entry)
	s.owners = make(map[process.PID]*owner)
	s.workers = make(map[process.PID]*delivery)
	return s.reload()
}

// HandleCall serves the client API.
func (s *server) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	switch r := req.(type) {
	case *addReq:
		return s.add(r.e, r.delay)
	case cancelReq:
		return nil, s.cancel(r.id)
	case listReq:
		return s.list(), nil
	}
	return nil, fmt.Errorf("%w: unknown request %T", ErrInvalidOption, req)
}

// HandleInfo handles timers, owner deaths and ended deliveries.
func (s *server) HandleInfo(_ *genserver.Self, msg any) error {
	switch m := msg.(type) {
	case fire:
		s.fire(m)
	case process.Down:
		s.ownerDown(m)
	case process.Exit:
		s.deliveryEnded(m)
	}
	return nil
}

// Terminate stops the running deliveries; the timers and monitors die
// with the process.
func (s *server) Terminate(_ *genserver.Self, _ error) {
	for pid := range s.workers {
		_ = s.self.Exit(pid, process.Shutdown)
	}
}

func (s *server) add(e *entry, delay time.Duration) (ID, error) {
	if _, ok := s.entries[e.id]; ok || e.id == "" {
		if !e.generated {
			return "", fmt.Errorf("%w: %q", ErrDuplicateID, string(e.id))
		}
		e.id = s.newID() // a random id that collided: pick another
	}
	now := time.Now()
	if e.kind == After {
		e.next = now.Add(delay + s.jitter(e))
	} else {
		e.next = s.nextTime(e, now)
	}
	if e.durable {
		if err := s.put(e); err != nil {
			return "", err
		}
	}
	if err := s.watch(e); err != nil {
		return "", err
	}
	s.entries[e.id] = e
	s.arm(e)
	s.emitAdded(e, false)
	return e.id, nil
}

func (s *server) newID() ID {
	for {
		id := newID()
		if _, ok := s.entries[id]; !ok {
			return id
		}
	}
}

// jitter returns a random delay in [0, e.jitter].
func (s *server) jitter(e *entry) time.Duration {
	if e.jitter <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(e.jitter) + 1))
}

// nextTime returns when a repeating schedule fires after now, or the
// zero time when a cron expression matches no later time.
func (s *server) nextTime(e *entry, now time.Time) time.Time {
	var t time.Time
	switch e.kind {
	case Every:
		t = now.Add(e.interval)
	case Cron:
		t = e.cron.Next(now)
	}
	if t.IsZero() {
		return t
	}
	return t.Add(s.jitter(e))
}

// arm starts e's timer for e.next (at once if it has passed).
func (s *server) arm(e *entry) {
	e.seq++
	ref, err := s.self.SendAfter(s.self.PID(), fire{id: e.id, seq: e.seq}, max(time.Until(e.next), 0))
	if err != nil { // only when the scheduler itself is dying
		return
	}
	e.timer = ref
}

// watch monitors e's owner, once per owner.
func (s *server) watch(e *entry) error {
	if e.owner.IsZero() {
		return nil
	}
	o := s.owners[e.owner]
	if o == nil {
		ref, err := s.self.Monitor(e.owner)
		if err != nil {
			return fmt.Errorf("schedule: monitor owner %v: %w", e.owner, err)
		}
		o = &owner{ref: ref, ids: make(map[ID]struct{}, 1)}
		s.owners[e.owner] = o
	}
	o.ids[e.id] = struct{}{}
	return nil
}

// unwatch forgets e in its owner's set, and the owner with its last
// schedule.
func (s *server) unwatch(e *entry) {
	o := s.owners[e.owner]
	if o == nil {
		return
	}
	delete(o.ids, e.id)
	if len(o.ids) == 0 {
		s.self.Demonitor(o.ref, true)
		delete(s.owners, e.owner)
	}
}

// drop removes e from the scheduler: entry, timer and owner.
func (s *server) drop(e *entry) {
	delete(s.entries, e.id)
	s.self.Node().CancelTimer(e.timer)
	s.unwatch(e)
}

func (s *server) cancel(id ID) error {
	e := s.entries[id]
	if e == nil {
		return &NotFoundError{ID: id}
	}
	if e.durable {
		if err := s.storeDelete(id); err != nil {
			return err // still scheduled, still stored: nothing half done
		}
	}
	s.drop(e)
	s.emitCancelled(e, ReasonCancel)
	return nil
}

func (s *server) ownerDown(d process.Down) {
	o := s.owners[d.PID]
	if o == nil || o.ref != d.Ref {
		return
	}
	delete(s.owners, d.PID)
	ids := make([]ID, 0, len(o.ids))
	for id := range o.ids {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if e := s.entries[id]; e != nil {
			s.drop(e)
			s.emitCancelled(e, ReasonOwnerDown)
		}
	}
}

func (s *server) list() []Info {
	out := make([]Info, 0, len(s.entries))
	for _, e := range s.entries {
		out = append(out, Info{
			ID: e.id, Kind: e.kind, Spec: e.spec, Dest: e.dest, Owner: e.owner,
			Jitter: e.jitter, Next: e.next, Durable: e.durable,
			Runs: e.runs, Failures: e.failures, Skipped: e.skipped,
		})
	}
	slices.SortFunc(out, func(a, b Info) int {
		return cmp.Or(a.Next.Compare(b.Next), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// fire runs a schedule whose time has come: it re-arms a repeating one
// (or removes an After) and starts the delivery.
func (s *server) fire(m fire) {
	e := s.entries[m.id]
	if e == nil || e.seq != m.seq {
		return // cancelled, or a timer that was replaced
	}
	now := time.Now()
	e.runs++
	s.emitFired(e, now.Sub(e.next))
	last := e.kind == After
	if !last {
		if e.next = s.nextTime(e, now); e.next.IsZero() {
			last = true // a cron expression with no later match
		}
	}
	if last {
		s.drop(e)
	} else {
		s.arm(e)
	}
	s.deliver(e, last)
}

// deliver sends e's message: inline with a liveness-checked send
// ([sendLive]) when no Deliverer is set, else in a linked delivery
// process, at most one per schedule.
func (s *server) deliver(e *entry, last bool) {
	if !e.worker.IsZero() {
		e.skipped++
		s.emitSkipped(e)
		if last {
			s.finish(e, last, errSkipped)
		}
		return
	}
	if s.cfg.deliverer == nil {
		s.finish(e, last, sendLive(s.self.Proc, e.dest, e.msg))
		return
	}
	pid, err := s.spawnDelivery(e)
	if err != nil {
		s.finish(e, last, err)
		return
	}
	e.worker = pid
	s.workers[pid] = &delivery{e: e, last: last}
}

// sendLive is the default delivery: it resolves dest, checks that the
// process is alive, and enqueues msg from the scheduler process. Unlike a
// plain send, which drops a message to a dead process silently, a dead
// PID or an unregistered name is an error matching [process.NoProc], so
// the firing is reported as a failed delivery. A process that dies
// between the check and the enqueue still loses the message, as any
// send without a reply would.
func sendLive(self *process.Proc, dest process.Dest, msg any) error {
	t, err := live.Target(dest)
	if err != nil {
		return err
	}
	return self.Send(t.PID(), msg)
}

// errSkipped is the failure of a last firing that could not deliver
// because the previous delivery was still running.
var errSkipped = errors.New("schedule: previous delivery still running")

func (s *server) spawnDelivery(e *entry) (process.PID, error) {
	d, dest, msg, timeout := s.cfg.deliverer, e.dest, e.msg, s.cfg.deliveryTimeout
	return s.self.Spawn(func(p *process.Proc) error {
		ctx, cancel := context.WithTimeout(p.Context(), timeout)
		defer cancel()
		if err := d.Deliver(ctx, dest, msg); err != nil {
			return &deliveryError{err: err}
		}
		return nil
	}, asScheduleDelivery, process.Linked())
}

// deliveryEnded handles the exit of a delivery process (or of any other
// linked process, which is ignored).
func (s *server) deliveryEnded(x process.Exit) {
	d := s.workers[x.From]
	if d == nil {
		return
	}
	delete(s.workers, x.From)
	d.e.worker = process.PID{}
	var err error
	var de *deliveryError
	switch {
	case errors.As(x.Reason, &de):
		err = de.err
	case !errors.Is(x.Reason, process.Normal) && x.Reason != nil:
		err = x.Reason // a panic, or killed
	}
	s.finish(d.e, d.last, err)
}

// finish accounts for a delivery: a failure is reported, and the stored
// record of a last firing is deleted.
func (s *server) finish(e *entry, last bool, err error) {
	if last && e.durable {
		_ = s.storeDelete(e.id)
	}
	if err == nil {
		return
	}
	e.failures++
	f := Failure{ID: e.id, Kind: e.kind, Dest: e.dest, Msg: e.msg, Reason: err, Last: last}
	s.emitFailed(f)
	if s.cfg.onFailure != nil {
		s.cfg.onFailure(f)
	}
}

// storeContext bounds one store operation by the store timeout and the
// scheduler's life, not by the deadline of the call being handled
// (Self.Context): an Add whose caller timed out still completes, so the id
// it returned names a schedule the scheduler holds.
func (s *server) storeContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.self.Proc.Context(), s.cfg.storeTimeout)
}

func (s *server) put(e *entry) error {
	if s.cfg.store == nil {
		return ErrNoStore
	}
	dest, err := recordOf(e.dest)
	if err != nil {
		return err
	}
	name, data, err := s.cfg.codec.Encode(e.msg)
	if err != nil {
		return err
	}
	r := Record{ID: e.id, Kind: e.kind, Spec: e.spec, Dest: dest, MsgType: name, Msg: data, Next: e.next, Jitter: e.jitter}
	ctx, cancel := s.storeContext()
	defer cancel()
	if err := s.cfg.store.Put(ctx, r); err != nil {
		s.emitStoreFailed(e.id, "put", err)
		return err
	}
	return nil
}

func (s *server) storeDelete(id ID) error {
	ctx, cancel := s.storeContext()
	defer cancel()
	if err := s.cfg.store.Delete(ctx, id); err != nil {
		s.emitStoreFailed(id, "delete", err)
		return err
	}
	return nil
}

// reload re-arms the durable schedules of the store: an After fires at
// its stored time (at once if that has passed), Every and Cron from now.
// A record that cannot be decoded or rebuilt is reported and left in the
// store; only a store that cannot be listed at all fails the start.
func (s *server) reload() error {
	if s.cfg.store == nil {
		return nil
	}
	ctx, cancel := s.storeContext()
	defer cancel()
	records, err := s.cfg.store.List(ctx)
	var bad *BadRecordsError
	if errors.As(err, &bad) {
		for _, b := range bad.Records {
			s.emitStoreFailed(b.ID, "reload", b.Err)
		}
	} else if err != nil {
		return fmt.Errorf("schedule: reload: %w", err)
	}
	now := time.Now()
	for _, r := range records {
		e, err := s.entryOf(r, now)
		if err != nil {
			s.emitStoreFailed(r.ID, "reload", err)
			continue
		}
		s.entries[e.id] = e
		s.arm(e)
		s.emitAdded(e, true)
	}
	return nil
}

// entryOf rebuilds a durable schedule from its record.
func (s *server) entryOf(r Record, now time.Time) (*entry, error) {
	if !validID(r.ID) {
		return nil, fmt.Errorf("%w: stored id %q", ErrInvalidOption, string(r.ID))
	}
	if _, ok := s.entries[r.ID]; ok {
		return nil, fmt.Errorf("%w: %q", ErrDuplicateID, string(r.ID))
	}
	msg, err := s.cfg.codec.Decode(r.MsgType, r.Msg)
	if err != nil {
		return nil, err
	}
	dest, err := s.cfg.destOf(s.self.Node(), r.Dest)
	if err != nil {
		return nil, err
	}
	e := &entry{id: r.ID, kind: r.Kind, spec: r.Spec, dest: dest, msg: msg, jitter: r.Jitter, durable: true}
	switch r.Kind {
	case After:
		e.next = r.Next
		return e, nil
	case Every:
		if e.interval, err = time.ParseDuration(r.Spec); err != nil || e.interval <= 0 {
			return nil, fmt.Errorf("%w: stored interval %q", ErrInvalidOption, r.Spec)
		}
	case Cron:
		if e.cron, err = parseCron(r.Spec, now); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: stored kind %s", ErrInvalidOption, strconv.Itoa(int(r.Kind)))
	}
	e.next = s.nextTime(e, now)
	return e, nil
}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asScheduleDelivery = rt.Behaviour("schedule.delivery")
)

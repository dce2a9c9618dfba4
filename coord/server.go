package coord

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Requests and timer messages of the coordinator process.
type (
	lockReq struct {
		key, name string
		election  bool
		holder    process.PID
		lease     time.Duration
		try       bool
		id        uint64
	}
	releaseReq struct {
		key   string
		token uint64
	}
	cancelReq struct {
		key string
		id  uint64
	}
	resignReq struct {
		key    string
		holder process.PID
	}
	leaderReq struct{ key, name string }
	watchReq  struct {
		key, name string
		watcher   process.PID
	}
	awaitReq struct {
		name         string
		n            int
		holder       process.PID
		timeout      time.Duration
		participants []process.PID
		id           uint64
	}
	cancelAwait struct {
		name string
		id   uint64
	}
	renewTick struct {
		key   string
		token uint64
	}
	retryTick      struct{ key string }
	barrierTimeout struct {
		name  string
		round uint64
	}
)

// use says what a monitor is for.
type use struct {
	key     string // lock or election key
	barrier string // barrier name
	pid     process.PID
	kind    useKind
}

type useKind int

const (
	useHolder useKind = iota
	useWaiter
	useWatcher
	useParticipant
)

type waiter struct {
	from    genserver.From
	hasFrom bool
	holder  process.PID
	ref     process.Ref
	id      uint64
	lease   time.Duration
}

type lockState struct {
	key, name string
	election  bool

	held      bool
	cur       Lease
	holder    process.PID
	holderRef process.Ref
	id        uint64
	lastRenew time.Time

	waiters    []*waiter
	retryArmed bool

	watchers map[process.PID]process.Ref
	known    Leader // last announced to watchers
}

type arrival struct {
	from genserver.From
	pid  process.PID
	id   uint64
}

type barrierState struct {
	name     string
	n        int
	round    uint64
	arrivals []arrival
	refs     map[process.PID]process.Ref
	declared bool
	timer    process.TimerRef
}

type roundInfo struct {
	from  genserver.From
	name  string
	round uint64
}

type server struct {
	cfg      config
	id       string
	locks    map[string]*lockState
	monitors map[process.Ref]use
	barriers map[string]*barrierState
	bRounds  map[string]uint64
	cRounds  map[string]uint64
	rounds   map[process.PID]roundInfo
}

func newServer(cfg config) *server {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return &server{
		cfg:      cfg,
		id:       hex.EncodeToString(b[:]),
		locks:    map[string]*lockState{},
		monitors: map[process.Ref]use{},
		barriers: map[string]*barrierState{},
		bRounds:  map[string]uint64{},
		cRounds:  map[string]uint64{},
		rounds:   map[process.PID]roundInfo{},
	}
}

// Init traps exits, so that a crashing consensus round (linked) is
// reported to its proposer instead of taking the coordinator down.
func (s *server) Init(self *genserver.Self) error {
	self.TrapExit(true)
	return nil
}

func (s *server) bctx(self *genserver.Self) (context.Context, context.CancelFunc) {
	return context.WithTimeout(self.Context(), s.cfg.backendTimeout)
}

func (s *server) owner(pid process.PID) string { return s.id + "/" + pid.String() }

func (s *server) monitor(self *genserver.Self, pid process.PID, u use) (process.Ref, error) {
	ref, err := self.Monitor(pid)
	if err != nil {
		return ref, err
	}
	s.monitors[ref] = u
	return ref, nil
}

func (s *server) demonitor(self *genserver.Self, ref process.Ref) {
	if _, ok := s.monitors[ref]; ok {
		delete(s.monitors, ref)
		self.Demonitor(ref, true)
	}
}

func (s *server) lockFor(key, name string, election bool) *lockState {
	st, ok := s.locks[key]
	if !ok {
		st = &lockState{key: key, name: name, election: election, watchers: map[process.PID]process.Ref{}}
		s.locks[key] = st
	}
	if name != "" {
		st.name = name
	}
	return st
}

// HandleCall dispatches the coordinator's requests.
func (s *server) HandleCall(self *genserver.Self, from genserver.From, req any) (any, error) {
	switch r := req.(type) {
	case lockReq:
		return s.handleLock(self, from, r)
	case releaseReq:
		st, ok := s.locks[r.key]
		if !ok || !st.held || st.cur.Token != r.token {
			return nil, ErrNotHeld
		}
		s.release(self, st)
		s.pump(self, st)
		return struct{}{}, nil
	case resignReq:
		return s.handleResign(self, r)
	case leaderReq:
		return s.handleLeader(self, r)
	case watchReq:
		return s.handleWatch(self, r)
	case awaitReq:
		return s.handleAwait(self, from, r)
	case proposeReq:
		s.cRounds[r.p.Name]++
		round := s.cRounds[r.p.Name]
		pid, err := self.Spawn(roundFunc(self.PID(), r.p, round, r.deadline), process.Linked(), asCoordRound)
		if err != nil {
			return nil, err
		}
		s.rounds[pid] = roundInfo{from: from, name: r.p.Name, round: round}
		self.NoReply()
		return nil, nil
	}
	return nil, fmt.Errorf("coord: unknown request %T", req)
}

// HandleCast takes the cancellations of callers that gave up.
func (s *server) HandleCast(self *genserver.Self, msg any) error {
	switch m := msg.(type) {
	case cancelReq:
		st, ok := s.locks[m.key]
		if !ok {
			return nil
		}
		if st.held && st.id == m.id {
			s.release(self, st)
		} else {
			s.dropWaiter(self, st, func(w *waiter) bool { return w.id == m.id }, nil)
		}
		s.pump(self, st)
		s.gc(st)
	case cancelAwait:
		if b, ok := s.barriers[m.name]; ok {
			for i, a := range b.arrivals {
				if a.id == m.id {
					// The participant stays monitored: its death still
					// fails the round for the others.
					b.arrivals = append(b.arrivals[:i], b.arrivals[i+1:]...)
					break
				}
			}
		}
	}
	return nil
}

func (s *server) handleLock(self *genserver.Self, from genserver.From, r lockReq) (any, error) {
	op := "coord: Coordinator.Lock"
	if r.election {
		op = "coord: Coordinator.Campaign"
	}
	st := s.lockFor(r.key, r.name, r.election)
	if st.held && st.holder == r.holder {
		if r.election {
			return struct{}{}, nil
		}
		return nil, invalid(op, "holder", "already holds this lock (locks are not reentrant)")
	}
	for _, w := range st.waiters {
		if w.holder == r.holder {
			if r.election {
				return struct{}{}, nil
			}
			return nil, invalid(op, "holder", "already waits for this lock")
		}
	}
	if r.try {
		if st.held {
			return nil, &HeldError{Key: r.key, Owner: st.cur.Owner, Token: st.cur.Token}
		}
		if len(st.waiters) > 0 {
			// Held elsewhere (in the backend): the waiters are queued for it.
			return nil, &HeldError{Key: r.key, Owner: st.known.Owner, Token: st.known.Token}
		}
		ctx, cancel := s.bctx(self)
		l, err := s.cfg.backend.Acquire(ctx, r.key, s.owner(r.holder), r.lease)
		cancel()
		if err != nil {
			s.gc(st)
			return nil, err
		}
		ref, err := s.monitor(self, r.holder, use{key: r.key, pid: r.holder, kind: useHolder})
		if err != nil {
			s.releaseLease(self, l)
			s.gc(st)
			return nil, err
		}
		s.grant(self, st, &waiter{holder: r.holder, ref: ref, id: r.id, lease: r.lease}, l)
		return grant{token: l.Token}, nil
	}
	ref, err := s.monitor(self, r.holder, use{key: r.key, pid: r.holder, kind: useWaiter})
	if err != nil {
		s.gc(st)
		return nil, err
	}
	w := &waiter{holder: r.holder, ref: ref, id: r.id, lease: r.lease}
	if r.election {
		// A candidate's Campaign returns now; winning is a message.
		defer s.pump(self, st)
		st.waiters = append(st.waiters, w)
		return struct{}{}, nil
	}
	w.from, w.hasFrom = from, true
	st.waiters = append(st.waiters, w)
	self.NoReply()
	s.pump(self, st)
	return nil, nil
}

// pump gives the lock to its first waiter if the backend lets it.
func (s *server) pump(self *genserver.Self, st *lockState) {
	if st.held || len(st.waiters) == 0 {
		s.pollLater(self, st)
		return
	}
	w := st.waiters[0]
	ctx, cancel := s.bctx(self)
	l, err := s.cfg.backend.Acquire(ctx, st.key, s.owner(w.holder), w.lease)
	cancel()
	if err != nil {
		var he *HeldError
		if errors.As(err, &he) && he.Token != 0 {
			s.announce(self, st, Leader{Name: st.name, Owner: he.Owner, Token: he.Token})
		}
		s.pollLater(self, st)
		return
	}
	st.waiters = st.waiters[1:]
	s.monitors[w.ref] = use{key: st.key, pid: w.holder, kind: useHolder}
	s.grant(self, st, w, l)
}

// pollLater arms the retry timer when the key is wanted (waiters) or
// watched, and held elsewhere.
func (s *server) pollLater(self *genserver.Self, st *lockState) {
	if st.retryArmed || st.held || (len(st.waiters) == 0 && len(st.watchers) == 0) {
		return
	}
	d := s.cfg.retry
	if l := st.lease(); l > 0 && l/4 < d {
		d = l / 4
	}
	//orchardvet:allow selftimer a retry of one lease operation, re-armed only while a waiter needs it; a one-shot deadline, not periodic work
	if _, err := self.SendAfter(self.PID(), retryTick{key: st.key}, d); err == nil {
		st.retryArmed = true
	}
}

// lease is the shortest lease wanted for st, for the retry interval.
func (st *lockState) lease() time.Duration {
	var d time.Duration
	for _, w := range st.waiters {
		if d == 0 || w.lease < d {
			d = w.lease
		}
	}
	return d
}

func (s *server) grant(self *genserver.Self, st *lockState, w *waiter, l Lease) {
	st.held, st.cur, st.holder, st.holderRef, st.id = true, l, w.holder, w.ref, w.id
	st.lastRenew = time.Now()
	//orchardvet:allow selftimer the lease keep-alive of one held lock, ending with the lease (OTP: erlang:start_timer in a gen_server)
	_, _ = self.SendAfter(self.PID(), renewTick{key: st.key, token: l.Token}, renewEvery(l.TTL))
	if w.hasFrom {
		genserver.Reply(w.from, grant{token: l.Token})
	}
	if st.election {
		_ = self.Send(w.holder, Elected{Name: st.name, Token: l.Token})
		s.announce(self, st, Leader{Name: st.name, Leader: w.holder, Owner: l.Owner, Token: l.Token})
	}
}

// release frees st's current lease (the holder released, died or
// resigned).
func (s *server) release(self *genserver.Self, st *lockState) {
	s.demonitor(self, st.holderRef)
	s.releaseLease(self, st.cur)
	s.unhold(self, st)
}

func (s *server) releaseLease(self *genserver.Self, l Lease) {
	ctx, cancel := s.bctx(self)
	defer cancel()
	// A lease already lost needs no release; any other failure leaves
	// the lease to expire by its TTL.
	_ = s.cfg.backend.Release(ctx, l)
}

func (s *server) unhold(self *genserver.Self, st *lockState) {
	st.held, st.cur, st.holder, st.holderRef, st.id = false, Lease{}, process.PID{}, process.Ref{}, 0
	if st.election && len(st.waiters) == 0 {
		s.announce(self, st, Leader{Name: st.name})
	}
}

// announce tells st's watchers about a leader they have not seen.
func (s *server) announce(self *genserver.Self, st *lockState, l Leader) {
	if !st.election || (l.Token == st.known.Token && l.Owner == st.known.Owner) {
		return
	}
	st.known = l
	for w := range st.watchers {
		_ = self.Send(w, LeaderChanged(l))
	}
}

func (s *server) dropWaiter(self *genserver.Self, st *lockState, match func(*waiter) bool, reason error) bool {
	for i, w := range st.waiters {
		if match(w) {
			st.waiters = append(st.waiters[:i], st.waiters[i+1:]...)
			s.demonitor(self, w.ref)
			if w.hasFrom && reason != nil {
				genserver.ReplyError(w.from, reason)
			}
			return true
		}
	}
	return false
}

// gc forgets a lock nobody holds, waits for or watches.
func (s *server) gc(st *lockState) {
	if !st.held && len(st.waiters) == 0 && len(st.watchers) == 0 && !st.retryArmed {
		delete(s.locks, st.key)
	}
}

func (s *server) handleResign(self *genserver.Self, r resignReq) (any, error) {
	st, ok := s.locks[r.key]
	if !ok {
		return nil, ErrNotHeld
	}
	defer s.gc(st)
	if st.held && st.holder == r.holder {
		s.release(self, st)
		s.pump(self, st)
		return struct{}{}, nil
	}
	if s.dropWaiter(self, st, func(w *waiter) bool { return w.holder == r.holder }, nil) {
		return struct{}{}, nil
	}
	return nil, ErrNotHeld
}

func (s *server) handleLeader(self *genserver.Self, r leaderReq) (any, error) {
	if st, ok := s.locks[r.key]; ok && st.held {
		return Leader{Name: r.name, Leader: st.holder, Owner: st.cur.Owner, Token: st.cur.Token}, nil
	}
	ctx, cancel := s.bctx(self)
	defer cancel()
	l, err := s.cfg.backend.Holder(ctx, r.key)
	if err != nil {
		return nil, err
	}
	return Leader{Name: r.name, Owner: l.Owner, Token: l.Token}, nil
}

func (s *server) handleWatch(self *genserver.Self, r watchReq) (any, error) {
	st := s.lockFor(r.key, r.name, true)
	if _, ok := st.watchers[r.watcher]; ok {
		return struct{}{}, nil
	}
	ref, err := s.monitor(self, r.watcher, use{key: r.key, pid: r.watcher, kind: useWatcher})
	if err != nil {
		s.gc(st)
		return nil, err
	}
	st.watchers[r.watcher] = ref
	cur := st.known
	if st.held {
		cur = Leader{Name: st.name, Leader: st.holder, Owner: st.cur.Owner, Token: st.cur.Token}
	} else {
		ctx, cancel := s.bctx(self)
		if l, err := s.cfg.backend.Holder(ctx, r.key); err == nil {
			cur = Leader{Name: st.name, Owner: l.Owner, Token: l.Token}
		}
		cancel()
	}
	st.known = cur
	cur.Name = st.name
	_ = self.Send(r.watcher, LeaderChanged(cur))
	s.pollLater(self, st)
	return struct{}{}, nil
}

// HandleInfo handles monitors, timers and the end of consensus rounds.
func (s *server) HandleInfo(self *genserver.Self, msg any) error {
	switch m := msg.(type) {
	case process.Down:
		u, ok := s.monitors[m.Ref]
		if !ok {
			return nil
		}
		delete(s.monitors, m.Ref)
		s.down(self, u, m.Reason)
	case renewTick:
		s.renew(self, m)
	case retryTick:
		st, ok := s.locks[m.key]
		if !ok {
			return nil
		}
		st.retryArmed = false
		if len(st.waiters) == 0 && !st.held && len(st.watchers) > 0 {
			ctx, cancel := s.bctx(self)
			l, err := s.cfg.backend.Holder(ctx, st.key)
			cancel()
			switch {
			case err == nil:
				s.announce(self, st, Leader{Name: st.name, Owner: l.Owner, Token: l.Token})
			case errors.Is(err, ErrNotHeld):
				s.announce(self, st, Leader{Name: st.name})
			}
		}
		s.pump(self, st)
		s.gc(st)
	case barrierTimeout:
		if b, ok := s.barriers[m.name]; ok && b.round == m.round {
			s.failBarrier(self, b, &BarrierError{Name: b.name, Round: b.round, Reason: ErrBarrierTimeout})
		}
	case roundDone:
		if info, ok := s.rounds[m.pid]; ok {
			delete(s.rounds, m.pid)
			if m.err != nil {
				genserver.ReplyError(info.from, m.err)
			} else {
				genserver.Reply(info.from, m.dec)
			}
		}
	case process.Exit:
		if info, ok := s.rounds[m.From]; ok {
			delete(s.rounds, m.From)
			genserver.ReplyError(info.from, &ConsensusError{Name: info.name, Round: info.round, Err: ErrRoundFailed, Cause: m.Reason})
		}
	}
	return nil
}

func (s *server) down(self *genserver.Self, u use, reason error) {
	if u.kind == useParticipant {
		if b, ok := s.barriers[u.barrier]; ok {
			s.failBarrier(self, b, &BarrierError{Name: b.name, Round: b.round, Reason: ErrParticipantDown, PID: u.pid, Exit: reason})
		}
		return
	}
	st, ok := s.locks[u.key]
	if !ok {
		return
	}
	switch u.kind {
	case useHolder:
		if st.held && st.holder == u.pid {
			s.releaseLease(self, st.cur)
			st.holderRef = process.Ref{}
			s.unhold(self, st)
			s.pump(self, st)
		}
	case useWaiter:
		for i, w := range st.waiters {
			if w.holder == u.pid {
				st.waiters = append(st.waiters[:i], st.waiters[i+1:]...)
				if w.hasFrom {
					genserver.ReplyError(w.from, ErrHolderDown)
				}
				break
			}
		}
	case useWatcher:
		delete(st.watchers, u.pid)
	}
	s.gc(st)
}

func (s *server) renew(self *genserver.Self, m renewTick) {
	st, ok := s.locks[m.key]
	if !ok || !st.held || st.cur.Token != m.token {
		return
	}
	ctx, cancel := s.bctx(self)
	l, err := s.cfg.backend.Renew(ctx, st.cur)
	cancel()
	if err == nil {
		st.cur, st.lastRenew = l, time.Now()
		//orchardvet:allow selftimer the lease keep-alive of one held lock, ending with the lease
		_, _ = self.SendAfter(self.PID(), renewTick{key: st.key, token: l.Token}, renewEvery(l.TTL))
		return
	}
	if !errors.Is(err, ErrLeaseLost) && time.Since(st.lastRenew) < st.cur.TTL {
		// A backend hiccup: try again soon, while the lease still holds.
		//orchardvet:allow selftimer a quick retry of a failed renewal while the lease still holds
		_, _ = self.SendAfter(self.PID(), m, renewEvery(st.cur.TTL)/2+1)
		return
	}
	holder, token := st.holder, st.cur.Token
	s.demonitor(self, st.holderRef)
	s.unhold(self, st)
	_ = self.Send(holder, LeaseLost{Name: st.name, Token: token})
	s.pump(self, st)
	s.gc(st)
}

func (s *server) handleAwait(self *genserver.Self, from genserver.From, r awaitReq) (any, error) {
	const op = "coord: Coordinator.Await"
	b, ok := s.barriers[r.name]
	if !ok {
		s.bRounds[r.name]++
		b = &barrierState{name: r.name, n: r.n, round: s.bRounds[r.name], refs: map[process.PID]process.Ref{}, declared: len(r.participants) > 0}
		s.barriers[r.name] = b
		for _, p := range r.participants {
			ref, err := s.monitor(self, p, use{barrier: r.name, pid: p, kind: useParticipant})
			if err != nil {
				s.failBarrier(self, b, &BarrierError{Name: b.name, Round: b.round, Reason: ErrParticipantDown, PID: p, Exit: err})
				return nil, &BarrierError{Name: b.name, Round: b.round, Reason: ErrParticipantDown, PID: p, Exit: err}
			}
			b.refs[p] = ref
		}
		if tr, err := self.SendAfter(self.PID(), barrierTimeout{name: r.name, round: b.round}, r.timeout); err == nil {
			b.timer = tr
		}
	}
	if b.n != r.n {
		return nil, invalid(op, "n", fmt.Sprintf("is %d but barrier %q has %d participants", r.n, r.name, b.n))
	}
	for _, a := range b.arrivals {
		if a.pid == r.holder {
			return nil, invalid(op, "holder", fmt.Sprintf("%v already waits at barrier %q", r.holder, r.name))
		}
	}
	if _, known := b.refs[r.holder]; !known {
		if b.declared {
			return nil, invalid(op, "holder", fmt.Sprintf("%v is not a declared participant of barrier %q", r.holder, r.name))
		}
		ref, err := s.monitor(self, r.holder, use{barrier: r.name, pid: r.holder, kind: useParticipant})
		if err != nil {
			return nil, err
		}
		b.refs[r.holder] = ref
	}
	b.arrivals = append(b.arrivals, arrival{from: from, pid: r.holder, id: r.id})
	if len(b.arrivals) < b.n {
		self.NoReply()
		return nil, nil
	}
	round := Round{Name: b.name, Round: b.round}
	for _, a := range b.arrivals {
		round.Participants = append(round.Participants, a.pid)
	}
	s.endBarrier(self, b)
	for _, a := range b.arrivals[:len(b.arrivals)-1] {
		genserver.Reply(a.from, round)
	}
	return round, nil
}

func (s *server) endBarrier(self *genserver.Self, b *barrierState) {
	for _, ref := range b.refs {
		s.demonitor(self, ref)
	}
	self.Node().CancelTimer(b.timer)
	delete(s.barriers, b.name)
}

func (s *server) failBarrier(self *genserver.Self, b *barrierState, err *BarrierError) {
	s.endBarrier(self, b)
	for _, a := range b.arrivals {
		genserver.ReplyError(a.from, err)
	}
}

// Terminate releases every lease the coordinator holds, so the next
// holder (through another coordinator sharing the backend) need not
// wait for them to expire.
func (s *server) Terminate(self *genserver.Self, _ error) {
	for _, st := range s.locks {
		if st.held {
			s.releaseLease(self, st.cur)
		}
	}
}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asCoordRound = rt.Behaviour("coord.round")
)

package coord

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

// QuorumRule is how many yes votes accept a proposal.
type QuorumRule int

const (
	// Majority accepts with more than half of the voters voting yes.
	Majority QuorumRule = iota
	// Unanimous accepts only when every voter votes yes.
	Unanimous
	// AtLeastK accepts with at least Proposal.K yes votes.
	AtLeastK
)

// String returns the rule's name.
func (q QuorumRule) String() string {
	switch q {
	case Majority:
		return "majority"
	case Unanimous:
		return "unanimous"
	case AtLeastK:
		return "at_least_k"
	}
	return fmt.Sprintf("QuorumRule(%d)", int(q))
}

// DecisionTimeout bounds the delivery of a round's decision to its
// voters (every attempt of the all-or-nothing broadcast).
const DecisionTimeout = 5 * time.Second

// Proposal is a value put to a vote by [Coordinator.Propose].
type Proposal struct {
	// Name names the consensus; its rounds are numbered from 1.
	Name string
	// Value is what is voted on; voters see it in the VoteRequest.
	Value any
	// Voters are the participants: PIDs, names or registry via-names,
	// resolved when the round starts (one that does not resolve is an
	// absent vote). Each must appear once.
	Voters []process.Dest
	// Rule and K say how many yes votes accept (K for AtLeastK only).
	Rule QuorumRule
	K    int
	// Timeout bounds the voting (zero: DefaultVoteTimeout); a voter that
	// has not voted by then is absent.
	Timeout time.Duration
	// Confirm is the delivery confirmation of the decision's broadcast
	// (send.Enqueued by default; send.Handled waits until each voter's
	// GenServer handled it).
	Confirm send.Level
	// Sender delivers the vote requests and the decision (nil:
	// send.Default()).
	Sender *send.Sender
	// OnError is what the decision's broadcast does with a delivery that
	// fails for good (send.Return by default); send.DeadLetter keeps it
	// in the dead-letter sink of Sender, which must have one.
	OnError send.OnError
}

// VoteRequest is the message each voter receives for a round. The
// voter answers with [VoteRequest.Vote], from any goroutine, before
// Deadline.
type VoteRequest struct {
	// Name and Round identify the round.
	Name  string
	Round uint64
	// Value is the proposed value.
	Value any
	// Voter is the process this request was sent to.
	Voter process.PID
	// Deadline is when the voting ends.
	Deadline time.Time

	round process.PID
	node  *process.Node
}

type voteMsg struct {
	round  uint64
	voter  process.PID
	accept bool
}

// Vote casts the voter's vote. A vote after the round ended is
// dropped; a second vote is ignored.
func (r VoteRequest) Vote(accept bool) error {
	if r.node == nil || r.round.IsZero() {
		return invalid("coord: VoteRequest.Vote", "receiver", "is not a request from a consensus round")
	}
	return r.node.Send(r.round, voteMsg{round: r.Round, voter: r.Voter, accept: accept})
}

// Decision is a round's outcome, delivered to every live voter (as a
// message) and returned to the proposer.
type Decision struct {
	// Name and Round identify the round.
	Name  string
	Round uint64
	// Value is the proposed value; Accepted says whether the rule
	// accepted it.
	Value    any
	Accepted bool
	// Yes, No and Absent are the voters by vote; Absent holds those that
	// died, could not be reached, or had not voted when the round was
	// decided (at the timeout, or as soon as the outcome was certain).
	Yes, No, Absent []process.PID
	// Unresolved are the voters whose destination named no process.
	Unresolved []process.Dest
}

type proposeReq struct {
	p        Proposal
	deadline time.Time
}

type roundDone struct {
	pid process.PID
	dec Decision
	err error
}

// Propose runs one consensus round: it sends a [VoteRequest] to each
// voter (by supervised send), collects votes until the rule is met or
// cannot be met any more, or until the timeout (the earlier of
// Proposal.Timeout and ctx's deadline), and decides. A voter that dies
// or cannot be reached is an absent vote, which is never a yes: under
// Unanimous any absent voter rejects, under Majority and AtLeastK it
// only lowers the count of possible yes votes. The decision is then
// delivered to every live voter by a supervised all-or-nothing
// broadcast (confirmation, retries, dead letters through the Sender);
// only when that succeeds does Propose return it. Otherwise it returns
// a *[ConsensusError] matching [ErrNotDelivered], and the round has no
// outcome (voters reached before a delivery failed keep the decision
// they got, as send's all-or-nothing broadcast says: they must treat
// it as provisional until the proposer acts on it). The round runs in
// its own process, linked to the coordinator; a round that crashes is
// a *ConsensusError matching [ErrRoundFailed]. If ctx ends first,
// Propose returns the call's error while the round still finishes and
// delivers its decision.
func (c *Coordinator) Propose(ctx context.Context, p Proposal) (Decision, error) {
	const op = "coord: Coordinator.Propose"
	dest, err := c.target(op)
	if err != nil {
		return Decision{}, err
	}
	if ctx == nil {
		return Decision{}, isNil(op, "ctx")
	}
	if err := checkProposal(op, p); err != nil {
		return Decision{}, err
	}
	if p.Timeout == 0 {
		p.Timeout = DefaultVoteTimeout
	}
	deadline := time.Now().Add(p.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	p.Voters = append([]process.Dest(nil), p.Voters...)
	return genserver.Call[Decision](ctx, dest, proposeReq{p: p, deadline: deadline})
}

func checkProposal(op string, p Proposal) error {
	switch {
	case p.Name == "":
		return empty(op, "Proposal.Name")
	case len(p.Voters) == 0:
		return empty(op, "Proposal.Voters")
	case p.Timeout < 0:
		return invalid(op, "Proposal.Timeout", "must not be negative")
	case p.Rule < Majority || p.Rule > AtLeastK:
		return invalid(op, "Proposal.Rule", fmt.Sprintf("unknown rule %v", p.Rule))
	case p.Rule == AtLeastK && (p.K < 1 || p.K > len(p.Voters)):
		return invalid(op, "Proposal.K", fmt.Sprintf("must be in 1..%d for AtLeastK, got %d", len(p.Voters), p.K))
	case p.Rule != AtLeastK && p.K != 0:
		return invalid(op, "Proposal.K", "is only for AtLeastK")
	case p.Confirm != send.Enqueued && p.Confirm != send.Handled:
		return invalid(op, "Proposal.Confirm", fmt.Sprintf("unknown level %v", p.Confirm))
	}
	seen := map[process.Dest]bool{}
	for i, v := range p.Voters {
		if v == nil {
			return isNil(op, fmt.Sprintf("Proposal.Voters[%d]", i))
		}
		if pid, ok := v.(process.PID); ok && pid.IsZero() {
			return invalid(op, fmt.Sprintf("Proposal.Voters[%d]", i), "is the zero PID")
		}
		if !reflect.TypeOf(v).Comparable() {
			continue // cannot be a map key; a duplicate PID is still found by the round
		}
		if seen[v] {
			return invalid(op, fmt.Sprintf("Proposal.Voters[%d]", i), "is a duplicate")
		}
		seen[v] = true
	}
	return nil
}

// needed is how many yes votes accept among n voters.
func needed(p Proposal, n int) int {
	switch p.Rule {
	case Unanimous:
		return n
	case AtLeastK:
		return p.K
	}
	return n/2 + 1
}

type vote int

const (
	pending vote = iota
	yes
	no
	absent
)

// roundFunc is the body of a round process: ask, count, decide,
// deliver, report to the coordinator.
func roundFunc(coord process.PID, p Proposal, round uint64, deadline time.Time) process.Func {
	return func(self *process.Proc) error {
		dec, err := runRound(self, p, round, deadline)
		return self.Send(coord, roundDone{pid: self.PID(), dec: dec, err: err})
	}
}

func runRound(self *process.Proc, p Proposal, round uint64, deadline time.Time) (Decision, error) {
	sender := p.Sender
	if sender == nil {
		sender = send.Default()
	}
	dec := Decision{Name: p.Name, Round: round, Value: p.Value}
	ctx, cancelCtx := context.WithDeadline(self.Context(), deadline)
	defer cancelCtx()
	votes := map[process.PID]vote{}
	refs := map[process.Ref]process.PID{}
	var order []process.PID
	for _, d := range p.Voters {
		pid, err := d.Resolve()
		if err != nil {
			dec.Unresolved = append(dec.Unresolved, d)
			continue
		}
		if _, dup := votes[pid]; dup {
			continue
		}
		order = append(order, pid)
		ref, err := self.Monitor(pid)
		if err != nil {
			votes[pid] = absent
			continue
		}
		refs[ref] = pid
		votes[pid] = pending
		req := VoteRequest{Name: p.Name, Round: round, Value: p.Value, Voter: pid, Deadline: deadline, round: self.PID(), node: self.Node()}
		if err := sender.Send(ctx, pid, req, send.WithConfirm(send.Enqueued), send.WithRetries(2)); err != nil {
			votes[pid] = absent
		}
	}
	// The rule counts distinct voters: one given twice (by PID and by a
	// name it holds) votes once and counts once; an unresolved one
	// counts as absent.
	n := len(order) + len(dec.Unresolved)
	need := needed(p, n)
	count := func() (y, pend int) {
		for _, v := range votes {
			switch v {
			case yes:
				y++
			case pending:
				pend++
			}
		}
		return y, pend
	}
	for {
		y, pend := count()
		if y >= need || y+pend < need || pend == 0 {
			break
		}
		msg, err := self.ReceiveMatch(ctx, func(m process.Msg) bool {
			switch m := m.(type) {
			case voteMsg:
				return m.round == round
			case process.Down:
				_, ok := refs[m.Ref]
				return ok
			}
			return false
		})
		if err != nil {
			break // the deadline: every pending vote is absent
		}
		switch m := msg.(type) {
		case voteMsg:
			if votes[m.voter] == pending {
				if m.accept {
					votes[m.voter] = yes
				} else {
					votes[m.voter] = no
				}
			}
		case process.Down:
			if pid := refs[m.Ref]; votes[pid] == pending {
				votes[pid] = absent
			}
		}
	}
	y, _ := count()
	dec.Accepted = y >= need
	var live []process.Dest
	for _, pid := range order {
		switch votes[pid] {
		case yes:
			dec.Yes = append(dec.Yes, pid)
		case no:
			dec.No = append(dec.No, pid)
		default:
			dec.Absent = append(dec.Absent, pid)
		}
	}
	for ref := range refs {
		self.Demonitor(ref, true)
	}
	// Deliver to every voter still alive, all or nothing; a voter that
	// dies between the liveness check and the delivery aborts the
	// broadcast, so the live set is taken again (a few times).
	bctx, cancelB := context.WithTimeout(self.Context(), DecisionTimeout)
	defer cancelB()
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		live = live[:0]
		for _, pid := range order {
			if self.Node().IsAlive(pid) {
				live = append(live, pid)
			}
		}
		if len(live) == 0 {
			return dec, nil
		}
		_, err = sender.Broadcast(bctx, live, dec, send.AllOrNothing,
			send.WithConfirm(p.Confirm), send.WithRetries(2), send.WithOnError(p.OnError))
		if err == nil {
			return dec, nil
		}
		if !errors.Is(err, send.ErrAborted) {
			break
		}
	}
	return dec, &ConsensusError{Name: p.Name, Round: round, Err: ErrNotDelivered, Cause: err, Decision: dec}
}

package coord_test

import (
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

type behaviour int

const (
	voteYes behaviour = iota
	voteNo
	crash  // dies on the vote request
	silent // never votes
)

var errCrash = errors.New("voter crashed")

// voter starts a voter process that acts as b and reports every
// Decision it receives on got.
func voter(t *testing.T, node *process.Node, b behaviour, got chan<- coord.Decision) process.PID {
	t.Helper()
	pid, err := node.Spawn(func(p *process.Proc) error {
		for {
			msg, err := p.Receive(p.Context())
			if err != nil {
				return nil
			}
			switch m := msg.(type) {
			case coord.VoteRequest:
				switch b {
				case crash:
					return errCrash
				case voteYes, voteNo:
					if err := m.Vote(b == voteYes); err != nil {
						return err
					}
				}
			case coord.Decision:
				got <- m
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestConsensusCrashedVoter: under each rule, a voter that crashes on
// the request is an absent vote; the decision follows the rule and
// reaches every live voter (and only them).
func TestConsensusCrashedVoter(t *testing.T) {
	cases := []struct {
		name   string
		rule   coord.QuorumRule
		k      int
		votes  []behaviour
		accept bool
	}{
		{"majority, 2 yes of 3, 1 crashed", coord.Majority, 0, []behaviour{voteYes, voteYes, crash}, true},
		{"majority, 1 yes of 3, 1 crashed", coord.Majority, 0, []behaviour{voteYes, voteNo, crash}, false},
		{"majority, 2 yes of 4, 1 crashed", coord.Majority, 0, []behaviour{voteYes, voteYes, voteNo, crash}, false},
		{"unanimous, all live yes, 1 crashed", coord.Unanimous, 0, []behaviour{voteYes, voteYes, crash}, false},
		{"unanimous, all yes", coord.Unanimous, 0, []behaviour{voteYes, voteYes, voteYes}, true},
		{"at least 2, 2 yes, 1 crashed", coord.AtLeastK, 2, []behaviour{voteYes, crash, voteYes}, true},
		{"at least 3, 2 yes, 1 crashed", coord.AtLeastK, 3, []behaviour{voteYes, voteYes, crash}, false},
		{"majority, silent voter absent at timeout", coord.Majority, 0, []behaviour{voteYes, silent, voteNo}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				node := otptest.NewNode(t)
				c := startCoord(t, node)
				got := make(chan coord.Decision, len(tc.votes))
				var voters []process.Dest
				var absent, live []process.PID
				for _, b := range tc.votes {
					pid := voter(t, node, b, got)
					voters = append(voters, pid)
					if b == crash || b == silent {
						absent = append(absent, pid)
					}
					if b != crash {
						live = append(live, pid)
					}
				}
				start := time.Now()
				d, err := c.Propose(bg(t), coord.Proposal{Name: "deploy", Value: "v2", Voters: voters, Rule: tc.rule, K: tc.k, Timeout: 3 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				if d.Accepted != tc.accept || d.Value != "v2" || d.Round != 1 {
					t.Errorf("decision %+v; want accepted=%v", d, tc.accept)
				}
				// Those that crashed or kept silent are absent; others may
				// be too, when the outcome was certain before they voted.
				for _, pid := range absent {
					if !slices.Contains(d.Absent, pid) {
						t.Errorf("absent %v; want it to hold %v", d.Absent, pid)
					}
				}
				if len(d.Yes)+len(d.No)+len(d.Absent) != len(tc.votes) {
					t.Errorf("decision %+v does not account for %d voters", d, len(tc.votes))
				}
				hasSilent := slices.Contains(tc.votes, silent)
				if took := time.Since(start); hasSilent != (took == 3*time.Second) {
					t.Errorf("round took %v (silent voter: %v)", took, hasSilent)
				}
				synctest.Wait()
				if len(got) != len(live) {
					t.Errorf("%d voters got the decision; want the %d live ones", len(got), len(live))
				}
				for len(got) > 0 {
					if m := <-got; m.Round != d.Round || m.Accepted != d.Accepted {
						t.Errorf("voter got %+v; want %+v", m, d)
					}
				}
			})
		})
	}
}

// TestConsensusDeliveredToEveryLiveVoter counts deliveries exactly.
func TestConsensusDeliveredToEveryLiveVoter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := startCoord(t, node)
		got := make(chan coord.Decision, 8)
		voters := []process.Dest{voter(t, node, voteYes, got), voter(t, node, crash, got), voter(t, node, voteYes, got), voter(t, node, voteYes, got)}
		d, err := c.Propose(bg(t), coord.Proposal{Name: "p", Value: 1, Voters: voters})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if len(got) != 3 {
			t.Fatalf("%d live voters got the decision; want 3", len(got))
		}
		if !d.Accepted || len(d.Yes) != 3 || len(d.No) != 0 || len(d.Absent) != 1 {
			t.Errorf("decision %+v; want accepted, 3 yes, 1 absent", d)
		}
		// A second round of the same name is numbered 2.
		d2, err := c.Propose(bg(t), coord.Proposal{Name: "p", Value: 2, Voters: voters[:1]})
		if err != nil || d2.Round != 2 || !d2.Accepted {
			t.Errorf("second round %+v, %v", d2, err)
		}
	})
}

// TestConsensusNotDelivered: when the decision cannot be confirmed by
// a live voter (here Handled confirmation to a plain process, which is
// not a GenServer and never confirms), the round fails with a
// ConsensusError instead of reporting a decision some never got.
func TestConsensusNotDelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := startCoord(t, node)
		got := make(chan coord.Decision, 2)
		voters := []process.Dest{voter(t, node, voteYes, got)}
		_, err := c.Propose(bg(t), coord.Proposal{Name: "p", Value: 1, Voters: voters, Confirm: send.Handled})
		var ce *coord.ConsensusError
		if !errors.As(err, &ce) || !errors.Is(err, coord.ErrNotDelivered) || !ce.Decision.Accepted {
			t.Fatalf("Propose: %v; want a ConsensusError matching ErrNotDelivered with the decision", err)
		}
	})
}

// TestConsensusUnresolvedVoter: a name with no process is an absent,
// unresolved vote.
func TestConsensusUnresolvedVoter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := startCoord(t, node)
		got := make(chan coord.Decision, 2)
		voters := []process.Dest{voter(t, node, voteYes, got), node.Name("nobody")}
		d, err := c.Propose(bg(t), coord.Proposal{Name: "p", Value: 1, Voters: voters, Rule: coord.Unanimous})
		if err != nil {
			t.Fatal(err)
		}
		if d.Accepted || len(d.Unresolved) != 1 {
			t.Errorf("decision %+v; want rejected with one unresolved voter", d)
		}
	})
}

// TestConsensusVoterNamedTwice: a voter given both by PID and by a name
// it holds votes once and counts once, so Unanimous accepts when it
// says yes (the rule is over distinct voters).
func TestConsensusVoterNamedTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := startCoord(t, node)
		got := make(chan coord.Decision, 2)
		pid := voter(t, node, voteYes, got)
		if err := node.Register("alice", pid); err != nil {
			t.Fatal(err)
		}
		d, err := c.Propose(bg(t), coord.Proposal{Name: "p", Value: 1, Voters: []process.Dest{pid, node.Name("alice")}, Rule: coord.Unanimous})
		if err != nil {
			t.Fatal(err)
		}
		if !d.Accepted || len(d.Yes) != 1 || len(d.Absent) != 0 {
			t.Errorf("decision %+v; want accepted with one yes", d)
		}
	})
}

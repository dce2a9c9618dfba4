package main

import (
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

const (
	// pipelineID is the pipeline supervisor's child id under the root.
	pipelineID = "pipeline"
	// feedEvery is how often the parser takes in a new work item.
	feedEvery = 100 * time.Millisecond
)

// stageNames are the pipeline's stages in start order; each casts its
// work items to the next one, found by its registered name.
var stageNames = []string{"parser", "validator", "transformer"}

// Messages of the pipeline.
type (
	// item is one unit of work flowing parser → validator → transformer.
	item struct{ n int }
	// feedTick is the parser's own timer message: take in the next item.
	feedTick struct{}
)

// stage is one step of the pipeline. The first stage feeds itself with a
// SendAfter timer; every stage passes its items to the next with a Cast
// to the next stage's registered name, so the flow survives restarts
// (items in flight when a stage crashes are lost, as they would be in
// OTP). The pipeline is rest_for_one because each stage depends on the
// ones before it: a crash restarts that stage and every stage after it.
type stage struct {
	next string // "" for the last stage
	feed bool   // the first stage makes the items
	seen int    // items handled since (re)start
}

func (st *stage) Init(s *genserver.Self) error {
	if !st.feed {
		return nil
	}
	_, err := s.SendAfter(s.PID(), feedTick{}, feedEvery)
	return err
}

func (st *stage) HandleCast(s *genserver.Self, msg any) error {
	if it, ok := msg.(item); ok {
		st.pass(s, it)
		return nil
	}
	return crashOn(msg)
}

func (st *stage) HandleInfo(s *genserver.Self, msg any) error {
	if _, ok := msg.(feedTick); ok {
		st.pass(s, item{n: st.seen + 1})
		_, err := s.SendAfter(s.PID(), feedTick{}, feedEvery)
		return err
	}
	return crashOn(msg)
}

// pass counts it and hands it to the next stage; a next stage that is
// restarting just misses it.
func (st *stage) pass(s *genserver.Self, it item) {
	st.seen++
	if st.next != "" {
		_ = genserver.Cast(s.Node().Name(st.next), it)
	}
}

// pipelineChild is the root's child spec for the pipeline: a rest_for_one
// supervisor of the stages, in order.
func pipelineChild(opts []supervisor.Option) supervisor.ChildSpec {
	var children []supervisor.ChildSpec
	for i, name := range stageNames {
		st := &stage{feed: i == 0}
		if i+1 < len(stageNames) {
			st.next = stageNames[i+1]
		}
		children = append(children, supervisor.ChildSpec{
			ID: name,
			Start: func(parent *process.Proc) (process.PID, error) {
				fresh := *st // a restarted stage starts from scratch
				return genserver.StartLink(parent, &fresh, genserver.WithName(name))
			},
		})
	}
	spec := supervisor.Spec{
		Flags:    supervisor.Flags{Strategy: supervisor.RestForOne, MaxRestarts: 10, Period: 5 * time.Second},
		Children: children,
	}
	return supervisor.ChildSpec{
		ID:   pipelineID,
		Type: supervisor.SupervisorChild,
		Start: func(parent *process.Proc) (process.PID, error) {
			return supervisor.StartLink(parent, spec, opts...)
		},
	}
}

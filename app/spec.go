package app

import (
	"fmt"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// StartFunc starts one part's root process on node and returns its PID
// once it is ready. The root has no parent: the application owns it
// through its PID, watches it, and stops it with supervisor.Stop, so it
// must be a genserver-based process (a supervisor, a dynamic supervisor
// or a genserver) that stops on a stop request.
type StartFunc func(node *process.Node) (process.PID, error)

// Part is one root of an application: a supervision tree or a service.
// Write it as a literal.
type Part struct {
	// Name identifies the part in logs, errors and stop hooks. Required,
	// unique within the application.
	Name string
	// Tree is the static supervisor started for the part when Start is
	// nil (supervisor.Start(node, Tree, TreeOptions...)).
	Tree supervisor.Spec
	// TreeOptions are passed to supervisor.Start with Tree.
	TreeOptions []supervisor.Option
	// Start, if set, starts the part instead of Tree (which must then be
	// empty). Use it for a dynamic supervisor or a lone server.
	Start StartFunc
}

// Spec is an application: its name and its parts in start order (OTP's
// .app resource with one root tree per part). Parts start in order and
// stop in reverse order.
type Spec struct {
	// Name is the application's name. Required.
	Name string
	// Parts are started in this order. At least one is required.
	Parts []Part
}

// startFunc returns how to start the part.
func (p Part) startFunc() StartFunc {
	if p.Start != nil {
		return p.Start
	}
	tree, opts := p.Tree, p.TreeOptions
	return func(node *process.Node) (process.PID, error) {
		return supervisor.Start(node, tree, opts...)
	}
}

// validate checks the spec; the errors are *SpecError.
func (s Spec) validate() error {
	if s.Name == "" {
		return &SpecError{Field: "Name", Reason: "empty name"}
	}
	if len(s.Parts) == 0 {
		return &SpecError{Field: "Parts", Reason: "no parts"}
	}
	seen := make(map[string]bool, len(s.Parts))
	for i, p := range s.Parts {
		switch {
		case p.Name == "":
			return &SpecError{Field: "Name", Reason: fmt.Sprintf("part %d has an empty name", i)}
		case seen[p.Name]:
			return &SpecError{Part: p.Name, Field: "Name", Reason: "duplicate name"}
		case p.Start != nil && (len(p.Tree.Children) > 0 || len(p.TreeOptions) > 0):
			return &SpecError{Part: p.Name, Field: "Start", Reason: "both Start and Tree are set"}
		}
		for j, o := range p.TreeOptions {
			if o == nil {
				return &SpecError{Part: p.Name, Field: fmt.Sprintf("TreeOptions[%d]", j), Reason: "nil option"}
			}
		}
		seen[p.Name] = true
	}
	return nil
}

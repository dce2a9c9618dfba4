package clusteragent

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/cluster"
)

// record is an agent's catalog entry: what any node needs to host it.
type record struct {
	Kind         string            `json:"kind"`
	Capabilities []string          `json:"caps,omitempty"`
	Metadata     map[string]string `json:"meta,omitempty"`
}

// RunRequest asks a host to run an action on one of its agents (wire
// type "orchard.agent.Run").
type RunRequest struct {
	ID, Action string
	Input      json.RawMessage
	Timeout    time.Duration
}

// HibernateRequest asks a host to hibernate one of its agents and let it
// go (wire type "orchard.agent.Hibernate").
type HibernateRequest struct{ ID string }

// SignalRequest asks a host to route a signal to one of its agents
// (wire type "orchard.agent.Signal").
type SignalRequest struct {
	ID  string
	Sig agent.Signal
}

// StatusRequest asks a host for one of its agents' status (wire type
// "orchard.agent.Status").
type StatusRequest struct{ ID string }

// Reply is a host's answer: a JSON result or status, or an error with
// its agent kind so that the caller gets the same typed error as
// locally (wire type "orchard.agent.Reply").
type Reply struct {
	Result json.RawMessage `json:",omitempty"`
	Status agent.Status    `json:",omitempty"`
	Count  int             `json:",omitempty"` // routes a signal matched
	Err    *WireError      `json:",omitempty"`
}

// WireError is an agent error as it crosses nodes.
type WireError struct {
	Kind   string // unknown_agent, unknown_action, invalid_input, not_running, crashed, version, moved, other
	ID     string `json:",omitempty"`
	Action string `json:",omitempty"`
	Msg    string `json:",omitempty"`
	Status agent.Status
	Have   int `json:",omitempty"`
	Want   int `json:",omitempty"`
}

// register registers the wire types on n.
func register(n *cluster.Node) error {
	return errors.Join(
		cluster.Register[RunRequest](n, "orchard.agent.Run"),
		cluster.Register[HibernateRequest](n, "orchard.agent.Hibernate"),
		cluster.Register[StatusRequest](n, "orchard.agent.Status"),
		cluster.Register[SignalRequest](n, "orchard.agent.Signal"),
		cluster.Register[Reply](n, "orchard.agent.Reply"),
	)
}

// toWire encodes err (nil: nil).
func toWire(err error) *WireError {
	if err == nil {
		return nil
	}
	var (
		ua *agent.UnknownAgentError
		uc *agent.UnknownActionError
		ii *agent.InvalidInputError
		nr *agent.NotRunningError
		cr *agent.CrashedError
		ve *agent.VersionError
	)
	switch {
	case errors.Is(err, errMoved):
		return &WireError{Kind: "moved"}
	case errors.As(err, &ua):
		return &WireError{Kind: "unknown_agent", ID: ua.ID}
	case errors.As(err, &uc):
		return &WireError{Kind: "unknown_action", ID: uc.ID, Action: uc.Action}
	case errors.As(err, &ii):
		msg := ""
		if ii.Err != nil {
			msg = ii.Err.Error()
		}
		return &WireError{Kind: "invalid_input", Action: ii.Action, Msg: msg}
	case errors.As(err, &nr):
		return &WireError{Kind: "not_running", ID: nr.ID, Status: nr.Status}
	case errors.As(err, &cr):
		return &WireError{Kind: "crashed", ID: cr.ID, Msg: reasonText(cr.Reason)}
	case errors.As(err, &ve):
		return &WireError{Kind: "version", ID: ve.ID, Have: ve.Have, Want: ve.Want}
	}
	return &WireError{Kind: "other", Msg: err.Error()}
}

func reasonText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fromWire decodes w, an error of the node named node.
func fromWire(node string, w *WireError) error {
	if w == nil {
		return nil
	}
	remote := func(msg string) error {
		if msg == "" {
			return nil
		}
		return &cluster.RemoteError{Node: node, Msg: msg}
	}
	switch w.Kind {
	case "moved":
		return errMoved
	case "unknown_agent":
		return &agent.UnknownAgentError{ID: w.ID}
	case "unknown_action":
		return &agent.UnknownActionError{ID: w.ID, Action: w.Action}
	case "invalid_input":
		return &agent.InvalidInputError{Action: w.Action, Err: remote(w.Msg)}
	case "not_running":
		return &agent.NotRunningError{ID: w.ID, Status: w.Status}
	case "crashed":
		return &agent.CrashedError{ID: w.ID, Reason: remote(w.Msg)}
	case "version":
		return &agent.VersionError{ID: w.ID, Have: w.Have, Want: w.Want}
	}
	return &cluster.RemoteError{Node: node, Msg: w.Msg}
}

package observer

import (
	"context"
	"slices"
	"time"

	"github.com/seed-fe72f376/orchard/internal/supinfo"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Limits of the tree view.
const (
	// maxChildrenShown is how many children of one supervisor the tree
	// lists; the others are counted (a dynamic supervisor may have
	// thousands: the process table lists them).
	maxChildrenShown = 100
	// recentRestart is how long a restarted child stays highlighted.
	recentRestart = 5 * time.Second
	// maxTreeDepth bounds the walk down a tree.
	maxTreeDepth = 32
)

// treeNode is one member of a supervision tree.
type treeNode struct {
	PID      string      `json:"pid"`
	ID       string      `json:"id,omitempty"` // child id in its supervisor
	Name     string      `json:"name,omitempty"`
	Sup      bool        `json:"sup"`
	Strategy string      `json:"strategy,omitempty"`
	Dynamic  bool        `json:"dynamic,omitempty"`
	Status   string      `json:"status"`
	Restarts int         `json:"restarts"`
	Recent   bool        `json:"recent"`           // restarted within recentRestart
	Parent   string      `json:"parent,omitempty"` // the supervisor's PID, for actions
	Children []*treeNode `json:"children,omitempty"`
	More     int         `json:"more,omitempty"` // children not listed
}

// trees walks every live supervision tree of the node, root supervisors
// (those whose parent is no supervisor) first.
func (h *Handler) trees(ctx context.Context) []*treeNode {
	sups := supinfo.List(h.node)
	byPID := make(map[process.PID]supinfo.Sup, len(sups))
	for _, s := range sups {
		byPID[s.PID] = s
	}
	var roots []*treeNode
	for _, s := range sups {
		in, err := h.node.Info(s.PID)
		if err != nil {
			continue
		}
		if _, child := byPID[in.Parent]; child {
			continue
		}
		roots = append(roots, h.walk(ctx, s, in, byPID, 0))
	}
	return roots
}

func (h *Handler) walk(ctx context.Context, s supinfo.Sup, in process.Info, byPID map[process.PID]supinfo.Sup, depth int) *treeNode {
	t := &treeNode{
		PID: s.PID.String(), Name: in.Name, Sup: true, Strategy: s.Strategy, Dynamic: s.Dynamic,
		Status: "running", Restarts: s.Restarts,
	}
	if depth >= maxTreeDepth {
		return t
	}
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	kids, err := supervisor.WhichChildren(cctx, s.PID)
	cancel()
	if err != nil {
		t.Status = "busy"
		return t
	}
	if !s.Dynamic {
		slices.Reverse(kids) // WhichChildren lists a static supervisor's newest first
	}
	now := time.Now()
	for i, k := range kids {
		if i >= maxChildrenShown {
			t.More = len(kids) - i
			break
		}
		c := &treeNode{PID: k.PID.String(), ID: k.ID, Parent: t.PID, Status: childStatus(k)}
		if k.PID.IsZero() {
			c.PID = ""
		}
		if r, ok := s.Children[k.ID]; ok && k.ID != "" {
			c.Restarts = r.Count
			c.Recent = now.Sub(r.Last) < recentRestart
		}
		if sub, ok := byPID[k.PID]; ok {
			if cin, err := h.node.Info(k.PID); err == nil {
				w := h.walk(ctx, sub, cin, byPID, depth+1)
				w.ID, w.Parent, w.Restarts, w.Recent = c.ID, c.Parent, c.Restarts, c.Recent
				c = w
			}
		} else if !k.PID.IsZero() {
			if cin, err := h.node.Info(k.PID); err == nil {
				c.Name = cin.Name
			}
		}
		t.Children = append(t.Children, c)
	}
	return t
}

func childStatus(c supervisor.Child) string {
	switch c.Status {
	case supervisor.Running:
		return "running"
	case supervisor.Restarting:
		return "restarting"
	}
	return "stopped"
}

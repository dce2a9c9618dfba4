package health

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// base is the state both monitors share: tracked items, the aggregate
// status and the telemetry they emit. Owned by the monitor's process; no
// lock.
type base struct {
	self        process.PID
	tel         *telemetry.Registry
	history     int
	kindKey     string // "check" or "service": metadata key of the item name
	changeEvent string
	items       map[string]*tracked
	overall     Status
}

func newBase(tel *telemetry.Registry, history int, kindKey, changeEvent string) base {
	return base{tel: tel, history: history, kindKey: kindKey, changeEvent: changeEvent, items: map[string]*tracked{}, overall: Unknown}
}

// record stores res for t, emits a status change if there is one, and
// recomputes the aggregate.
func (b *base) record(t *tracked, res Result, md telemetry.Metadata) {
	prev := t.record(res)
	if prev != res.Status && b.tel.Enabled(b.changeEvent) {
		meta := telemetry.Metadata{
			"monitor": b.self, b.kindKey: t.name, "from": prev.String(), "to": res.Status.String(),
			"critical": !t.nonCritical, "reason": res.Err,
		}
		for k, v := range md {
			meta[k] = v
		}
		b.tel.Execute(b.changeEvent, telemetry.Measurements{"count": 1}, meta)
	}
	b.reaggregate()
}

func (b *base) reaggregate() {
	now := Healthy
	for _, t := range b.items {
		now = max(now, contribution(CheckReport{Status: t.status, NonCritical: t.nonCritical}))
	}
	if now == b.overall {
		return
	}
	prev := b.overall
	b.overall = now
	b.tel.Execute(EventStatusChanged, telemetry.Measurements{"count": 1},
		telemetry.Metadata{"monitor": b.self, "from": prev.String(), "to": now.String()})
}

// report lists the items sorted by name, with their histories unless
// asked not to.
func (b *base) report(req reportReq) Report {
	checks := make([]CheckReport, 0, len(b.items))
	for _, t := range b.items {
		r := t.report(!req.noHistory)
		checks = append(checks, r)
	}
	slices.SortFunc(checks, func(x, y CheckReport) int { return strings.Compare(x.Name, y.Name) })
	return Report{Status: Aggregate(checks, false), Checks: checks}
}

func (b *base) add(name string, nonCritical, liveness bool) (*tracked, error) {
	if _, ok := b.items[name]; ok {
		return nil, fmt.Errorf("%w: %q", ErrDuplicate, name)
	}
	t := newTracked(name, nonCritical, liveness, b.history)
	b.items[name] = t
	b.reaggregate()
	return t, nil
}

func (b *base) remove(name string) {
	delete(b.items, name)
	b.reaggregate()
}

// Requests both monitors answer.
type (
	reportReq     struct{ noHistory bool }
	unregisterReq struct{ name string }
)

// Get returns the report of the health monitor or service monitor dest.
// It waits for the monitor's answer, bounded by ctx (and genserver's
// default call timeout when ctx has no deadline). A nil ctx or dest is an
// error matching [ErrInvalidArgument].
func Get(ctx context.Context, dest process.Dest) (Report, error) {
	if err := checkCall("health: Get", ctx, dest); err != nil {
		return Report{}, err
	}
	return genserver.Call[Report](ctx, dest, reportReq{})
}

// summary is Get without the histories, for the HTTP handlers.
func summary(ctx context.Context, dest process.Dest) (Report, error) {
	return genserver.Call[Report](ctx, dest, reportReq{noHistory: true})
}

// Unregister removes the check or the watched service name from the
// monitor dest; a running check is killed. It returns an error matching
// [ErrNotFound] if there is none. A nil ctx or dest, or an empty name, is
// an error matching [ErrInvalidArgument].
func Unregister(ctx context.Context, dest process.Dest, name string) error {
	const op = "health: Unregister"
	if err := checkCall(op, ctx, dest); err != nil {
		return err
	}
	if name == "" {
		return argerr.Empty(op, "name")
	}
	_, err := genserver.Call[struct{}](ctx, dest, unregisterReq{name: name})
	return err
}

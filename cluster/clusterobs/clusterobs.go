package clusterobs

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/observer"
)

// Title is the title of the section.
const Title = "Nodes"

// columns are the section's column headers.
var columns = []string{"Node", "ID", "Status", "Since", "Last heartbeat", "Address"}

// recordsEvery is how often the view reads the members bucket again:
// records change only when a node joins or leaves, so the view does not
// read JetStream on every tick of the page. While an up node has no
// record yet (it joined a moment ago) it reads at most every
// recordsRetry.
const (
	recordsEvery = 5 * time.Second
	recordsRetry = time.Second
)

// recordsTimeout bounds one read of the members bucket (within the
// page's own bound on a section): a cluster whose JetStream does not
// answer (a lone node has no quorum) delays one update in recordsEvery
// by that much.
const recordsTimeout = 250 * time.Millisecond

// Cluster is what the view reads of a node; *cluster.Node has it.
type Cluster interface {
	// Name is this node's name.
	Name() string
	// Members is this node and every node it has seen.
	Members() []cluster.Member
	// MemberRecords reads the members bucket.
	MemberRecords(ctx context.Context) ([]cluster.MemberRecord, error)
}

// Section returns the "Nodes" view of the cluster c belongs to: one row
// per node c has seen, sorted by name, with the columns Node, ID, Status
// ("up" or "down", "(this node)" for c), Since (the node's join time
// while it is up since the view first saw it, else when the view saw its
// status change), Last heartbeat and Address (its route URL). A
// failed read of the members bucket is not an error of the view: it
// keeps the records it had (the addresses of the nodes and their join
// times) and reads them again later. This node's address comes from
// c's RouteURL method, when it has one, until its record is read. Bad input (a nil c) is an error
// matching [ErrInvalidArgument].
func Section(c Cluster) (observer.Section, error) {
	if c == nil {
		return nil, argerr.Nil("clusterobs: Section", "c")
	}
	v := &view{c: c, now: time.Now, seen: map[string]status{}}
	return observer.SectionFunc(Title, v.rows), nil
}

// status is a node's status as the view last saw it, and since when.
type status struct {
	up    bool
	since time.Time
}

type view struct {
	c   Cluster
	now func() time.Time

	mu      sync.Mutex // protects the fields below (the page may ask from two streams at once)
	seen    map[string]status
	records map[string]cluster.MemberRecord
	read    time.Time // when the records were last read
	failed  bool      // whether that read failed
	reading bool      // whether a read runs now (made without mu)
}

func (v *view) rows(ctx context.Context) (observer.Table, error) {
	members := v.c.Members()
	if v.due(members) {
		// The read is made without v.mu: a JetStream that is slow to
		// answer must not hold up a concurrent stream of the page, which
		// renders from the records the view already has.
		rctx, cancel := context.WithTimeout(ctx, recordsTimeout)
		recs, err := v.c.MemberRecords(rctx)
		cancel()
		v.store(recs, err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	if v.records == nil {
		v.records = map[string]cluster.MemberRecord{}
	}
	self := v.c.Name()
	route := ""
	if r, ok := v.c.(interface{ RouteURL() string }); ok {
		route = r.RouteURL() // this node's address even before its record is read
	}
	t := observer.Table{Columns: columns}
	for _, m := range members {
		rec, recorded := v.records[m.Name]
		st, ok := v.seen[m.Name]
		if !ok || st.up != m.Up {
			st = status{up: m.Up, since: now}
			if !ok && m.Up && recorded && !rec.Since.IsZero() {
				st.since = rec.Since // it joined then
			}
			v.seen[m.Name] = st
		}
		state := "down"
		if m.Up {
			state = "up"
		}
		beat := "—"
		switch {
		case m.Name == self:
			state += " (this node)"
			if rec.Route == "" {
				rec.Route = route
			}
		case !m.LastSeen.IsZero():
			beat = ago(now, m.LastSeen)
		}
		t.Rows = append(t.Rows, []string{m.Name, strconv.FormatUint(uint64(m.ID), 10), state,
			st.since.UTC().Format(time.DateTime) + " UTC (" + ago(now, st.since) + ")", beat, rec.Route})
	}
	return t, nil
}

// due reports whether the members bucket is to be read now, and if so
// marks the read as begun (at most one read runs at a time).
func (v *view) due(members []cluster.Member) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	if v.reading || !(v.records == nil || now.Sub(v.read) >= recordsEvery ||
		(!v.failed && now.Sub(v.read) >= recordsRetry && v.missingLocked(members))) {
		return false
	}
	v.read, v.reading = now, true
	return true
}

// store keeps the outcome of a read of the members bucket: its records,
// or, when it failed, the records the view had.
func (v *view) store(recs []cluster.MemberRecord, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.reading = false
	v.failed = err != nil
	if err != nil {
		return
	}
	v.records = make(map[string]cluster.MemberRecord, len(recs))
	for _, r := range recs {
		v.records[r.Name] = r
	}
}

// missingLocked reports whether an up member has no record yet.
func (v *view) missingLocked(members []cluster.Member) bool {
	for _, m := range members {
		if _, ok := v.records[m.Name]; m.Up && !ok {
			return true
		}
	}
	return false
}

// ago is how long before now t was, to the second ("3s ago").
func ago(now, t time.Time) string {
	return now.Sub(t).Truncate(time.Second).String() + " ago"
}

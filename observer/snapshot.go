package observer

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// Estimated sizes behind a row's memory figure (bytes).
const (
	procBytes    = 256 // the process record (process.TestProcLayout)
	messageBytes = 64  // one queued message: its slot and a small boxed value
	linkBytes    = 48  // one link, monitor or timer entry
)

// row is one process of the table, as kept between updates; the few
// rows of a page become outRows.
type row struct {
	pid       process.PID
	id        uint64
	name      string
	behaviour string
	status    process.Status
	mailbox   int
	handled   uint64
	memory    int
	age       int64 // milliseconds
}

// outRow is one row of a page, as sent.
type outRow struct {
	PID       string `json:"pid"`
	Name      string `json:"name"`
	Behaviour string `json:"behaviour"`
	Status    string `json:"status"`
	Mailbox   int    `json:"mailbox"`
	Handled   uint64 `json:"handled"`
	Memory    int    `json:"memory"`
	Age       int64  `json:"age_ms"`
}

func (r *row) out() outRow {
	return outRow{PID: r.pid.String(), Name: r.name, Behaviour: r.behaviour, Status: r.status.String(),
		Mailbox: r.mailbox, Handled: r.handled, Memory: r.memory, Age: r.age}
}

// snapshot is the process table at one instant, shared by every stream
// until the next interval; its sorted orders are made on first use.
type snapshot struct {
	at      time.Time
	rows    []row
	mailbox int // total queued messages
	mu      sync.Mutex
	orders  map[string][]int32
	index   map[string]process.PID
	search  []string // per row, see searchText
}

type snapshotCache struct {
	mu  sync.Mutex
	cur *snapshot
}

// snapshot returns the current table, building it when the last one is
// older than the interval.
func (h *Handler) snapshot() *snapshot {
	h.snap.mu.Lock()
	defer h.snap.mu.Unlock()
	now := time.Now()
	if s := h.snap.cur; s != nil && now.Sub(s.at) < h.cfg.Interval*9/10 {
		return s
	}
	pids := h.node.Processes()
	s := &snapshot{at: now, rows: make([]row, 0, len(pids)), orders: map[string][]int32{}}
	for _, pid := range pids {
		in, err := h.node.Info(pid)
		if err != nil {
			continue // exited meanwhile
		}
		r := row{
			pid: pid, id: pid.ID(), name: in.Name, behaviour: in.Behaviour, status: in.Status,
			mailbox: in.MailboxLen, handled: in.MessagesHandled, age: now.Sub(in.StartTime).Milliseconds(),
			memory: procBytes + in.MailboxLen*messageBytes + (len(in.Links)+len(in.Monitors)+len(in.MonitoredBy)+in.Timers)*linkBytes,
		}
		if r.behaviour == "" {
			r.behaviour = "func"
		}
		s.mailbox += in.MailboxLen
		s.rows = append(s.rows, r)
	}
	h.snap.cur = s
	return s
}

// sortKeys are the columns the table sorts by.
var sortKeys = map[string]func(a, b *row) int{
	"pid":       func(a, b *row) int { return cmp.Compare(a.id, b.id) },
	"name":      func(a, b *row) int { return strings.Compare(a.name, b.name) },
	"behaviour": func(a, b *row) int { return strings.Compare(a.behaviour, b.behaviour) },
	"status":    func(a, b *row) int { return cmp.Compare(a.status, b.status) },
	"mailbox":   func(a, b *row) int { return cmp.Compare(a.mailbox, b.mailbox) },
	"handled":   func(a, b *row) int { return cmp.Compare(a.handled, b.handled) },
	"memory":    func(a, b *row) int { return cmp.Compare(a.memory, b.memory) },
	"age":       func(a, b *row) int { return cmp.Compare(a.age, b.age) },
}

// order returns the row indexes sorted by key (ascending or not), ties
// broken by PID; made once per snapshot and key.
func (s *snapshot) order(key string, desc bool) []int32 {
	f, ok := sortKeys[key]
	if !ok {
		key, f = "mailbox", sortKeys["mailbox"]
	}
	k := key
	if desc {
		k += "-"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[k]; ok {
		return o
	}
	o := make([]int32, len(s.rows))
	for i := range o {
		o[i] = int32(i)
	}
	slices.SortFunc(o, func(i, j int32) int {
		a, b := &s.rows[i], &s.rows[j]
		c := f(a, b)
		if desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(a.id, b.id)
		}
		return c
	})
	s.orders[k] = o
	return o
}

// searchText returns, per row, the lower-case text a search matches
// (PID, name, behaviour); made once per snapshot, on the first search.
func (s *snapshot) searchText() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.search == nil {
		s.search = make([]string, len(s.rows))
		for i := range s.rows {
			r := &s.rows[i]
			s.search[i] = strings.ToLower(r.pid.String() + " " + r.name + " " + r.behaviour)
		}
	}
	return s.search
}

// procQuery is what a client asks of the table.
type procQuery struct {
	Sort   string
	Desc   bool
	Search string
	Page   int
}

// procPage is one page of the table.
type procPage struct {
	Total   int      `json:"total"`   // processes in the table
	Matched int      `json:"matched"` // processes the search matched
	Page    int      `json:"page"`
	Pages   int      `json:"pages"`
	Sort    string   `json:"sort"`
	Desc    bool     `json:"desc"`
	Rows    []outRow `json:"rows"`
}

// page returns the rows of q's page.
func (s *snapshot) page(q procQuery, size int) procPage {
	if _, ok := sortKeys[q.Sort]; !ok {
		q.Sort, q.Desc = "mailbox", true
	}
	o := s.order(q.Sort, q.Desc)
	needle := strings.ToLower(strings.TrimSpace(q.Search))
	p := procPage{Total: len(s.rows), Sort: q.Sort, Desc: q.Desc, Rows: []outRow{}}
	from := max(q.Page, 0) * size
	var text []string
	if needle != "" {
		text = s.searchText()
	}
	for _, i := range o {
		r := &s.rows[i]
		if needle != "" && !strings.Contains(text[i], needle) {
			continue
		}
		if p.Matched >= from && len(p.Rows) < size {
			p.Rows = append(p.Rows, r.out())
		}
		p.Matched++
	}
	p.Pages = max((p.Matched+size-1)/size, 1)
	p.Page = min(max(q.Page, 0), p.Pages-1)
	if p.Page != q.Page && q.Page > 0 { // beyond the end: the last page
		return s.page(procQuery{Sort: q.Sort, Desc: q.Desc, Search: q.Search, Page: p.Page}, size)
	}
	return p
}

// pid finds the live process printed as s ("<1.42>"): in the current
// table's index, else (a process younger than the table) among the node's
// processes.
func (h *Handler) pid(s string) (process.PID, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "<") || !strings.HasSuffix(s, ">") {
		return process.PID{}, false
	}
	h.snap.mu.Lock()
	cur := h.snap.cur
	h.snap.mu.Unlock()
	if cur != nil {
		cur.mu.Lock()
		if cur.index == nil {
			cur.index = make(map[string]process.PID, len(cur.rows))
			for i := range cur.rows {
				cur.index[cur.rows[i].pid.String()] = cur.rows[i].pid
			}
		}
		pid, ok := cur.index[s]
		cur.mu.Unlock()
		if ok && h.node.IsAlive(pid) {
			return pid, true
		}
	}
	for _, pid := range h.node.Processes() {
		if pid.String() == s {
			return pid, true
		}
	}
	return process.PID{}, false
}

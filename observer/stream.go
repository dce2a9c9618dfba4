package observer

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
)

// maxLettersShown is how many dead letters an update lists.
const maxLettersShown = 50

// writeTimeout is how long one update of a stream may take to go out
// to its client: five intervals, at least two seconds.
func writeTimeout(interval time.Duration) time.Duration {
	return max(5*interval, 2*time.Second)
}

// update is one message of the event stream.
type update struct {
	Time     int64         `json:"time"` // unix milliseconds
	Node     nodeInfo      `json:"node"`
	Actions  bool          `json:"actions"`
	Points   []point       `json:"points"` // the samples the client has not had yet
	Trees    []*treeNode   `json:"trees"`
	Procs    procPage      `json:"procs"`
	Detail   *detail       `json:"detail,omitempty"`
	Letters  *letters      `json:"letters,omitempty"`
	Sections []sectionView `json:"sections"`
	// BuildMS is how long the server took to build this update.
	BuildMS float64 `json:"build_ms"`
}

type nodeInfo struct {
	ID        uint32 `json:"id"`
	Processes int    `json:"processes"`
	Zombies   int    `json:"zombies"`
	Timers    int    `json:"timers"`
	Workers   int    `json:"workers"`
	Dropped   uint64 `json:"dropped"`
}

type letters struct {
	Count int      `json:"count"`
	Error string   `json:"error,omitempty"`
	Rows  []letter `json:"rows"`
}

type letter struct {
	ID         string `json:"id"`
	Dest       string `json:"dest"`
	Type       string `json:"type"`
	Message    string `json:"message"`
	Reason     string `json:"reason"`
	Attempts   int    `json:"attempts"`
	Replayable bool   `json:"replayable"`
	Age        int64  `json:"age_ms"`
}

type sectionView struct {
	Title string `json:"title"`
	Table Table  `json:"table"`
	Error string `json:"error,omitempty"`
}

// frame is what every stream shares during one interval.
type frame struct {
	at       time.Time
	snap     *snapshot
	trees    []*treeNode
	letters  *letters
	sections []sectionView
}

type frameCache struct {
	mu  sync.Mutex
	cur *frame
}

// frame returns the shared part of the current update.
func (h *Handler) frame(ctx context.Context) *frame {
	h.frames.mu.Lock()
	defer h.frames.mu.Unlock()
	if f := h.frames.cur; f != nil && time.Since(f.at) < h.cfg.Interval*9/10 {
		return f
	}
	// The trees ask every supervisor for its children: together they
	// get half an interval, so busy supervisors cannot stall updates.
	tctx, cancel := context.WithTimeout(ctx, h.cfg.Interval/2)
	trees := h.trees(tctx)
	cancel()
	f := &frame{at: time.Now(), snap: h.snapshot(), trees: trees, sections: []sectionView{}}
	if q := h.cfg.DeadLetters; q != nil {
		f.letters = h.letterRows(ctx, q)
	}
	for _, s := range h.cfg.Sections {
		sctx, cancel := context.WithTimeout(ctx, h.cfg.Interval/2)
		t, err := callSection(sctx, s)
		cancel()
		v := sectionView{Title: s.Title(), Table: t}
		if err != nil {
			v.Error = clip(err.Error())
		}
		if v.Table.Columns == nil {
			v.Table.Columns = []string{}
		}
		if v.Table.Rows == nil {
			v.Table.Rows = [][]string{}
		}
		f.sections = append(f.sections, v)
	}
	h.frames.cur = f
	return f
}

func callSection(ctx context.Context, s Section) (t Table, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &sectionPanic{r}
		}
	}()
	return s.Rows(ctx)
}

func (h *Handler) letterRows(ctx context.Context, q *deadletter.Queue) *letters {
	lctx, cancel := context.WithTimeout(ctx, h.cfg.Interval/2)
	defer cancel()
	l := &letters{Rows: []letter{}}
	n, err := q.Len(lctx)
	if err != nil {
		l.Error = clip(err.Error())
		return l
	}
	l.Count = n
	es, err := q.List(lctx, deadletter.Filter{}, maxLettersShown)
	if err != nil {
		l.Error = clip(err.Error())
		return l
	}
	now := time.Now()
	for _, e := range es {
		l.Rows = append(l.Rows, letter{ID: e.ID, Dest: e.Dest.Printed, Type: e.Msg.Type, Message: clip(e.Msg.Printed),
			Reason: clip(e.Reason), Attempts: e.Attempts, Replayable: e.Replayable, Age: now.Sub(e.FirstFailure).Milliseconds()})
	}
	return l
}

// serveEvents streams updates for the query's sort, search, page and
// selected process until the client goes away or the handler closes.
func (h *Handler) serveEvents(w http.ResponseWriter, r *http.Request) {
	if _, ok := w.(http.Flusher); !ok {
		http.Error(w, "observer: streaming unsupported", http.StatusInternalServerError)
		return
	}
	rc := http.NewResponseController(w)
	qs := r.URL.Query()
	page, _ := strconv.Atoi(qs.Get("page"))
	q := procQuery{Sort: qs.Get("sort"), Desc: qs.Get("desc") != "0", Search: qs.Get("q"), Page: page}
	sel := qs.Get("pid")
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	ctx := r.Context()
	tick := time.NewTicker(h.cfg.Interval)
	defer tick.Stop()
	var lastT int64
	wantStack := true // until this stream's stack is taken
	for {
		if h.closed.Load() {
			return
		}
		start := time.Now()
		f := h.frame(ctx)
		st := h.node.Stats()
		u := update{
			Time:     start.UnixMilli(),
			Node:     nodeInfo{ID: h.node.ID(), Processes: st.Processes, Zombies: st.Zombies, Timers: st.Timers, Workers: st.Workers, Dropped: st.DroppedMessages},
			Actions:  h.cfg.Token != "",
			Trees:    f.trees,
			Procs:    f.snap.page(q, h.cfg.PageSize),
			Letters:  f.letters,
			Sections: f.sections,
		}
		for _, p := range h.charts.sample(f.snap, h.cfg.Interval) {
			if p.T > lastT {
				u.Points = append(u.Points, p)
				lastT = p.T
			}
		}
		if u.Trees == nil {
			u.Trees = []*treeNode{}
		}
		if sel != "" {
			u.Detail = h.detail(ctx, sel, wantStack)
			wantStack = wantStack && !u.Detail.StackTaken
		}
		u.BuildMS = float64(time.Since(start).Microseconds()) / 1000
		b, err := json.Marshal(u)
		if err != nil {
			return
		}
		// A client that stops reading must not hold this stream (and its
		// goroutine) forever once the socket's buffers are full: each
		// update has writeTimeout to go out. The deadline is cleared
		// after it, so a kept-alive connection's next request is free.
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout(h.cfg.Interval)))
		if _, err := w.Write(append(append([]byte("data: "), b...), '\n', '\n')); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		_ = rc.SetWriteDeadline(time.Time{})
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

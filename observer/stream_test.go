package observer_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// upd is the part of an update the tests read.
type upd struct {
	Actions bool `json:"actions"`
	Procs   struct {
		Total, Matched, Page, Pages int
		Sort                        string
		Rows                        []struct {
			PID, Name, Behaviour string
			Mailbox              int
		}
	} `json:"procs"`
	Trees []struct {
		PID      string
		Strategy string
		Children []struct {
			ID, PID, Status string
			Sup             bool
		}
	} `json:"trees"`
	Detail *struct {
		Alive            bool
		Links            []string
		Messages         []string
		MessagesRedacted bool `json:"messages_redacted"`
		State            string
		StateShown       bool `json:"state_shown"`
		Ancestors        []string
	} `json:"detail"`
	Letters *struct {
		Count int
		Rows  []struct{ ID, Dest, Message string }
	} `json:"letters"`
	Sections []struct {
		Title string
		Table observer.Table
		Error string
	} `json:"sections"`
	Points []map[string]float64 `json:"points"`
}

// first reads the first update of a stream with query q, and its size.
func first(t *testing.T, base string, q url.Values) (upd, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events?"+q.Encode(), nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var u upd
		if err := json.Unmarshal([]byte(data), &u); err != nil {
			t.Fatal(err)
		}
		return u, len(data)
	}
	t.Fatalf("no update: %v", sc.Err())
	return upd{}, 0
}

func post(t *testing.T, u, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, nil)
	if token != "" {
		req.Header.Set(observer.TokenHeader, token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestActionsNeedTheToken(t *testing.T) {
	off := newFixture(t, observer.Config{})
	kill := "/api/kill?pid=" + url.QueryEscape(off.busy.String())
	if code := post(t, off.srv.URL+kill, "anything"); code != http.StatusForbidden {
		t.Errorf("no token configured: %d, want 403", code)
	}
	on := newFixture(t, observer.Config{Token: "t0k"})
	kill = "/api/kill?pid=" + url.QueryEscape(on.busy.String())
	for _, tok := range []string{"", "wrong", "t0k0", "T0K"} {
		if code := post(t, on.srv.URL+kill, tok); code != http.StatusForbidden {
			t.Errorf("token %q: %d, want 403", tok, code)
		}
	}
	if !on.node.IsAlive(on.busy) || !off.node.IsAlive(off.busy) {
		t.Fatal("a refused kill killed")
	}
	// A GET cannot act, token or not.
	req, _ := http.NewRequest(http.MethodGet, on.srv.URL+kill, nil)
	req.Header.Set(observer.TokenHeader, "t0k")
	if res, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.StatusCode == http.StatusOK && !on.node.IsAlive(on.busy) {
		t.Fatal("a GET killed")
	}
	if code := post(t, on.srv.URL+kill, "t0k"); code != http.StatusOK {
		t.Fatalf("with the token: %d, want 200", code)
	}
	if on.node.IsAlive(on.busy) {
		t.Fatal("the kill did not kill")
	}
	if code := post(t, on.srv.URL+"/api/kill?pid=%3C9.9%3E", "t0k"); code != http.StatusBadRequest {
		t.Errorf("unknown pid: %d, want 400", code)
	}
	if code := post(t, on.srv.URL+"/api/nope", "t0k"); code != http.StatusNotFound {
		t.Errorf("unknown action: %d, want 404", code)
	}
}

func TestChildActions(t *testing.T) {
	f := newFixture(t, observer.Config{Token: "k"})
	u, _ := first(t, f.srv.URL, nil)
	if len(u.Trees) != 1 || u.Trees[0].Strategy != "one_for_one" || len(u.Trees[0].Children) != 3 {
		t.Fatalf("trees: %+v", u.Trees)
	}
	if c := u.Trees[0].Children; c[0].ID != "ingest" || c[2].ID != "pipeline" || !c[2].Sup {
		t.Fatalf("children not in start order: %+v", c)
	}
	old := u.Trees[0].Children[1].PID
	q := "?sup=" + url.QueryEscape(f.root.String()) + "&id=store"
	if code := post(t, f.srv.URL+"/api/child/terminate"+q, "k"); code != http.StatusOK {
		t.Fatalf("terminate: %d", code)
	}
	u, _ = first(t, f.srv.URL, nil)
	if c := u.Trees[0].Children[1]; c.Status != "stopped" {
		t.Fatalf("after terminate: %+v", c)
	}
	if code := post(t, f.srv.URL+"/api/child/restart"+q, "k"); code != http.StatusOK {
		t.Fatalf("restart: %d", code)
	}
	u, _ = first(t, f.srv.URL, nil)
	if c := u.Trees[0].Children[1]; c.Status != "running" || c.PID == old {
		t.Fatalf("after restart: %+v (old pid %s)", c, old)
	}
}

func TestProcessTable(t *testing.T) {
	f := newFixture(t, observer.Config{PageSize: 3})
	u, _ := first(t, f.srv.URL, nil)
	if u.Actions {
		t.Error("actions on without a token")
	}
	if len(u.Procs.Rows) != 3 || u.Procs.Sort != "mailbox" || u.Procs.Rows[0].PID != f.busy.String() || u.Procs.Rows[0].Mailbox != 300 {
		t.Fatalf("default page: %+v", u.Procs)
	}
	if u.Procs.Pages != (u.Procs.Total+2)/3 {
		t.Errorf("pages %d for %d rows", u.Procs.Pages, u.Procs.Total)
	}
	u, _ = first(t, f.srv.URL, url.Values{"q": {"LINK"}})
	if u.Procs.Matched != 1 || u.Procs.Rows[0].PID != f.linker.String() {
		t.Fatalf("search: %+v", u.Procs)
	}
	u, _ = first(t, f.srv.URL, url.Values{"sort": {"pid"}, "desc": {"0"}, "page": {"999"}})
	if u.Procs.Page != u.Procs.Pages-1 || len(u.Procs.Rows) == 0 {
		t.Fatalf("a page beyond the end gives the last: %+v", u.Procs)
	}
}

func TestProcessPage(t *testing.T) {
	redacted := newFixture(t, observer.Config{})
	u, _ := first(t, redacted.srv.URL, url.Values{"pid": {redacted.busy.String()}})
	if d := u.Detail; d == nil || !d.Alive || !d.MessagesRedacted || len(d.Messages) != 0 || d.StateShown {
		t.Fatalf("default page: %+v", u.Detail)
	}
	if len(u.Detail.Links) != 1 || u.Detail.Links[0] != redacted.linker.String() {
		t.Errorf("links %v, want [%s]", u.Detail.Links, redacted.linker)
	}
	shown := newFixture(t, observer.Config{ShowMessages: true, FormatState: func(_ context.Context, pid process.PID) (string, error) {
		return "state of " + pid.String(), nil
	}})
	u, _ = first(t, shown.srv.URL, url.Values{"pid": {shown.busy.String()}})
	if d := u.Detail; d == nil || d.MessagesRedacted || len(d.Messages) != 10 || d.Messages[0] != "int 0" || d.State != "state of "+shown.busy.String() {
		t.Fatalf("opted-in page: %+v", u.Detail)
	}
	u, _ = first(t, shown.srv.URL, url.Values{"pid": {"<1.999999>"}})
	if u.Detail == nil || u.Detail.Alive {
		t.Fatalf("a dead pid: %+v", u.Detail)
	}
}

func TestSectionsAndDeadLetters(t *testing.T) {
	node, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = node.Stop(context.Background()) })
	q, err := deadletter.New(node, deadletter.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close(context.Background()) })
	for _, m := range []string{"<b>one</b>", "two"} {
		if _, err := q.Add(context.Background(), send.Letter{Dest: node.Name("nobody"), Msg: m, Reason: errors.New("no proc")}); err != nil {
			t.Fatal(err)
		}
	}
	agents := observer.SectionFunc("Agents", func(context.Context) (observer.Table, error) {
		return observer.Table{Columns: []string{"name", "status"}, Rows: [][]string{{"a1", "ready"}}}, nil
	})
	broken := observer.SectionFunc("Broken", func(context.Context) (observer.Table, error) { panic("boom") })
	f := newFixtureOn(t, node, observer.Config{Token: "k", DeadLetters: q, Sections: []observer.Section{agents, broken}})
	u, _ := first(t, f.srv.URL, nil)
	if len(u.Sections) != 2 || u.Sections[0].Title != "Agents" || u.Sections[0].Table.Rows[0][1] != "ready" || u.Sections[1].Error == "" {
		t.Fatalf("sections: %+v", u.Sections)
	}
	if u.Letters == nil || u.Letters.Count != 2 || u.Letters.Rows[0].Message != "<b>one</b>" {
		t.Fatalf("letters: %+v", u.Letters)
	}
	if code := post(t, f.srv.URL+"/api/deadletters/purge?id="+url.QueryEscape(u.Letters.Rows[0].ID), "k"); code != http.StatusOK {
		t.Fatalf("purge one: %d", code)
	}
	if n, _ := q.Len(context.Background()); n != 1 {
		t.Fatalf("after purging one: %d letters", n)
	}
	if code := post(t, f.srv.URL+"/api/deadletters/retry?all=1", "k"); code != http.StatusConflict {
		t.Errorf("retry to nobody: %d, want 409", code)
	}
	if code := post(t, f.srv.URL+"/api/deadletters/purge?all=1", "k"); code != http.StatusOK {
		t.Fatalf("purge all: %d", code)
	}
	if n, _ := q.Len(context.Background()); n != 0 {
		t.Fatalf("after purging all: %d letters", n)
	}
}

func TestListen(t *testing.T) {
	_, err := observer.Listen("0.0.0.0:0", "")
	var nl *observer.NotLoopbackError
	if !errors.As(err, &nl) || !errors.Is(err, observer.ErrNotLoopback) {
		t.Fatalf("non-loopback without token: %v", err)
	}
	for _, addr := range []string{"", "127.0.0.1:0", "localhost:0"} {
		ln, err := observer.Listen(addr, "")
		if err != nil {
			t.Fatalf("%q: %v", addr, err)
		}
		ln.Close()
	}
	ln, err := observer.Listen("0.0.0.0:0", "tok")
	if err != nil {
		t.Fatalf("non-loopback with a token: %v", err)
	}
	ln.Close()
}

func TestBadInput(t *testing.T) {
	node, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = node.Stop(context.Background()) })
	for name, cfg := range map[string]observer.Config{
		"nil node":          {},
		"negative interval": {Node: node, Interval: -time.Second},
		"negative page":     {Node: node, PageSize: -1},
		"nil section":       {Node: node, Sections: []observer.Section{nil}},
	} {
		err := otptest.NoPanic(func() error { _, err := observer.New(cfg); return err })
		if !errors.Is(err, observer.ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", name, err)
		}
	}
	if _, err := observer.Listen("no-port", ""); !errors.Is(err, observer.ErrInvalidArgument) {
		t.Errorf("Listen without a port: %v", err)
	}
}

// TestStackCapturesBounded: streams opening (the page reconnects on
// every sort, search and action) share one stack capture per interval,
// instead of two dumps of every goroutine each; a stream whose capture
// had to wait gets it on a later update.
func TestStackCapturesBounded(t *testing.T) {
	count, restore := observer.CountStacks()
	defer restore()
	f := newFixture(t, observer.Config{Interval: 3 * time.Second})
	type stackUpd struct {
		Detail *struct {
			Stack      string
			StackTaken bool `json:"stack_taken"`
		} `json:"detail"`
	}
	// updates reads the updates of a stream for pid until one has its
	// stack taken, and returns how many it read (max when none had) and
	// the stack (empty when the process ran no goroutine just then).
	updates := func(pid process.PID, max int) (int, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+"/events?pid="+url.QueryEscape(pid.String()), nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		n := 0
		for n < max && sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			n++
			var u stackUpd
			if err := json.Unmarshal([]byte(data), &u); err != nil {
				t.Fatal(err)
			}
			if u.Detail != nil && u.Detail.StackTaken {
				return n, u.Detail.Stack
			}
		}
		return max + 1, ""
	}
	var first string
	for i := range 5 {
		n, st := updates(f.busy, 1)
		if n != 1 || (i > 0 && st != first) {
			t.Fatalf("stream %d: stack after %d updates: %q; want the shared capture in the first", i, n, st)
		}
		first = st
	}
	if c := count(); c != 1 {
		t.Fatalf("5 streams took %d stack captures within one interval; want 1", c)
	}
	// Another process within the interval: its stack comes on a later
	// update, once the interval has passed.
	if n, st := updates(f.linker, 3); n < 2 || n > 3 {
		t.Errorf("linker's stack after %d updates: %q; want it on a later update", n, st)
	}
	if c := count(); c != 2 {
		t.Errorf("%d captures; want 2", c)
	}
}

// TestStalledClientReleased: a client that stops reading its stream
// does not hold the handler forever: once the socket's buffers are full
// the update's write times out and the stream ends.
func TestStalledClientReleased(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	f := newFixture(t, observer.Config{Interval: 50 * time.Millisecond, Sections: []observer.Section{
		observer.SectionFunc("big", func(context.Context) (observer.Table, error) {
			return observer.Table{Columns: []string{"x"}, Rows: [][]string{{big}}}, nil
		}),
	}})
	ended := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.h.ServeHTTP(w, r)
		if r.URL.Path == "/events" {
			close(ended)
		}
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4 << 10)
	}
	if _, err := conn.Write([]byte("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	// The client reads nothing from now on.
	select {
	case <-ended:
	case <-time.After(20 * time.Second):
		t.Fatal("the stream of a client that stopped reading still runs after 20 s")
	}
}

// TestRebindingRefused: a request that reached the loopback server under
// another site's host name (DNS rebinding) is refused; loopback names
// are served.
func TestRebindingRefused(t *testing.T) {
	f := newFixture(t, observer.Config{})
	_, port, _ := net.SplitHostPort(f.srv.Listener.Addr().String())
	for host, want := range map[string]int{
		"evil.example:" + port: http.StatusForbidden,
		"evil.example":         http.StatusForbidden,
		"127.0.0.1:" + port:    http.StatusOK,
		"localhost:" + port:    http.StatusOK,
		"LOCALHOST":            http.StatusOK,
		"[::1]:" + port:        http.StatusOK,
	} {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/config", nil)
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("Host %q: %d; want %d", host, res.StatusCode, want)
		}
	}
}

// TestBusySupervisorsBounded: supervisors too busy to list their
// children (each starting a child that blocks) are shown busy, and
// together they hold an update for at most about half an interval, not
// a per-supervisor timeout each.
func TestBusySupervisorsBounded(t *testing.T) {
	f := newFixture(t, observer.Config{Interval: 400 * time.Millisecond})
	release := make(chan struct{})
	defer close(release)
	blocking := supervisor.ChildSpec{ID: "slow", Start: func(parent *process.Proc) (process.PID, error) {
		select {
		case <-release:
		case <-parent.Context().Done():
		}
		return process.PID{}, errors.New("released")
	}}
	const n = 8
	for range n {
		sup, err := supervisor.Start(f.node, supervisor.Spec{})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, _ = supervisor.StartChild(ctx, sup, blocking)
		}()
	}
	// The first update that shows them busy was built by its own
	// request (a cached one would have shown them busy before): its
	// build time is the trees' time.
	var u struct {
		BuildMS float64 `json:"build_ms"`
		Trees   []struct{ Status string }
	}
	otptest.Eventually(t, 10*time.Second, func() bool {
		if err := json.Unmarshal(firstRaw(t, f.srv.URL), &u); err != nil {
			t.Fatal(err)
		}
		busy := 0
		for _, tr := range u.Trees {
			if tr.Status == "busy" {
				busy++
			}
		}
		return busy >= n
	}, "the %d supervisors are not all shown busy", n)
	if u.BuildMS > 1000 {
		t.Errorf("an update took %.0f ms to build with %d busy supervisors; want about half an interval", u.BuildMS, n)
	}
}

// firstRaw returns the first update of a plain stream.
func firstRaw(t *testing.T, base string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			return []byte(data)
		}
	}
	t.Fatalf("no update: %v", sc.Err())
	return nil
}

package observer_test

import (
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/process"
)

// idle is a handler process that holds no goroutine while it waits.
type idle struct{}

func (idle) HandleMessage(*process.Proc, process.Msg) error { return nil }

// TestLoad100k measures the observer with 100,000 processes: the size of
// one update (one page, never the whole table), the time to build it, and,
// with Chromium, the time the page takes to render an update. Set
// ORCHARD_OBSERVER_LOAD=1 to run it (it is slow under -race).
func TestLoad100k(t *testing.T) {
	if os.Getenv("ORCHARD_OBSERVER_LOAD") == "" {
		t.Skip("observer: set ORCHARD_OBSERVER_LOAD=1 to run the 100,000-process load test")
	}
	const n = 100_000
	f := newFixture(t, observer.Config{Interval: time.Second})
	start := time.Now()
	for i := range n {
		pid, err := f.node.SpawnHandler(idle{})
		if err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 { // some mailboxes to sort by
			_ = f.node.Send(pid, i)
		}
	}
	t.Logf("spawned %d processes in %v", n, time.Since(start).Round(time.Millisecond))

	t0 := time.Now()
	u, size := first(t, f.srv.URL, url.Values{"sort": {"mailbox"}})
	cold := time.Since(t0)
	if u.Procs.Total < n || len(u.Procs.Rows) != observer.DefaultPageSize {
		t.Fatalf("table: total %d, page %d rows", u.Procs.Total, len(u.Procs.Rows))
	}
	t0 = time.Now()
	_, size2 := first(t, f.srv.URL, url.Values{"sort": {"age"}, "q": {"func"}})
	warm := time.Since(t0)
	t.Logf("update: %d bytes (%d with another sort and a search); first update (table built and sorted) %v, another sort of the same table %v",
		size, size2, cold.Round(time.Millisecond), warm.Round(time.Millisecond))
	if size > 64<<10 {
		t.Errorf("an update of %d bytes: the table leaks into it", size)
	}

	if _, err := os.Stat(chromiumPath); err != nil {
		t.Logf("no Chromium: render time not measured")
		return
	}
	ctx := browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.WaitVisible(css(`#procs tbody tr`)),
	); err != nil {
		t.Fatal(err)
	}
	// Wait for a few updates, then read what the page measured.
	type stat struct {
		Updates int       `json:"updates"`
		Bytes   int       `json:"bytes"`
		Renders []float64 `json:"renders"`
	}
	st, err := eval[stat](ctx, `new Promise((resolve) => {
		const want = (window.__observer ? window.__observer.updates : 0) + 5;
		const renders = [];
		let seen = 0;
		const poll = () => {
			const o = window.__observer;
			if (o && o.updates > seen) { seen = o.updates; renders.push(o.renderMS); }
			if (o && o.updates >= want) resolve({updates: o.updates, bytes: o.bytes, renders: renders.sort((a, b) => a - b)});
			else setTimeout(poll, 10);
		};
		poll();
	})`)
	if err != nil {
		t.Fatal(err)
	}
	med := st.Renders[len(st.Renders)/2]
	t.Logf("browser: %d updates, last %d bytes, render times %v ms (median %.1f)", st.Updates, st.Bytes, st.Renders, med)
	if med > 100 {
		t.Errorf("median render %.1f ms", med)
	}
}

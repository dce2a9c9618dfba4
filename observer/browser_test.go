package observer_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seed-fe72f376/orchard/observer"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// browser starts a headless Chromium with a fresh profile and no
// network beyond what the page asks, or skips the test without one.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("observer: browser tests need Chromium at %s (apt-get install chromium): %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	tctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelT()
		_ = chromedp.Cancel(ctx)
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return tctx
}

// eval runs a JavaScript expression in the page, awaiting a promise,
// and decodes its value.
func eval[T any](ctx context.Context, expr string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// css is a CSS selector.
type css = chromedp.CSS

// TestBrowser drives the page in a real Chromium: the tree shows, a
// killed worker comes back with a new PID within a second, the table
// sorts, a process page shows its links, an action without the token is
// refused, and a name holding HTML stays text.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, observer.Config{Token: "s3cret"})
	if err := chromedp.Do(ctx,
		chromedp.Navigate(f.srv.URL+"/#token=s3cret"),
		chromedp.WaitVisible(css(`.trees .row[data-id="transformer"]`)),
	); err != nil {
		t.Fatalf("page load: %v", err)
	}

	t.Run("tree", func(t *testing.T) {
		text, err := eval[string](ctx, `document.getElementById('trees').innerText`)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"one_for_one", "rest_for_one", "ingest", "store", "pipeline", "validator", "transformer", "demo", f.root.String()} {
			if !strings.Contains(text, want) {
				t.Errorf("tree lacks %q:\n%s", want, text)
			}
		}
	})

	t.Run("kill restarts within a second", func(t *testing.T) {
		// In the page: note the worker's PID, click its kill button, and
		// time until the tree shows it running under another PID.
		const js = `new Promise((resolve) => {
			const row = () => document.querySelector('.trees .row[data-id="ingest"]');
			const old = row().dataset.pid;
			const t0 = performance.now();
			row().querySelector('button[data-action="kill"]').click();
			const poll = () => {
				const r = row();
				if (r && r.dataset.pid && r.dataset.pid !== old && r.dataset.status === 'running') {
					resolve({old: old, now: r.dataset.pid, ms: performance.now() - t0});
				} else if (performance.now() - t0 > 3000) {
					resolve({old: old, now: r ? r.dataset.pid : '', ms: -1});
				} else setTimeout(poll, 10);
			};
			poll();
		})`
		type result struct {
			Old string  `json:"old"`
			Now string  `json:"now"`
			MS  float64 `json:"ms"`
		}
		res, err := eval[result](ctx, js)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("killed %s, restarted as %s, shown after %.0f ms", res.Old, res.Now, res.MS)
		if res.MS < 0 || res.MS > 1000 {
			t.Fatalf("the restarted worker was not shown within a second: %+v", res)
		}
	})

	t.Run("sort", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`#procs th[data-sort="pid"]`)),
			chromedp.WaitVisible(css(`#procs th.sorted.asc[data-sort="pid"]`)),
		); err != nil {
			t.Fatal(err)
		}
		pids, err := eval[[]string](ctx, `[...document.querySelectorAll('#procs tbody tr')].map(r => r.dataset.pid)`)
		if err != nil {
			t.Fatal(err)
		}
		if len(pids) < 5 || !ascendingPIDs(pids) {
			t.Fatalf("pid column not ascending: %v", pids)
		}
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`#procs th[data-sort="mailbox"]`)),
			chromedp.WaitVisible(css(`#procs th.sorted[data-sort="mailbox"]:not(.asc)`)),
		); err != nil {
			t.Fatal(err)
		}
		first, err := eval[string](ctx, `document.querySelector('#procs tbody tr').dataset.pid`)
		if err != nil {
			t.Fatal(err)
		}
		if first != f.busy.String() {
			t.Fatalf("busiest first: got %s, want the busy process %s", first, f.busy)
		}
	})

	t.Run("process page shows links", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Click(css(fmt.Sprintf(`#procs a[data-select="%s"]`, f.busy))),
			chromedp.WaitVisible(css(`#detail-links`)),
		); err != nil {
			t.Fatal(err)
		}
		// The panel is redrawn on every update: read it in the page,
		// waiting (bounded) for an update that shows the link.
		links, err := eval[string](ctx, fmt.Sprintf(`new Promise((resolve) => {
			const t0 = performance.now();
			const poll = () => {
				const e = document.getElementById('detail-links');
				const text = e ? e.textContent : '';
				if (text.includes(%q) || performance.now() - t0 > 3000) resolve(text); else setTimeout(poll, 10);
			};
			poll();
		})`, f.linker.String()))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(links, f.linker.String()) {
			t.Fatalf("links of %s: %q, want %s", f.busy, links, f.linker)
		}
		redacted, err := eval[bool](ctx, `document.getElementById('detail').textContent.includes('redacted')`)
		if err != nil {
			t.Fatal(err)
		}
		if !redacted {
			t.Error("the mailbox's messages are not redacted without ShowMessages")
		}
	})

	t.Run("action without token refused", func(t *testing.T) {
		js := fmt.Sprintf(`fetch('api/kill?pid=%s', {method: 'POST'}).then(r => r.status)`, f.busy)
		status, err := eval[int](ctx, js)
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", status)
		}
		if !f.node.IsAlive(f.busy) {
			t.Fatal("the refused kill killed")
		}
	})

	t.Run("script name is text", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(css(`#search`), "script"),
			chromedp.WaitVisible(css(`#procs tbody tr:only-child`)),
		); err != nil {
			t.Fatal(err)
		}
		name, err := eval[string](ctx, `document.querySelector('#procs tbody tr td:nth-child(2)').textContent`)
		if err != nil {
			t.Fatal(err)
		}
		pwned, err := eval[bool](ctx, `window.pwned !== undefined`)
		if err != nil {
			t.Fatal(err)
		}
		if name != scriptName {
			t.Fatalf("name shown as %q, want the text %q", name, scriptName)
		}
		if pwned {
			t.Fatal("the name ran as HTML")
		}
	})

	if os.Getenv("ORCHARD_SCREENSHOT") != "" {
		screenshot(t, ctx, f)
	}
}

// screenshot writes docs/observer.png of a fresh page.
func screenshot(t *testing.T, ctx context.Context, f *fixture) {
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(f.srv.URL+"/?fresh=1#token=s3cret"), // a new document, not a fragment change
		chromedp.WaitVisible(css(`.trees .row[data-id="transformer"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := eval[bool](ctx, `new Promise(r => setTimeout(() => r(true), 3000))`); err != nil { // a few chart points
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(css(fmt.Sprintf(`#procs a[data-select="%s"]`, f.linker))),
		chromedp.WaitVisible(css(`#detail-links`)),
	); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join("..", "docs", "observer.png")
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", out, len(png))
}

func ascendingPIDs(pids []string) bool {
	num := func(s string) int {
		var a, b int
		_, _ = fmt.Sscanf(s, "<%d.%d>", &a, &b)
		return b
	}
	for i := 1; i < len(pids); i++ {
		if num(pids[i-1]) >= num(pids[i]) {
			return false
		}
	}
	return true
}

// TestBrowserMalformedFragment: a token fragment with a malformed escape
// does not stop the page's script: the page still draws its views.
func TestBrowserMalformedFragment(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, observer.Config{Token: "s3cret"})
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx,
		chromedp.Navigate(f.srv.URL+"/#token=%E0%A4%A"),
		chromedp.WaitVisible(css(`.trees .row[data-id="transformer"]`)),
	); err != nil {
		t.Fatalf("page with a malformed token fragment: %v", err)
	}
}

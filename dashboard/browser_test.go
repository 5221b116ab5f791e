package dashboard

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/clout-dev/clout/internal/browser"
	"github.com/clout-dev/clout/internal/testkit"
)

// chromiumPath finds the browser for the browser tests (testkit.Chromium).
func chromiumPath(t *testing.T) string { return testkit.Chromium(t) }

// pageWatch records what a tab does that a test must see: console errors,
// exceptions, failed requests, requests leaving loopback, and dialogs (which it
// dismisses, so a dialog cannot block the test).
type pageWatch struct {
	mu       sync.Mutex
	problems []string
	dialogs  []string
}

func (w *pageWatch) add(list *[]string, format string, args ...any) {
	w.mu.Lock()
	*list = append(*list, fmt.Sprintf(format, args...))
	w.mu.Unlock()
}

func (w *pageWatch) take() (problems, dialogs []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	problems, dialogs = w.problems, w.dialogs
	w.problems, w.dialogs = nil, nil
	return problems, dialogs
}

// newBrowser starts a headless Chromium with a fresh profile and returns a tab
// context and its watch.
func newBrowser(t *testing.T) (context.Context, *pageWatch) {
	t.Helper()
	return newBrowserTimeout(t, 3*time.Minute)
}

// newBrowserTimeout is newBrowser for a test that needs the browser longer.
func newBrowserTimeout(t *testing.T, timeout time.Duration) (context.Context, *pageWatch) {
	t.Helper()
	path := chromiumPath(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browser.Options(path,
		// Tabs a test drives side by side all count as in view: no throttled
		// timers or paused rendering in the ones without focus.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(1280, 1000),
	)...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	return ctx, watchTab(t, ctx)
}

// newTab opens another tab of the browser of ctx (sharing its cookies) and
// returns its context and watch.
func newTab(t *testing.T, browser context.Context) (context.Context, *pageWatch) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	return ctx, watchTab(t, ctx)
}

// watchTab starts recording what the tab of ctx does (see pageWatch).
func watchTab(t *testing.T, ctx context.Context) *pageWatch {
	t.Helper()
	w := &pageWatch{}
	dialogs := make(chan struct{}, 16)
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				w.add(&w.problems, "console.%s: %s", ev.Type, describeArgs(ev.Args))
			}
		case *runtime.EventExceptionThrown:
			desc := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				desc += " " + ev.ExceptionDetails.Exception.Description
			}
			w.add(&w.problems, "exception: %s", desc)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				w.add(&w.problems, "log error: %s %s", ev.Entry.Text, ev.Entry.URL)
			}
		case *network.EventLoadingFailed:
			if !ev.Canceled {
				w.add(&w.problems, "request failed: %s %s", ev.ErrorText, ev.BlockedReason)
			}
		case *network.EventRequestWillBeSent:
			if !loopbackURL(ev.Request.URL) {
				w.add(&w.problems, "request leaves loopback: %s", ev.Request.URL)
			}
		case *page.EventJavascriptDialogOpening:
			w.add(&w.dialogs, "%s: %s", ev.Type, ev.Message)
			select {
			case dialogs <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		t.Fatalf("start browser: %v", err)
	}
	go func() {
		for range dialogs {
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	t.Cleanup(func() { close(dialogs) })
	return w
}

func describeArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		if len(a.Value) > 0 {
			parts = append(parts, string(a.Value))
		} else {
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}

// loopbackURL reports whether u stays on this machine (or is inline data).
func loopbackURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch p.Scheme {
	case "data", "blob", "about":
		return true
	}
	host := p.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// chartState is what the page's ECharts instances hold, read in the browser.
type chartState struct {
	ID       string  `json:"id"`
	Series   int     `json:"series"`
	Painted  int     `json:"painted"` // non-transparent pixels sampled from the canvas
	Dark     bool    `json:"dark"`
	YName    string  `json:"yName"`
	FirstBar float64 `json:"firstBar"`
}

// readCharts waits until every chart of the page is drawn and reads its state.
const readChartsJS = `(() => {
  const els = Array.from(document.querySelectorAll('.chart'));
  if (els.length === 0 || els.some(el => el.getAttribute('data-drawn') !== 'true')) return null;
  return els.map(el => {
    const c = echarts.getInstanceByDom(el);
    const o = c.getOption();
    const canvas = el.querySelector('canvas');
    let painted = 0;
    if (canvas) {
      const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < d.length; i += 4 * 16) if (d[i] > 0) painted++;
    }
    const y = Array.isArray(o.yAxis) ? o.yAxis[0] : o.yAxis;
    const s0 = (o.series || [])[0] || {};
    const v0 = (s0.data || [])[0];
    return {
      id: el.id, series: (o.series || []).length, painted: painted,
      dark: o.darkMode === true || o.backgroundColor === '#100c2a',
      yName: y ? (y.name || '') : '',
      firstBar: typeof v0 === 'object' && v0 !== null ? Number(v0.value) : Number(v0),
    };
  });
})()`

// waitFor polls a JavaScript expression until it is truthy, across navigations
// (which destroy the context a single poll runs in).
func waitFor(ctx context.Context, expr string) (string, error) {
	deadline := time.Now().Add(15 * time.Second)
	for {
		v, err := chromedp.Run(ctx, chromedp.Poll[string](expr, chromedp.WithPollingTimeout(2*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil || time.Now().After(deadline) {
			return v, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mustCharts(t *testing.T, ctx context.Context) []chartState {
	t.Helper()
	var states []chartState
	var err error
	for deadline := time.Now().Add(20 * time.Second); ; {
		states, err = chromedp.Run(ctx, chromedp.Poll[[]chartState](readChartsJS, chromedp.WithPollingTimeout(5*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("charts never drew: %v", err)
	}
	return states
}

func assertClean(t *testing.T, w *pageWatch, where string) {
	t.Helper()
	problems, dialogs := w.take()
	for _, p := range problems {
		t.Errorf("%s: %s", where, p)
	}
	for _, d := range dialogs {
		t.Errorf("%s: a dialog opened (script ran): %s", where, d)
	}
}

func TestBrowser(t *testing.T) {
	chromiumPath(t)
	store := MustSeededStore(t)
	MustImport(t, store, "hostile", "hostile.xlsx", MustTidyWorkbook(t, [][]any{
		{"HOSTILE.X", "RUS", "", "2019", 1.5, hostile, hostile},
		{"HOSTILE.X", "RUS", "", "2020", 2.5, hostile, hostile},
		{"HOSTILE.X", "KAZ", "", "2020", 0.5, hostile, hostile},
	}))
	srv := httptest.NewServer(MustServer(t, store, testConfig()).Handler())
	t.Cleanup(srv.Close)
	ctx, w := newBrowser(t)

	visit := func(t *testing.T, path string) []chartState {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatalf("navigate %s: %v", path, err)
		}
		states := mustCharts(t, ctx)
		for _, s := range states {
			if s.Series == 0 || s.Painted < 50 {
				t.Errorf("%s: chart %s has %d series, %d painted samples", path, s.ID, s.Series, s.Painted)
			}
		}
		// Let late requests (the map) and errors arrive before judging.
		chromedp.Do(ctx, chromedp.Sleep(150*time.Millisecond))
		assertClean(t, w, path)
		return states
	}

	t.Run("every page draws", func(t *testing.T) {
		for _, path := range []string{
			"/", "/charts/trade-share", "/charts/gas-exports", "/charts/integration-gain",
			"/charts/series?indicator=SP.POP.TOTL&countries=FSU-CORE", "/charts/map",
			"/charts/trade-share/embed", "/charts/map/embed", "/charts/trade-share?v=1",
		} {
			states := visit(t, path)
			if path == "/" && len(states) != 3 {
				t.Errorf("overview draws %d charts, want 3", len(states))
			}
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
		mustCharts(t, ctx)
		chromedp.Do(ctx, chromedp.Sleep(1200*time.Millisecond)) // let the animations finish
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		dir := os.Getenv("CLOUT_TEST_OUTPUT")
		if dir == "" {
			dir = t.TempDir()
		}
		out := filepath.Join(dir, "overview.png")
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot of / written to %s", out)
	})

	t.Run("changing a control changes the URL and the chart", func(t *testing.T) {
		before := visit(t, "/charts/trade-share")
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
			const sel = document.getElementById('p-year');
			const opts = Array.from(sel.options).filter(o => o.value !== '' && !o.selected);
			sel.value = opts[opts.length - 1].value;
			sel.dispatchEvent(new Event('change', {bubbles: true}));
		})()`)); err != nil {
			t.Fatal(err)
		}
		loc, err := waitFor(ctx, `location.search.includes('year=') ? location.href : null`)
		if err != nil {
			t.Fatalf("URL did not change: %v", err)
		}
		after := mustCharts(t, ctx)
		if before[0].YName == after[0].YName {
			t.Errorf("chart did not change: y axis %q before and after (%s)", after[0].YName, loc)
		}
		assertClean(t, w, loc)
	})

	t.Run("keyboard: typing a threshold and Enter", func(t *testing.T) {
		visit(t, "/charts/trade-share")
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("p-threshold"))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('p-threshold').select()`), chromedp.KeyEvent("7\r")); err != nil {
			t.Fatal(err)
		}
		if _, err := waitFor(ctx, `location.search.includes('threshold=7') ? location.href : null`); err != nil {
			t.Fatalf("typing a threshold and Enter did not change the URL: %v", err)
		}
		mustCharts(t, ctx)
		assertClean(t, w, "threshold=7")
	})

	t.Run("keyboard: arrows move through a select, Enter applies", func(t *testing.T) {
		visit(t, "/charts/trade-share")
		start, _ := chromedp.Run(ctx, chromedp.Location())
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("p-year")), chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			t.Fatal(err)
		}
		chromedp.Do(ctx, chromedp.Sleep(400*time.Millisecond))
		value, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('p-year').value`))
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != start || value == "" {
			t.Fatalf("ArrowDown: location %s (from %s), year %q: want the same page with a year chosen", loc, start, value)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
			t.Fatal(err)
		}
		if _, err := waitFor(ctx, `location.search.includes('year=`+value+`') ? location.href : null`); err != nil {
			t.Fatalf("Enter did not apply year=%s: %v", value, err)
		}
		mustCharts(t, ctx)
		assertClean(t, w, "year by keyboard")
	})

	t.Run("dark mode uses the dark theme", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		}); err != nil {
			t.Fatal(err)
		}
		defer chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}},
		})
		for _, s := range visit(t, "/charts/gas-exports") {
			if !s.Dark {
				t.Errorf("chart %s is not drawn with the dark theme", s.ID)
			}
		}
	})

	t.Run("light mode does not", func(t *testing.T) {
		for _, s := range visit(t, "/charts/gas-exports") {
			if s.Dark {
				t.Errorf("chart %s is drawn dark in light mode", s.ID)
			}
		}
	})

	t.Run("hostile labels stay text", func(t *testing.T) {
		for _, path := range []string{
			"/charts/series?indicator=HOSTILE.X&countries=RUS,KAZ",
			"/charts/series/embed?indicator=HOSTILE.X&countries=RUS,KAZ",
		} {
			visit(t, path)
			chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond))
			text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText + JSON.stringify(echarts.getInstanceByDom(document.querySelector('.chart')).getOption())`))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, "<img src=x onerror=alert(3)>") {
				t.Errorf("%s: the hostile label is not shown as text", path)
			}
			imgs, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('img').length`))
			if imgs != 0 {
				t.Errorf("%s: %d <img> elements were created from data", path, imgs)
			}
			assertClean(t, w, path)
		}
	})
}

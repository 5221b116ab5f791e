package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// sweepPage is a page the sweep visits: its path and how many charts it draws.
type sweepPage struct {
	name, path string
	charts     int
	status     int // the expected status of the document (200 unless set)
}

// sweepView is a viewport and colour scheme the sweep looks at every page in.
type sweepView struct {
	width, height int64
	scheme        string // prefers-color-scheme: light or dark
}

func (v sweepView) String() string { return fmt.Sprintf("%d-%s", v.width, v.scheme) }

var sweepViews = []sweepView{
	{width: 1400, height: 1000, scheme: "light"},
	{width: 1400, height: 1000, scheme: "dark"},
	{width: 390, height: 844, scheme: "light"},
	{width: 390, height: 844, scheme: "dark"},
}

// axeSource reads axe-core from the repository's node_modules (npm ci installs
// it as a devDependency; `make assets` runs npm ci). Nothing comes from a CDN.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed (run `make assets`, which runs npm ci): %v", err)
	}
	return string(b)
}

// axeViolation is one rule axe-core found broken, with where.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// runAxeJS runs every enabled axe-core rule on the page and lists the
// violations with the first few elements of each.
const runAxeJS = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || '', help: v.help,
  targets: v.nodes.slice(0, 4).map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.split('\n').slice(1).join(' ') : '')),
})))`

// overflowJS reports whether the page scrolls sideways, with the widest
// elements that stick out to the right when it does.
const overflowJS = `(() => {
  const w = window.innerWidth, sw = document.scrollingElement.scrollWidth;
  if (sw <= w) return '';
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && r.width > 0) {
      let p = el.parentElement, inside = false;
      for (; p && p !== document.body; p = p.parentElement) {
        const cs = getComputedStyle(p);
        if (cs.overflowX === 'auto' || cs.overflowX === 'scroll' || cs.overflowX === 'hidden') { inside = true; break; }
      }
      if (!inside) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') + ' right=' + Math.round(r.right));
    }
  }
  return 'scrollWidth ' + sw + ' > ' + w + ': ' + out.slice(0, 6).join(', ');
})()`

// TestBrowserPagesSweep opens every page at 1400 and 390 px wide, light and
// dark, and asserts that none scrolls sideways, none logs an error, every chart
// is drawn (its canvas painted), and axe-core finds no serious or critical
// accessibility violation. It writes a full-page screenshot of each to
// CLOUT_TEST_OUTPUT (or a temporary directory).
func TestBrowserPagesSweep(t *testing.T) {
	chromiumPath(t)
	axe := axeSource(t)
	store := MustSeededStore(t)
	// A dataset with two versions, so the diff page has rows to show.
	MustImport(t, store, "sweep-population", "sweep-population.xlsx", MustTidyWorkbook(t, [][]any{
		{"SP.POP.TOTL", "KAZ", "", "2021", 19.0e6, "persons", "sweep test, first release"},
		{"SP.POP.TOTL", "KGZ", "", "2021", 6.6e6, "persons", "sweep test, first release"},
	}))
	MustImport(t, store, "sweep-population", "sweep-population.xlsx", MustTidyWorkbook(t, [][]any{
		{"SP.POP.TOTL", "KAZ", "", "2021", 19.1e6, "persons", "sweep test, revised"},
		{"SP.POP.TOTL", "UZB", "", "2021", 34.9e6, "persons", "sweep test, revised"},
	}))
	s := MustDataServer(t, store, Config{})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	var claimList struct {
		Claims []struct {
			Claim struct {
				ID string `json:"id"`
			} `json:"claim"`
		} `json:"claims"`
	}
	getJSON(t, srv.URL+"/api/claims", &claimList)
	if len(claimList.Claims) == 0 {
		t.Fatal("no claims to visit")
	}
	claimID := claimList.Claims[0].Claim.ID

	public := []sweepPage{
		{name: "overview", path: "/", charts: 3},
		{name: "claims", path: "/claims"},
		{name: "claim", path: "/claims/" + claimID, charts: 1},
		{name: "trade-share", path: "/charts/trade-share", charts: 1},
		{name: "gas-exports", path: "/charts/gas-exports", charts: 1},
		{name: "integration-gain", path: "/charts/integration-gain", charts: 1},
		{name: "series", path: "/charts/series?indicator=SP.POP.TOTL&countries=FSU-CORE", charts: 1},
		{name: "map", path: "/charts/map", charts: 1},
		{name: "embed", path: "/charts/gas-exports/embed", charts: 1},
		{name: "datasets", path: "/datasets"},
		{name: "dataset", path: "/datasets/sweep-population"},
		{name: "diff", path: "/datasets/sweep-population/diff?from=1&to=2"},
		{name: "jobs", path: "/jobs"},
		{name: "login", path: "/login"},
		{name: "not-found", path: "/charts/no-such-chart", status: http.StatusNotFound},
	}
	signedIn := []sweepPage{
		{name: "signed-in-overview", path: "/", charts: 3},
		{name: "upload", path: "/upload"},
		{name: "claim-new", path: "/claims/new"},
		{name: "rollback", path: "/datasets/sweep-population/rollback?version=1"},
		{name: "signed-in-trade-share", path: "/charts/trade-share", charts: 1},
	}

	dir := os.Getenv("CLOUT_TEST_OUTPUT")
	if dir == "" {
		dir = t.TempDir()
	}
	browser, _ := newBrowserTimeout(t, 8*time.Minute)
	var mu sync.Mutex
	var found []string // every violation, serious or not, for the log

	// visit checks one page in the tab of ctx, emulating view.
	visit := func(t *testing.T, ctx context.Context, w *pageWatch, view sweepView, p sweepPage, prefix string) {
		where := p.name + " at " + view.String()
		res, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+p.path))
		if err != nil {
			t.Fatalf("%s: navigate: %v", where, err)
		}
		want := p.status
		if want == 0 {
			want = http.StatusOK
		}
		if res == nil || int(res.Status) != want {
			t.Errorf("%s: status %v, want %d", where, res, want)
		}
		if p.charts > 0 {
			states := mustCharts(t, ctx)
			if len(states) != p.charts {
				t.Errorf("%s: %d charts, want %d", where, len(states), p.charts)
			}
			for _, st := range states {
				if st.Series == 0 || st.Painted < 50 {
					t.Errorf("%s: chart %s has %d series and %d painted samples", where, st.ID, st.Series, st.Painted)
				}
			}
			chromedp.Do(ctx, chromedp.Sleep(500*time.Millisecond)) // the entry animation, for the screenshot
		}
		if over, err := chromedp.Run(ctx, chromedp.Evaluate[string](overflowJS)); err != nil || over != "" {
			t.Errorf("%s scrolls sideways: %s %v", where, over, err)
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
			t.Fatalf("%s: load axe-core: %v", where, err)
		}
		violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](runAxeJS, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: axe: %v", where, err)
		}
		for _, v := range violations {
			line := fmt.Sprintf("%s: axe %s (%s): %s: %s", where, v.ID, v.Impact, v.Help, strings.Join(v.Targets, " | "))
			mu.Lock()
			found = append(found, line)
			mu.Unlock()
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Error(line)
			}
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("%s: screenshot: %v", where, err)
		}
		if err := os.WriteFile(filepath.Join(dir, prefix+p.name+"-"+view.String()+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		chromedp.Do(ctx, chromedp.Sleep(100*time.Millisecond)) // late requests and errors
		problems, dialogs := w.take()
		if p.status == http.StatusNotFound {
			// Chromium logs the document's own 404 as a failed resource.
			problems = slices.DeleteFunc(problems, func(s string) bool { return strings.Contains(s, "status of 404") })
		}
		for _, pr := range problems {
			t.Errorf("%s: %s", where, pr)
		}
		for _, d := range dialogs {
			t.Errorf("%s: a dialog opened: %s", where, d)
		}
	}

	// sweep visits the pages in every view, one view after the other in one
	// tab: a tab without focus may draw differently, and a loaded machine gains
	// nothing from tabs side by side.
	sweep := func(t *testing.T, pages []sweepPage, prefix string) {
		ctx, w := newTab(t, browser)
		for _, view := range sweepViews {
			t.Run(view.String(), func(t *testing.T) {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(view.width, view.height)); err != nil {
					t.Fatalf("emulate %s: %v", view, err)
				}
				if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: view.scheme}},
				}); err != nil {
					t.Fatalf("emulate %s: %v", view, err)
				}
				for _, p := range pages {
					visit(t, ctx, w, view, p, prefix)
				}
			})
		}
	}

	t.Run("public pages", func(t *testing.T) { sweep(t, public, "") })

	t.Run("signed in", func(t *testing.T) {
		ctx, _ := newTab(t, browser)
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(1400, 1000),
			chromedp.Navigate(srv.URL+"/login?next=%2F"),
			chromedp.SendKeys(chromedp.ID("token"), testAdminToken),
			chromedp.Submit(chromedp.ID("token")),
		); err != nil {
			t.Fatalf("log in: %v", err)
		}
		if _, err := waitFor(ctx, `location.pathname === '/' && document.querySelector('header .account .who') ? 'ok' : null`); err != nil {
			t.Fatalf("the header does not say who is signed in after logging in: %v", err)
		}
		sweep(t, signedIn, "")
	})

	t.Logf("screenshots in %s", dir)
	t.Logf("axe-core: %d violations of any impact:\n%s", len(found), strings.Join(found, "\n"))
}

// getJSON decodes the JSON answer of a GET.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestBrowserSiteFrame checks the menu and the footer in Chromium: at 390 px
// the menu folds behind a Menu button that opens with a tap and with the
// keyboard (no script needed), at 1400 px it is open and the button gone; the
// footer's data version follows an import made elsewhere when the tab regains
// focus, and is right after a reload.
func TestBrowserSiteFrame(t *testing.T) {
	chromiumPath(t)
	c := startSeededDataServer(t)
	ctx, w := newBrowser(t)
	const menuJS = `(() => {
	  const b = document.querySelector('.menu-button').getBoundingClientRect();
	  const link = document.querySelector('header nav a[href="/jobs"]').getBoundingClientRect();
	  return {button: b.width > 0 ? Math.round(b.height) : 0, links: link.width > 0 && link.height > 0};
	})()`
	type menu struct {
		Button int  `json:"button"` // the Menu button's height, 0 when hidden
		Links  bool `json:"links"`  // the menu's links are shown
	}
	read := func(where string) menu {
		t.Helper()
		m, err := chromedp.Run(ctx, chromedp.Evaluate[menu](menuJS))
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		return m
	}

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(c.base+"/datasets")); err != nil {
		t.Fatal(err)
	}
	if m := read("390 px"); m.Links || m.Button < 44 {
		t.Errorf("at 390 px the menu is %+v: want its links folded behind a button at least 44 px high", m)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".menu-button"))); err != nil {
		t.Fatal(err)
	}
	if m := read("390 px, tapped"); !m.Links {
		t.Errorf("tapping Menu does not show the links")
	}
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("menu-toggle")), chromedp.KeyEvent(" ")); err != nil {
		t.Fatal(err)
	}
	if m := read("390 px, Space"); m.Links {
		t.Errorf("Space on the focused Menu toggle does not fold the links again")
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(c.base+"/datasets")); err != nil {
		t.Fatal(err)
	}
	if m := read("1400 px"); !m.Links || m.Button != 0 {
		t.Errorf("at 1400 px the menu is %+v: want its links shown and no Menu button", m)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(c.base+"/charts/trade-share")); err != nil {
		t.Fatal(err)
	}
	mustCharts(t, ctx)
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('footer .data-version-number').textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if up := c.upload(map[string]string{"dataset": "population"}, "population.csv", goodCSV(), bearerHeader(testAdminToken)...); up.status != http.StatusOK {
		t.Fatalf("import: %d %s", up.status, up.body)
	}
	var next struct {
		DataVersion int64 `json:"data_version"`
	}
	c.do(http.MethodGet, "/api/version", nil).json(t, &next)
	if fmt.Sprint(next.DataVersion) == shown {
		t.Fatalf("the import did not change the data version (%s)", shown)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new Event('focus'))`)); err != nil {
		t.Fatal(err)
	}
	updated := fmt.Sprintf(`(() => {
	  const box = document.querySelector('footer .data-version');
	  return box.querySelector('.data-version-number').textContent === '%d' && box.querySelector('.data-version-note a') ? box.textContent : null;
	})()`, next.DataVersion)
	text, err := waitFor(ctx, updated)
	if err != nil {
		t.Fatalf("the footer still shows data version %s after an import and focus: %v", shown, err)
	}
	t.Logf("footer after the import: %s", strings.Join(strings.Fields(text), " "))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("footer .data-version-note a"))); err != nil {
		t.Fatal(err)
	}
	mustCharts(t, ctx)
	after := fmt.Sprintf(`document.querySelector('footer .data-version-number').textContent === '%d' && !document.querySelector('footer .data-version-note') ? 'ok' : null`, next.DataVersion)
	if _, err := waitFor(ctx, after); err != nil {
		t.Errorf("after the reload the footer does not show data version %d alone: %v", next.DataVersion, err)
	}
	assertClean(t, w, "site frame")
}

package dashboard

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clout-dev/clout/indicators"
)

// overviewState is what the data make "/" show, read in the browser: the
// one-line statements and the plotted series data (not titles or versions).
const overviewStateJS = `(() => {
  const data = Array.from(document.querySelectorAll('script[id^="opt-"]'))
    .map(s => JSON.stringify((JSON.parse(s.textContent).series || []).map(x => x.data)));
  const stmts = Array.from(document.querySelectorAll('.statement')).map(p => p.textContent);
  return stmts.join('\n') + '\n' + data.join('\n');
})()`

// readOverview loads "/" and waits for its charts to draw.
func readOverview(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("navigate /: %v", err)
	}
	for _, s := range mustCharts(t, ctx) {
		if s.Series == 0 {
			t.Errorf("/: chart %s has no series", s.ID)
		}
	}
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](overviewStateJS))
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// latestTradeRow is a row that changes the trade-share headline: Russia's
// exports to Turkey in the latest year of the data, tripled.
func latestTradeRow(t *testing.T, store indicators.Store) []any {
	t.Helper()
	obs, err := store.Observations(t.Context(), indicators.Query{
		Indicators: []string{"TXG_FOB_USD"}, Countries: []string{"RUS"}, Partners: []string{"TUR"}})
	if err != nil || len(obs) == 0 {
		t.Fatalf("the seed has no Russian exports to Turkey (%v)", err)
	}
	last := obs[len(obs)-1]
	return []any{last.Indicator, "RUS", "TUR", last.Period.String(), last.Value * 3, last.Unit, "browser test"}
}

func TestBrowserUpload(t *testing.T) {
	chromiumPath(t)
	store := MustSeededStore(t)
	s := MustDataServer(t, store, Config{})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	ctx, w := newBrowser(t)
	dir := t.TempDir()

	good := filepath.Join(dir, "browser-trade.xlsx")
	if err := os.WriteFile(good, tidyXLSX(t, [][]any{latestTradeRow(t, store)}), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.csv")
	if err := os.WriteFile(broken, badCSV(), 0o644); err != nil {
		t.Fatal(err)
	}

	before := readOverview(t, ctx, srv.URL)
	assertClean(t, w, "/ before the upload")

	t.Run("log in", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/upload")); err != nil {
			t.Fatal(err)
		}
		if _, err := waitFor(ctx, `location.pathname === '/login' ? location.href : null`); err != nil {
			t.Fatalf("/upload did not send an anonymous visitor to /login: %v", err)
		}
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("token"), testAdminToken),
			chromedp.Submit(chromedp.ID("token")),
			chromedp.WaitVisible(chromedp.ID("upload-form")),
		); err != nil {
			t.Fatalf("log in: %v", err)
		}
		assertClean(t, w, "/login → /upload")
	})

	t.Run("dry run, then import the same file", func(t *testing.T) {
		versionBefore, _ := store.DataVersion(t.Context())
		if err := setUploadFile(ctx, good); err != nil {
			t.Fatal(err)
		}
		if _, err := waitFor(ctx, `document.getElementById('dataset').value === 'browser-trade' ? 'ok' : null`); err != nil {
			t.Errorf("the dataset name is not the file stem: %v", err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("check")), chromedp.WaitVisible(chromedp.ID("import"))); err != nil {
			t.Fatalf("dry run: %v", err)
		}
		report, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result")))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Checked", "Layout", "tidy", "Observations", "TXG_FOB_USD", "browser test"} {
			if !strings.Contains(report, want) {
				t.Errorf("dry-run report lacks %q:\n%s", want, report)
			}
		}
		if p, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById('progress').value`)); p != 100 {
			t.Errorf("progress bar at %v after the upload", p)
		}
		if v, _ := store.DataVersion(t.Context()); v != versionBefore {
			t.Fatalf("the dry run stored data: version %d → %d", versionBefore, v)
		}

		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("import")), chromedp.WaitVisible(chromedp.ID("imported"))); err != nil {
			t.Fatalf("import: %v", err)
		}
		done, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("done")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(done, "Version 1 of dataset “browser-trade” is now current") ||
			!strings.Contains(done, fmt.Sprintf("data version %d", versionBefore+1)) {
			t.Errorf("import result: %s", done)
		}
		// The footer follows the import without a reload.
		footer := fmt.Sprintf(`document.querySelector('footer .data-version-number').textContent === '%d' ? 'ok' : null`, versionBefore+1)
		if _, err := waitFor(ctx, footer); err != nil {
			t.Errorf("the footer does not show data version %d after the import: %v", versionBefore+1, err)
		}
		links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.chart-links a')).map(a => a.getAttribute('href'))`))
		if err != nil || !containsString(links, "/charts/trade-share") {
			t.Errorf("chart links %v (%v), want /charts/trade-share", links, err)
		}
		assertClean(t, w, "/upload")
	})

	var afterImport string
	t.Run("the chart on / changes", func(t *testing.T) {
		afterImport = readOverview(t, ctx, srv.URL)
		if afterImport == before {
			t.Fatalf("/ shows the same charts and statements after the import")
		}
		stmt := func(state string) string { return strings.SplitN(state, "\n", 2)[0] }
		if stmt(afterImport) == stmt(before) {
			t.Errorf("the trade-share statement did not change: %q", stmt(afterImport))
		}
		assertClean(t, w, "/ after the import")
	})

	t.Run("a broken file shows every error and changes nothing", func(t *testing.T) {
		versionBefore, _ := store.DataVersion(t.Context())
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/upload"),
			chromedp.WaitVisible(chromedp.ID("upload-form")),
		); err != nil {
			t.Fatalf("open /upload: %v", err)
		}
		if err := setUploadFile(ctx, broken); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.ID("check")),
			chromedp.WaitVisible(chromedp.CSS("table.errors")),
		); err != nil {
			t.Fatalf("check the broken file: %v", err)
		}
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll('table.errors tbody tr')).map(tr => Array.from(tr.cells).map(td => td.textContent))`))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("error table has %d rows, want 3: %v", len(rows), rows)
		}
		for i, row := range []string{"2", "3", "5"} {
			if rows[i][1] != row || rows[i][3] == "" {
				t.Errorf("error %d: %v, want row %s with a message", i, rows[i], row)
			}
		}
		title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result-title")))
		if !strings.Contains(title, "nothing was stored") {
			t.Errorf("result title %q", title)
		}
		if hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('import').hidden`)); !hidden {
			t.Errorf("the import button is offered for a rejected file")
		}
		if v, _ := store.DataVersion(t.Context()); v != versionBefore {
			t.Fatalf("a rejected file changed the data: version %d → %d", versionBefore, v)
		}
		// The 422 of the check is expected; Chromium logs it as a failed resource.
		w.take()
		if now := readOverview(t, ctx, srv.URL); now != afterImport {
			t.Errorf("/ changed after a rejected upload")
		}
		assertClean(t, w, "/ after the rejected upload")
	})

	t.Run("datasets page shows the new version", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/datasets"), chromedp.WaitVisible(chromedp.CSS("table.versions"))); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"browser-trade", "browser-trade.xlsx", "session", "current"} {
			if !strings.Contains(text, want) {
				t.Errorf("/datasets lacks %q", want)
			}
		}
		chromedp.Do(ctx, chromedp.Sleep(100*time.Millisecond))
		assertClean(t, w, "/datasets")
	})
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// setUploadFile puts path into the page's file input once upload.js is live (it
// marks the form data-ready). Right after a navigation the node the browser reports
// can be replaced before the files are set ("Could not find node with given id"),
// so a stale node is looked up again a few times.
func setUploadFile(ctx context.Context, path string) error {
	if _, err := waitFor(ctx, `(document.getElementById('upload-form') || {dataset: {}}).dataset.ready === 'true' ? 'ok' : null`); err != nil {
		return fmt.Errorf("upload.js did not start: %w", err)
	}
	var err error
	for range 5 {
		err = chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.ID("file")),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}),
		)
		if err == nil || !strings.Contains(err.Error(), "Could not find node") {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
	return err
}

// TestBrowserUpload_followsOperation: when the import outlasts the answer (here
// always: the server answers 202 at once), the page follows the operation and
// shows the import's result as if it had been answered directly.
func TestBrowserUpload_followsOperation(t *testing.T) {
	chromiumPath(t)
	store := MustSeededStore(t)
	// Half a millisecond to answer: every import is 202 and followed.
	s := MustDataServer(t, store, Config{WriteTimeout: time.Millisecond})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	ctx, w := newBrowser(t)
	good := filepath.Join(t.TempDir(), "followed.xlsx")
	if err := os.WriteFile(good, tidyXLSX(t, [][]any{latestTradeRow(t, store)}), 0o644); err != nil {
		t.Fatal(err)
	}
	versionBefore, _ := store.DataVersion(t.Context())
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login?next=%2Fupload"),
		chromedp.SendKeys(chromedp.ID("token"), testAdminToken),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID("upload-form")),
	); err != nil {
		t.Fatalf("log in: %v", err)
	}
	if err := setUploadFile(ctx, good); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("check")), chromedp.WaitVisible(chromedp.ID("import")),
		chromedp.Click(chromedp.ID("import")), chromedp.WaitVisible(chromedp.ID("imported"))); err != nil {
		t.Fatalf("check and import: %v", err)
	}
	done, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("done")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(done, "Version 1 of dataset “followed” is now current") ||
		!strings.Contains(done, fmt.Sprintf("data version %d", versionBefore+1)) {
		t.Errorf("import result: %s", done)
	}
	assertClean(t, w, "/upload with a followed import")
}

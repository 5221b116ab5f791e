package export_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/internal/testkit"
)

// MustBrowser starts headless Chromium for the test and returns its context. It
// skips without a browser unless CLOUT_REQUIRE_BROWSER=1.
func MustBrowser(tb testing.TB) context.Context {
	tb.Helper()
	path := testkit.Chromium(tb)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		tb.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// serve serves body as text/html on a loopback server.
func serve(tb testing.TB, body []byte) string {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// chartDrawnJS waits for the page's chart and counts the painted pixels of its
// canvas.
const chartDrawnJS = `(() => {
	const c = document.querySelector('#chart canvas');
	if (!window.cloutChart || !c) return -1;
	const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
	let n = 0;
	for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
	return n;
})()`

func TestHTMLDrawsInChromium(t *testing.T) {
	ctx := MustBrowser(t)
	e := MustExporter(t)
	url := serve(t, MustWrite(t, e, "html", snapshot(t), exportImage()))
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#chart canvas"))); err != nil {
		t.Fatalf("load page: %v", err)
	}
	// ECharts animates the bars in: wait until the painting stops changing.
	painted, last := 0, -1
	for painted != last {
		time.Sleep(300 * time.Millisecond)
		last = painted
		var err error
		if painted, err = chromedp.Run(ctx, chromedp.Evaluate[int](chartDrawnJS)); err != nil {
			t.Fatal(err)
		}
	}
	// Bars of 4.5, 3, 2, 1.5, 1, .5 and .2 units on a 5-unit axis fill a good part of
	// the 1200×675 plot.
	if painted < 100000 {
		t.Errorf("chart canvas has %d painted pixels; ECharts did not draw the bars", painted)
	}
	// Everything is inline: the page fetched nothing besides itself.
	fetched, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`performance.getEntriesByType('resource').map(e => e.name)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(fetched) != 0 {
		t.Errorf("page fetched %q, want nothing", fetched)
	}
	alerted, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.alerted !== 'undefined'`))
	if err != nil || alerted {
		t.Errorf("hostile labels ran: %v %v", alerted, err)
	}
}

// TestSVGFontsLoadInChromium opens an SVG export on its own: the subset fonts
// embedded in it must pass the browser's font sanitiser and load.
func TestSVGFontsLoadInChromium(t *testing.T) {
	ctx := MustBrowser(t)
	e := MustExporter(t)
	svg := MustWrite(t, e, export.SVG, snapshot(t), export.DefaultImage())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write(svg)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`document.fonts.ready.then(() => [...document.fonts].map(f => f.family + ' ' + f.weight + ' ' + f.status))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"DejaVu Sans normal loaded", "DejaVu Sans bold loaded"}
	if strings.Join(status, "|") != strings.Join(want, "|") {
		t.Fatalf("fonts = %q, want %q", status, want)
	}
}

func TestHTMLWorldMapInChromium(t *testing.T) {
	ctx := MustBrowser(t)
	e := MustExporter(t)
	s := snapshot(t)
	s.Option = []byte(`{"visualMap":{"min":0,"max":10},"series":[{"type":"map","map":"clout-world","data":[{"name":"Russia","value":10}]}]}`)
	html := MustWrite(t, e, export.HTML, s, export.DefaultImage())
	if n := strings.Count(string(html), "<script"); n != 2 {
		t.Errorf("map HTML has %d scripts, want 2 (ECharts, the chart with its map)", n)
	}
	url := serve(t, html)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#chart canvas"))); err != nil {
		t.Fatal(err)
	}
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!echarts.getMap('clout-world') && cloutChart.getOption().series[0].type === 'map'`))
	if err != nil || !ok {
		t.Fatalf("world map not registered or drawn: %v %v", ok, err)
	}
}

package dashboard

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/export"
)

// TestBrowser_download: in Chromium, the PNG and SVG download links of a chart
// page save an image built from the chart already drawn, captioned with the
// same title, sources and footer as the server's snapshot, and the page sends
// no request to the snapshot route.
func TestBrowser_download(t *testing.T) {
	chromiumPath(t)
	s := renderingServer(t)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	ctx, w := newBrowser(t)

	var mu sync.Mutex
	var snapshotRequests []string
	downloads := make(chan *browser.EventDownloadWillBegin, 4)
	done := make(chan string, 4)
	chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok && strings.Contains(ev.Request.URL, "/snapshot.") {
			mu.Lock()
			snapshotRequests = append(snapshotRequests, ev.Request.URL)
			mu.Unlock()
		}
	})
	dir := t.TempDir()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	chromedp.ListenBrowser(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *browser.EventDownloadWillBegin:
			downloads <- ev
		case *browser.EventDownloadProgress:
			if ev.State == browser.DownloadProgressStateCompleted {
				done <- ev.GUID
			}
		}
	})
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)}); err != nil {
		t.Fatal(err)
	}

	const id = "integration-gain"
	charts := s.charts
	cc, err := charts.ComputeByID(context.Background(), id, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	caption := export.CaptionOf(cc.Result, charts.Absolute(cc.Permalink()))
	sources, stamp := caption.Lines(time.Now())
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+chart.PagePath(id))); err != nil {
		t.Fatal(err)
	}
	mustCharts(t, ctx)
	chromedp.Do(ctx, chromedp.Sleep(1200*time.Millisecond)) // let the animation finish
	if err := chromedp.Do(ctx, chromedp.Click(`details[data-action="download"] summary`)); err != nil {
		t.Fatalf("open the Download panel: %v", err)
	}
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`(() => { const c = echarts.getInstanceByDom(document.querySelector('.chart')); return [c.getWidth(), c.getHeight()]; })()`))
	if err != nil || len(size) != 2 {
		t.Fatalf("chart size %v: %v", size, err)
	}
	chartW, chartH := size[0], size[1]

	download := func(format export.Format) []byte {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(`a[data-image="`+string(format)+`"]`)); err != nil {
			t.Fatal(err)
		}
		var begin *browser.EventDownloadWillBegin
		select {
		case begin = <-downloads:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: no download began", format)
		}
		if want := export.FileName(cc.Result, format); begin.SuggestedFilename != want {
			t.Errorf("%s: file name %q, want %q", format, begin.SuggestedFilename, want)
		}
		if !strings.HasPrefix(begin.URL, "blob:") {
			t.Errorf("%s: downloaded from %s, want a blob made in the page", format, begin.URL)
		}
		select {
		case guid := <-done:
			b, err := os.ReadFile(filepath.Join(dir, guid))
			if err != nil {
				t.Fatal(err)
			}
			return b
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: the download did not complete", format)
		}
		return nil
	}

	t.Run("svg carries the server's caption", func(t *testing.T) {
		texts := svgTexts(t, download(export.SVG))
		for _, want := range []string{caption.Title, caption.Subtitle, sources, stamp} {
			if !containsLine(texts, want) {
				t.Errorf("the SVG has no caption line %q (its texts: %q)", want, texts)
			}
		}
		if !strings.Contains(stamp, "Data version") || !strings.HasPrefix(sources, "Source: ") {
			t.Fatalf("caption lines %q, %q", sources, stamp)
		}
	})

	t.Run("png is the drawn chart with the caption around it", func(t *testing.T) {
		file := download(export.PNG)
		if dir := os.Getenv("CLOUT_TEST_OUTPUT"); dir != "" {
			os.WriteFile(filepath.Join(dir, "download.png"), file, 0o644)
		}
		img, err := png.Decode(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		ratio := b.Dx() / chartW
		if ratio < 2 || b.Dx() != ratio*chartW || b.Dy() <= ratio*(chartH+50) {
			t.Fatalf("PNG %dx%d for a chart %dx%d: want the chart's width at 2x and room for the caption", b.Dx(), b.Dy(), chartW, chartH)
		}
		// The title band and the footer band hold text: dark pixels on white.
		if n := darkPixels(img, 10*ratio, 30*ratio); n < 100 {
			t.Errorf("title band: %d dark pixels", n)
		}
		if n := darkPixels(img, b.Dy()-45*ratio, b.Dy()-5*ratio); n < 100 {
			t.Errorf("footer band: %d dark pixels", n)
		}
	})

	mu.Lock()
	defer mu.Unlock()
	if len(snapshotRequests) > 0 {
		t.Errorf("the downloads asked the server for snapshots: %v", snapshotRequests)
	}
	assertClean(t, w, "downloads")
}

// svgTexts returns the text of every <text> element of an SVG.
func svgTexts(t *testing.T, b []byte) []string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("<svg")) {
		t.Fatalf("not an SVG: %.80q", b)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var texts []string
	var in bool
	var cur strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "text" {
				in = true
				cur.Reset()
			}
		case xml.CharData:
			if in {
				cur.Write(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "text" {
				in = false
				texts = append(texts, cur.String())
			}
		}
	}
	return texts
}

// containsLine reports whether texts holds line, whole or cut short with "...".
func containsLine(texts []string, line string) bool {
	for _, s := range texts {
		if s == line || (strings.HasSuffix(s, "...") && len(s) > 20 && strings.HasPrefix(line, strings.TrimSuffix(s, "..."))) {
			return true
		}
	}
	return false
}

// darkPixels counts the pixels darker than mid-grey in rows [y0, y1).
func darkPixels(img image.Image, y0, y1 int) int {
	n := 0
	b := img.Bounds()
	for y := max(y0, b.Min.Y); y < min(y1, b.Max.Y); y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0x8000 {
				n++
			}
		}
	}
	return n
}

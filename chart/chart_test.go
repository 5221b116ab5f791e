package chart_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
	"github.com/clout-dev/clout/render"
)

// countingExporter counts the renders that reach the real exporter.
type countingExporter struct {
	exp     *export.Exporter
	renders atomic.Int64
}

func (c *countingExporter) Write(ctx context.Context, w io.Writer, f export.Format, s export.Snapshot, img export.Image) error {
	c.renders.Add(1)
	return c.exp.Write(ctx, w, f, s, img)
}

func mustRenderer(tb testing.TB) *render.Renderer {
	tb.Helper()
	r, err := render.New(render.Options{Runtimes: 1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

func mustService(tb testing.TB, store indicators.ObservationReader, exp chart.Exporter) *chart.Service {
	tb.Helper()
	s, err := chart.New(chart.Config{BaseURL: "https://clout.example.org/"}, chart.Deps{Store: store, Exporter: exp})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestSnapshotCache: an image asked for again is not drawn again, while new data,
// another size or another format are.
func TestSnapshotCache(t *testing.T) {
	ctx := context.Background()
	store := testkit.SeededStore(t)
	exp := &countingExporter{exp: export.New(mustRenderer(t))}
	s := mustService(t, store, exp)
	small := export.DefaultImage()
	small.Size = render.Size{Width: 400, Height: 300}
	draw := func(f export.Format, img export.Image) string {
		t.Helper()
		snap, _, err := s.Render(ctx, "integration-gain", nil, 0, f, img)
		if err != nil {
			t.Fatal(err)
		}
		return string(snap.Body)
	}
	first := draw(export.SVG, small)
	if again := draw(export.SVG, small); again != first || exp.renders.Load() != 1 {
		t.Fatalf("second request drawn again (%d renders) or different", exp.renders.Load())
	}
	wider := small
	wider.Size.Width = 500
	draw(export.SVG, wider)
	draw(export.CSV, small)
	draw(export.CSV, small)
	if n := exp.renders.Load(); n != 4 {
		t.Fatalf("%d renders, want 4 (another size, and every CSV)", n)
	}
	testkit.Import(t, store, "cache-test", "cache.csv", []byte("indicator,country,year,value\nXX.CACHE,ARM,2019,1\n"))
	s.DataChanged()
	if after := draw(export.SVG, small); after == first {
		t.Fatal("the snapshot did not change with the data version")
	}
	if n := exp.renders.Load(); n != 5 {
		t.Fatalf("%d renders after new data, want 5", n)
	}
}

// TestPermalinkIsOneRule: the permalink printed in a snapshot is the page link that
// the request makes, with commas readable and the pin last.
func TestPermalinkIsOneRule(t *testing.T) {
	ctx := context.Background()
	store := testkit.SeededStore(t)
	s := mustService(t, store, nil)
	q := url.Values{"partners": {"TUR", "AZE"}, "year": {"2019"}, "v": {"1"}}
	req, err := s.ParseRequest(ctx, "trade-share", q, true)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := req.Permalink(), "/charts/trade-share?partners=TUR,AZE&year=2019&v=1"; got != want {
		t.Errorf("permalink %q, want %q", got, want)
	}
	if got := s.Absolute(req.Permalink()); !strings.HasPrefix(got, "https://clout.example.org/charts/") {
		t.Errorf("absolute permalink %q", got)
	}
	if _, err := s.ParseRequest(ctx, "trade-share", url.Values{"yaer": {"2019"}}, true); indicators.ErrorCode(err) != indicators.EINVALID || !strings.Contains(err.Error(), "yaer") {
		t.Errorf("unknown parameter: %v", err)
	}
	if _, err := s.ParseRequest(ctx, "trade-share", url.Values{"v": {"99"}}, false); indicators.ErrorCode(err) != indicators.EINVALID {
		t.Errorf("future data version: %v", err)
	}
	if _, err := s.ParseRequest(ctx, "nope", nil, false); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("unknown chart: %v", err)
	}
}

// TestConcurrentSnapshots: two snapshot renders at once share one renderer
// without a race (run with -race).
func TestConcurrentSnapshots(t *testing.T) {
	ctx := context.Background()
	s := mustService(t, testkit.SeededStore(t), export.New(mustRenderer(t)))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for _, id := range []string{"trade-share", "gas-exports", "integration-gain", "map"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			img := export.DefaultImage()
			img.Size = render.Size{Width: 400, Height: 300}
			snap, _, err := s.Render(ctx, id, nil, 0, export.PNG, img)
			if err == nil && !strings.HasPrefix(string(snap.Body), "\x89PNG") {
				err = io.ErrUnexpectedEOF
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// inFlightExporter is the real exporter that records the most renders running at once.
type inFlightExporter struct {
	exp     *export.Exporter
	mu      sync.Mutex
	now     int
	most    int
	renders int
}

func (e *inFlightExporter) Write(ctx context.Context, w io.Writer, f export.Format, s export.Snapshot, img export.Image) error {
	e.mu.Lock()
	e.now++
	e.renders++
	e.most = max(e.most, e.now)
	e.mu.Unlock()
	defer func() { e.mu.Lock(); e.now--; e.mu.Unlock() }()
	return e.exp.Write(ctx, w, f, s, img)
}

// TestRenderBudget: an image over the per-image limit is refused before it is
// drawn; parallel images that each fill the budget render one at a time, and
// those that find no room within the wait are EBUSY.
func TestRenderBudget(t *testing.T) {
	ctx := context.Background()
	store := testkit.SeededStore(t)
	exp := &inFlightExporter{exp: export.New(mustRenderer(t))}
	img := export.DefaultImage()
	img.Size = render.Size{Width: 300, Height: 220}
	newService := func(wait time.Duration) *chart.Service {
		s, err := chart.New(chart.Config{MaxImagePixels: 300 * 220, RenderPixels: 300 * 220, RenderWait: wait}, chart.Deps{Store: store, Exporter: exp})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	big := img
	big.Scale = 2
	if _, _, err := newService(time.Minute).Render(ctx, "trade-share", nil, 0, export.PNG, big); indicators.ErrorCode(err) != indicators.ETOOLARGE ||
		!strings.Contains(err.Error(), "264000 pixels, over the limit of 66000 pixels per image") {
		t.Fatalf("over the per-image limit: %v", err)
	}
	if exp.renders != 0 {
		t.Fatalf("%d renders of a refused image", exp.renders)
	}
	if _, err := chart.New(chart.Config{MaxImagePixels: 10, RenderPixels: 5}, chart.Deps{Store: store}); err == nil {
		t.Fatal("a render budget under the per-image limit was accepted")
	}
	run := func(s *chart.Service) (busy int) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i, id := range []string{"trade-share", "gas-exports", "integration-gain", "map"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				im := img
				im.Size.Height -= i // four distinct images: none served from the cache
				_, _, err := s.Render(ctx, id, nil, 0, export.PNG, im)
				switch {
				case indicators.ErrorCode(err) == indicators.EBUSY:
					mu.Lock()
					busy++
					mu.Unlock()
				case err != nil:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		return busy
	}
	// A wait longer than any render, even under the race detector on a loaded machine.
	if busy := run(newService(10 * time.Minute)); busy != 0 || exp.most != 1 || exp.renders != 4 {
		t.Fatalf("with a long wait: %d busy, %d renders, at most %d at once; want 0, 4, 1", busy, exp.renders, exp.most)
	}
	exp.renders = 0
	if busy := run(newService(time.Millisecond)); busy == 0 || exp.most != 1 || exp.renders+busy != 4 {
		t.Fatalf("with no wait: %d busy, %d renders, at most %d at once; want some busy, one at a time", busy, exp.renders, exp.most)
	}
}

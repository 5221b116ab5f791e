package chart_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

// keyedExporter counts the renders per chart and format that reach the real
// exporter, and can hold every render until a gate opens.
type keyedExporter struct {
	exp     *export.Exporter
	mu      sync.Mutex
	renders map[string]int
	total   atomic.Int64
	entered chan string   // receives "chart format" as a render starts, if set
	gate    chan struct{} // renders wait until it is closed, if set
}

func (k *keyedExporter) Write(ctx context.Context, w io.Writer, f export.Format, s export.Snapshot, img export.Image) error {
	name := fmt.Sprintf("%s %s", s.Result.Chart, f)
	k.mu.Lock()
	k.renders[name]++
	k.mu.Unlock()
	if k.entered != nil {
		select {
		case k.entered <- name:
		default:
		}
	}
	if k.gate != nil {
		select {
		case <-k.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := k.exp.Write(ctx, w, f, s, img)
	if err == nil {
		k.total.Add(1)
	}
	return err
}

func (k *keyedExporter) count(name string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.renders[name]
}

// warmService is a chart service over two of the catalogue's charts, so that
// drawing every default view stays quick on a loaded machine.
func warmService(tb testing.TB, store indicators.ObservationReader, exp chart.Exporter) *chart.Service {
	tb.Helper()
	var charts []indicators.Chart
	for _, c := range indicators.Charts() {
		if c.ID() == indicators.ChartIntegrationGain || c.ID() == indicators.ChartTradeShare {
			charts = append(charts, c)
		}
	}
	s, err := chart.New(chart.Config{}, chart.Deps{Store: store, Exporter: exp, Charts: charts})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// waitUntil polls cond for up to five minutes (renders on a loaded 2-core machine).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Minute); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWarmDefaults: the warmer draws every chart's default views (SVG and PNG at
// the default size) at start and again after new data, and a reader's download
// of one then draws nothing and answers from memory.
func TestWarmDefaults(t *testing.T) {
	store := testkit.SeededStore(t)
	exp := &keyedExporter{exp: export.New(mustRenderer(t)), renders: map[string]int{}}
	s := warmService(t, store, exp)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.WarmDefaults(ctx, testkit.DiscardLogger()) }()
	t.Cleanup(func() { cancel(); <-done })

	views := int64(2 * len(s.Charts()))
	waitUntil(t, "the default views", func() bool { return exp.total.Load() >= views })
	check := func(version int64) {
		t.Helper()
		before := exp.total.Load()
		for _, c := range s.Charts() {
			for _, f := range []export.Format{export.SVG, export.PNG} {
				snap, cc, err := s.Render(context.Background(), c.ID(), nil, 0, f, export.DefaultImage())
				if err != nil {
					t.Fatalf("%s %s: %v", c.ID(), f, err)
				}
				if cc.Version != version || len(snap.Body) == 0 || snap.ETag == "" {
					t.Errorf("%s %s: version %d (want %d), %d bytes, etag %q", c.ID(), f, cc.Version, version, len(snap.Body), snap.ETag)
				}
			}
		}
		// How fast such a download answers is BenchmarkDefaultViewDownload's
		// (dashboard); here: it draws nothing.
		if n := exp.total.Load(); n != before {
			t.Errorf("the downloads of default views drew %d images; the warmer should have drawn them", n-before)
		}
	}
	v1, err := s.DataVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	check(v1)

	testkit.Import(t, store, "warm-test", "warm.csv", []byte("indicator,country,year,value\nXX.WARM,ARM,2019,1\n"))
	s.DataChanged()
	waitUntil(t, "the default views of the new data", func() bool { return exp.total.Load() >= 2*views })
	check(v1 + 1)
	// An image that is not a default view is still drawn on request.
	img := export.DefaultImage()
	img.Size.Width = 640
	if _, _, err := s.Render(context.Background(), "trade-share", nil, 0, export.SVG, img); err != nil {
		t.Fatal(err)
	}
	if n := exp.total.Load(); n != 2*views+1 {
		t.Errorf("%d renders, want %d", n, 2*views+1)
	}
}

// TestReaderJoinsWarmRender: a reader asking for a default view while the
// warmer draws it waits for that render instead of starting a second one.
func TestReaderJoinsWarmRender(t *testing.T) {
	store := testkit.SeededStore(t)
	exp := &keyedExporter{exp: export.New(mustRenderer(t)), renders: map[string]int{},
		entered: make(chan string, 1), gate: make(chan struct{})}
	s := warmService(t, store, exp)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.WarmDefaults(ctx, testkit.DiscardLogger()) }()
	t.Cleanup(func() { cancel(); <-done })

	first := <-exp.entered // the warmer's first render, held at the gate
	var id string
	var f export.Format
	if _, err := fmt.Sscanf(first, "%s %s", &id, &f); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		snap, _, err := s.Render(context.Background(), id, nil, 0, f, export.DefaultImage())
		if err == nil && len(snap.Body) == 0 {
			err = fmt.Errorf("empty %s", first)
		}
		got <- err
	}()
	time.Sleep(300 * time.Millisecond) // let the reader reach the render in flight
	close(exp.gate)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if n := exp.count(first); n != 1 {
		t.Errorf("%s drawn %d times, want once (the reader shares the warmer's render)", first, n)
	}
}

// TestReaderOutlivesCancelledRender: when the caller whose render another waits
// for gives up, the one still waiting draws the image itself.
func TestReaderOutlivesCancelledRender(t *testing.T) {
	store := testkit.SeededStore(t)
	exp := &keyedExporter{exp: export.New(mustRenderer(t)), renders: map[string]int{},
		entered: make(chan string, 1), gate: make(chan struct{})}
	s := mustService(t, store, exp)
	leaving, leave := context.WithCancel(context.Background())
	left := make(chan error, 1)
	go func() {
		_, _, err := s.Render(leaving, "integration-gain", nil, 0, export.SVG, export.DefaultImage())
		left <- err
	}()
	<-exp.entered
	got := make(chan error, 1)
	go func() {
		_, _, err := s.Render(context.Background(), "integration-gain", nil, 0, export.SVG, export.DefaultImage())
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	leave()
	if err := <-left; err == nil {
		t.Error("the caller who left got an image")
	}
	close(exp.gate)
	if err := <-got; err != nil {
		t.Fatalf("the reader still waiting: %v", err)
	}
	if n := exp.count("integration-gain svg"); n != 2 {
		t.Errorf("drawn %d times, want 2 (the cancelled render and the waiting reader's)", n)
	}
}

// TestWarmWithoutExporter: a service without snapshots has nothing to warm.
func TestWarmWithoutExporter(t *testing.T) {
	s := mustService(t, testkit.SeededStore(t), nil)
	done := make(chan struct{})
	go func() { defer close(done); s.WarmDefaults(context.Background(), testkit.DiscardLogger()) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("WarmDefaults without an exporter did not return")
	}
}

var _ chart.Exporter = (*keyedExporter)(nil)

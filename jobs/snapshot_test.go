package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/jobs"
	"github.com/clout-dev/clout/render"
)

// renderSnapshotter draws a bar chart titled with the chart id through the real
// ECharts SSR and resvg renderer (the dashboard's export wraps the same renderer).
func renderSnapshotter(tb testing.TB) jobs.Snapshotter {
	tb.Helper()
	r, err := render.New(render.Options{Runtimes: 1, Logger: discard})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	size := render.Size{Width: 400, Height: 300}
	return jobs.SnapshotterFunc(func(ctx context.Context, chart string, p indicators.Params, format string) ([]byte, string, error) {
		opt, err := json.Marshal(map[string]any{
			"title":  map[string]any{"text": chart + " " + p["year"]},
			"xAxis":  map[string]any{"type": "category", "data": []string{"TUR", "AZE"}},
			"yAxis":  map[string]any{"type": "value"},
			"series": []any{map[string]any{"type": "bar", "data": []float64{5.1, 1.2}}},
		})
		if err != nil {
			return nil, "", err
		}
		switch format {
		case "svg":
			b, err := r.SVG(ctx, opt, size, render.Light)
			return b, "svg", err
		case "png":
			b, err := r.PNG(ctx, opt, size, 1, render.Light)
			return b, "png", err
		}
		return nil, "", indicators.Errorf(indicators.EINVALID, "format %s", format)
	})
}

func TestSnapshotWritesFilesAndPrunes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	// Older days to prune, and things that are not day directories to leave alone.
	for _, d := range []string{"2026-11-01", "2026-11-10", "2026-11-18", "2026-11-24", "2026-11-25", "notes", "2026-13-01"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"2026-11-02", "README.txt", "2026-11-25/series.png"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), `
jobs:
  - name: weekly
    schedule: "0 7 * * MON"
    snapshot: {charts: [trade-share, series], formats: [png, svg], params: {year: "2023"}, dir: "`+dir+`", keep: 3}
`, renderSnapshotter(t))

	r := h.run("weekly")
	if r.Status != indicators.RunOK {
		t.Fatalf("run = %s %q", r.Status, r.Message)
	}
	if !strings.Contains(r.Message, "wrote 4 files") || !strings.Contains(r.Message, "removed 2026-11-01, 2026-11-10") {
		t.Errorf("message = %q", r.Message)
	}
	day := filepath.Join(dir, "2026-11-25") // the injected clock's day
	for _, chart := range []string{"trade-share", "series"} {
		checkPNG(t, filepath.Join(day, chart+".png"))
		checkSVG(t, filepath.Join(day, chart+".svg"))
	}
	if got, want := listDir(t, day), []string{"series.png", "series.svg", "trade-share.png", "trade-share.svg"}; !slices.Equal(got, want) {
		t.Errorf("%s holds %v, want %v (no temporary files)", day, got, want)
	}
	want := []string{"2026-11-02", "2026-11-18", "2026-11-24", "2026-11-25", "2026-13-01", "README.txt", "notes"}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Errorf("after pruning %s holds %v, want %v", dir, got, want)
	}
}

func checkPNG(tb testing.TB, path string) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if got := img.Bounds().Size(); got.X != 400 || got.Y != 300 {
		tb.Errorf("%s is %v, want 400×300", path, got)
	}
}

func checkSVG(tb testing.TB, path string) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var root string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		tb.Errorf("%s: root element %q, want svg", path, root)
	}
}

func listDir(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestSnapshotFailureWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	calls := 0
	snap := jobs.SnapshotterFunc(func(ctx context.Context, chart string, _ indicators.Params, format string) ([]byte, string, error) {
		calls++
		if chart == "gas-exports" {
			return nil, "", errors.New("no gas data")
		}
		return []byte("<svg/>"), format, nil
	})
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), `
jobs:
  - name: snap
    schedule: "@daily"
    retries: 1
    snapshot: {charts: [trade-share, gas-exports], formats: [svg], dir: "`+dir+`"}
`, snap)
	r := h.run("snap")
	if r.Status != indicators.RunFailed || !strings.Contains(r.Message, "snapshot gas-exports as svg: no gas data") {
		t.Errorf("run = %s %q", r.Status, r.Message)
	}
	if got := statuses(h.runs("snap")); got != "failed/1 failed/2" {
		t.Errorf("history = %s, want failed/1 failed/2", got)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a failed snapshot created %s (err %v)", dir, err)
	}
}

func TestPanicIsRecordedAsFailed(t *testing.T) {
	dir := t.TempDir()
	snap := jobs.SnapshotterFunc(func(ctx context.Context, chart string, _ indicators.Params, format string) ([]byte, string, error) {
		if chart == "series" {
			panic("boom")
		}
		return []byte("a,b\n"), "csv", nil
	})
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), `
jobs:
  - name: bad
    schedule: "@daily"
    snapshot: {charts: [series], formats: [csv], dir: "`+dir+`"}
  - name: good
    schedule: "@daily"
    snapshot: {charts: [trade-share], formats: [csv], dir: "`+dir+`"}
`, snap)
	r := h.run("bad")
	if r.Status != indicators.RunFailed || r.Message != "panic: boom" {
		t.Errorf("panicking run = %s %q, want failed \"panic: boom\"", r.Status, r.Message)
	}
	if got := statuses(h.runs("bad")); got != "failed/1" {
		t.Errorf("history = %s, want failed/1 (a panic is not retried)", got)
	}
	if r := h.run("good"); r.Status != indicators.RunOK {
		t.Errorf("after a panic, another job = %s %q", r.Status, r.Message)
	}
	if r := h.run("bad"); r.Status != indicators.RunFailed {
		t.Errorf("the panicking job is not runnable again: %s %q", r.Status, r.Message)
	}
}

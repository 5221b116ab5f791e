package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/clout-dev/clout/dashboard/render"
)

// MustRenderer returns a Renderer with an in-memory wasm cache, closed at test end.
func MustRenderer(tb testing.TB) *render.Renderer {
	tb.Helper()
	r, err := render.New(render.Options{Runtimes: 2, CacheDir: tb.TempDir()})
	if err != nil {
		tb.Fatalf("render.New: %v", err)
	}
	tb.Cleanup(func() { _ = r.Close() })
	return r
}

// barOption is a bar chart like the dashboard's, with the given category labels.
func barOption(tb testing.TB, title string, labels ...string) json.RawMessage {
	tb.Helper()
	values := make([]float64, len(labels))
	for i := range values {
		values[i] = float64(10 + 7*i)
	}
	opt := map[string]any{
		"title":  map[string]any{"text": title},
		"legend": map[string]any{"data": []string{"Share"}, "top": 30},
		"grid":   map[string]any{"top": 70, "bottom": 60, "left": 60, "right": 20},
		"xAxis":  map[string]any{"type": "category", "data": labels},
		"yAxis":  map[string]any{"type": "value"},
		"series": []any{map[string]any{"type": "bar", "name": "Share", "data": values, "label": map[string]any{"show": true}}},
	}
	b, err := json.Marshal(opt)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestSmoke(t *testing.T) {
	r := MustRenderer(t)
	svg, err := r.SVG(context.Background(), barOption(t, "Trade share", "Turkey", "Россия", "China"), render.Size{Width: 800, Height: 500}, render.Light)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("svg %d bytes: %s", len(svg), svg[:min(len(svg), 300)])
	i := bytes.Index(svg, []byte("</style>"))
	t.Logf("after style: %s", svg[i:min(len(svg), i+3000)])
	png, err := r.PNG(context.Background(), barOption(t, "Trade share", "Turkey", "Россия", "China"), render.Size{Width: 800, Height: 500}, 1, render.Light)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("png %d bytes", len(png))
	_ = os.WriteFile("/tmp/smoke.png", png, 0o644)
	_ = os.WriteFile("/tmp/smoke.svg", svg, 0o644)
}

package render

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/clout-dev/clout/assets"
)

// A runtime that has drawn its share is replaced in the background; the pool
// never holds more runtimes than its bound, and every render draws the chart.
func TestJSPoolReplacesWornRuntimes(t *testing.T) {
	f, err := loadFonts(assets.MustRead(assets.FontRegular), assets.MustRead(assets.FontBold))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer // slog's handler serialises its writes
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := newJSPool(assets.MustRead(assets.EChartsJS), assets.MustRead(assets.WorldAtlas), f, 1, log)
	p.wornAfter = 5
	defer p.close()
	raw, err := json.Marshal(map[string]any{
		"title":  map[string]any{"text": "Worn runtimes"},
		"xAxis":  map[string]any{"type": "category", "data": []string{"Turkey", "Azerbaijan"}},
		"yAxis":  map[string]any{"type": "value"},
		"series": []any{map[string]any{"type": "bar", "data": []float64{3.1, 1.4}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := prepareOption(raw, Light)
	if err != nil {
		t.Fatal(err)
	}
	renders := 2*p.wornAfter + 1
	for i := range renders {
		svg, err := p.render(context.Background(), opt, Size{Width: 400, Height: 300}, Light)
		if err != nil {
			t.Fatalf("render %d: %v", i+1, err)
		}
		if !bytes.Contains(svg, []byte("Worn runtimes")) || !bytes.Contains(svg, []byte("Azerbaijan")) {
			t.Fatalf("render %d lacks the chart's texts:\n%.300s", i+1, svg)
		}
		if n := len(p.slots); n > 1 {
			t.Fatalf("after render %d the pool holds %d runtimes, bound 1", i+1, n)
		}
	}
	if starts := strings.Count(logs.String(), "javascript runtime started"); starts != 3 {
		t.Errorf("%d renders started %d runtimes, want 3 (one replacement per %d renders)", renders, starts, p.wornAfter)
	}
	// Every value handed to V8 is released: what a runtime keeps does not grow
	// with the renders it draws.
	rt := <-p.idle
	before := rt.ctx.RetainedValueCount()
	for range 3 {
		if _, usable, err := p.run(context.Background(), rt, opt, Size{Width: 400, Height: 300}, Light); err != nil || !usable {
			t.Fatalf("render: %v (usable %v)", err, usable)
		}
	}
	if after := rt.ctx.RetainedValueCount(); after != before {
		t.Errorf("V8 values kept by the runtime: %d before three renders, %d after", before, after)
	}
	p.idle <- rt
}

// A map drawn on an atlas that cannot be read fails with the atlas's error
// instead of an empty map.
func TestJSPoolMapWithBrokenAtlas(t *testing.T) {
	f, err := loadFonts(assets.MustRead(assets.FontRegular), assets.MustRead(assets.FontBold))
	if err != nil {
		t.Fatal(err)
	}
	p := newJSPool(assets.MustRead(assets.EChartsJS), []byte("not an atlas"), f, 1, slog.New(slog.DiscardHandler))
	defer p.close()
	raw, err := json.Marshal(warmOptions[1])
	if err != nil {
		t.Fatal(err)
	}
	opt, err := prepareOption(raw, Light)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.render(context.Background(), opt, Size{Width: 400, Height: 300}, Light)
	if err == nil || !strings.Contains(err.Error(), "world atlas") {
		t.Fatalf("render on a broken atlas = %v, want the atlas's error", err)
	}
}

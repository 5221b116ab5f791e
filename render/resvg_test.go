package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/clout-dev/clout/assets"
)

// testResvg is a pool of up to two resvg instances over the embedded module and fonts.
func testResvg(t *testing.T) *resvg {
	t.Helper()
	f, err := loadFonts(assets.MustRead(assets.FontRegular), assets.MustRead(assets.FontBold))
	if err != nil {
		t.Fatal(err)
	}
	r := newResvg(assets.MustRead(assets.ResvgWasm), f.regularTTF, f.boldTTF, 2, slog.New(slog.DiscardHandler))
	t.Cleanup(r.close)
	return r
}

// squareSVG is a w×h drawing with a red square and a label.
func squareSVG(w, h int, label string) []byte {
	return fmt.Appendf(nil, `<svg width="%d" height="%d" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d">`+
		`<rect x="10" y="10" width="40" height="40" fill="#ff0000"/>`+
		`<text x="60" y="40" style="font-size:20px;font-family:DejaVu Sans">%s</text></svg>`, w, h, w, h, label)
}

func TestResvgReusesItsBuffers(t *testing.T) {
	r := testResvg(t)
	ctx := context.Background()
	small := squareSVG(120, 60, "Россия")
	opts, err := rasterOptions(120, "#ffffff")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := r.start()
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.close()
	want, w, h, err := fresh.raster(ctx, small, opts)
	if err != nil {
		t.Fatal(err)
	}
	if w != 120 || h != 60 {
		t.Fatalf("drew %d×%d, want 120×60", w, h)
	}
	want = bytes.Clone(want)

	// After a larger drawing (its SVG and pixels grow the instance's buffers),
	// the small one reads only its own bytes and comes out the same.
	in, err := r.start()
	if err != nil {
		t.Fatal(err)
	}
	defer in.close()
	large := squareSVG(800, 600, strings.Repeat("Турция ", 200))
	largeOpts, err := rasterOptions(1600, "#ffffff")
	if err != nil {
		t.Fatal(err)
	}
	if _, w, h, err := in.raster(ctx, large, largeOpts); err != nil || w != 1600 || h != 1200 {
		t.Fatalf("large drawing: %d×%d, %v", w, h, err)
	}
	got, w, h, err := in.raster(ctx, small, opts)
	if err != nil {
		t.Fatal(err)
	}
	if w != 120 || h != 60 || !bytes.Equal(got, want) {
		t.Fatalf("small drawing after a large one: %d×%d, same pixels: %v", w, h, bytes.Equal(got, want))
	}
	// The square is red and the label drew dark pixels right of it.
	if p := got[4*(30*120+30):][:4]; !bytes.Equal(p, []byte{0xff, 0, 0, 0xff}) {
		t.Errorf("pixel inside the square = %v, want opaque red", p)
	}
	dark := 0
	for y := 20; y < 45; y++ {
		for x := 60; x < 120; x++ {
			if got[4*(y*120+x)] < 0x80 {
				dark++
			}
		}
	}
	if dark == 0 {
		t.Error("the label drew nothing: the fonts did not reach resvg")
	}
}

func TestResvgRejectsWhatItCannotParse(t *testing.T) {
	r := testResvg(t)
	ctx := context.Background()
	_, err := r.render(ctx, []byte("<svg this is not xml"), 100, "#ffffff")
	if err == nil || !strings.Contains(err.Error(), "render png") {
		t.Fatalf("render of broken SVG = %v, want a render png error", err)
	}
	// The instance that failed was closed; the pool draws on with a new one.
	if _, err := r.render(ctx, squareSVG(100, 60, "ok"), 100, "#ffffff"); err != nil {
		t.Fatalf("render after a failed one: %v", err)
	}
}

func TestResvgInterruptedByItsContext(t *testing.T) {
	r := testResvg(t)
	var many strings.Builder
	many.WriteString(`<svg width="1000" height="1000" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000">`)
	for i := range 4000 { // seconds of drawing
		fmt.Fprintf(&many, `<circle cx="%d" cy="%d" r="300" fill="#%06x" fill-opacity="0.5" stroke="#000" stroke-width="3"/>`, i%1000, i*7%1000, i*2654435761%0xffffff)
	}
	many.WriteString(`</svg>`)
	// An instance is started beforehand, so the deadline falls while resvg draws.
	if _, err := r.render(context.Background(), squareSVG(100, 60, "ok"), 100, "#ffffff"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	if _, err := r.render(ctx, []byte(many.String()), 2000, "#ffffff"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("render past its deadline = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(t0); d > 3*time.Second {
		t.Errorf("interrupted render took %v", d)
	}
	if _, err := r.render(context.Background(), squareSVG(100, 60, "ok"), 100, "#ffffff"); err != nil {
		t.Fatalf("render after an interrupted one: %v", err)
	}
}

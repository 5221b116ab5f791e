package render

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// Drawn in two bands at once, an image has the pixels it has drawn in one piece,
// at every scale: the bands meet on a pixel row.
func TestBandsDrawTheWholeImage(t *testing.T) {
	r, err := New(Options{Runtimes: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		option []byte
		size   Size
		scale  int
		theme  Theme
	}{
		{"warm-up chart", mustJSON(t, warmOptions[0]), Size{Width: 1200, Height: 675}, 1, Light},
		{"world map, dark", mustJSON(t, warmOptions[1]), Size{Width: 1200, Height: 675}, 1, Dark},
		{"odd height, scale 2", mustJSON(t, warmOptions[0]), Size{Width: 801, Height: 451}, 2, Light},
	} {
		t.Run(c.name, func(t *testing.T) {
			svg, err := r.rawSVG(ctx, c.option, c.size, c.theme)
			if err != nil {
				t.Fatal(err)
			}
			bands, ok := splitSVG(svg)
			if !ok {
				t.Fatalf("ECharts' SVG was not split: %.200s", svg)
			}
			opts, err := json.Marshal(resvgOptions{FitTo: resvgFit{Mode: "width", Value: c.size.Width * c.scale},
				Background: c.theme.Background(), Font: resvgFont{DefaultFontFamily: FontFamily, SansSerifFamily: FontFamily}})
			if err != nil {
				t.Fatal(err)
			}
			in, err := r.png.get()
			if err != nil {
				t.Fatal(err)
			}
			whole, w, h, err := in.raster(ctx, svg, opts)
			if err != nil {
				t.Fatal(err)
			}
			whole = bytes.Clone(whole) // the instance's buffer, drawn over by the bands
			banded, bw, bh, err := r.png.rasterBands(ctx, in, bands, opts)
			if err != nil {
				t.Fatal(err)
			}
			if bw != w || bh != h || w != c.size.Width*c.scale || h != c.size.Height*c.scale {
				t.Fatalf("banded %d×%d, whole %d×%d, want %d×%d", bw, bh, w, h, c.size.Width*c.scale, c.size.Height*c.scale)
			}
			differ, most := 0, 0
			for i := range whole {
				if d := int(whole[i]) - int(banded[i]); d != 0 {
					if differ < 5 {
						t.Logf("row %d column %d: %d in one piece, %d in bands", i/4/w, i/4%w, whole[i], banded[i])
					}
					differ++
					most = max(most, d, -d)
				}
			}
			if differ > 0 {
				t.Errorf("%d of %d samples differ (at most by %d)", differ, len(whole), most)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

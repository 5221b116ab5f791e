package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/render"
)

// MustRenderer returns a Renderer whose wasm compilation cache is shared by test
// runs (compiling resvg takes seconds, minutes under -race).
func MustRenderer(tb testing.TB) *render.Renderer {
	tb.Helper()
	r, err := render.New(render.Options{Runtimes: 2})
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
		"xAxis":  map[string]any{"type": "category", "data": labels, "axisLabel": map[string]any{"interval": 0}},
		"yAxis":  map[string]any{"type": "value"},
		"series": []any{map[string]any{"type": "bar", "name": "Share", "data": values}},
	}
	b, err := json.Marshal(opt)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// MustPNG renders and decodes a PNG.
func MustPNG(tb testing.TB, r *render.Renderer, opt json.RawMessage, size render.Size, scale int, theme render.Theme) image.Image {
	tb.Helper()
	b, err := r.PNG(context.Background(), opt, size, scale, theme)
	if err != nil {
		tb.Fatalf("PNG: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("png.Decode: %v", err)
	}
	return img
}

func TestBounds(t *testing.T) {
	r := MustRenderer(t)
	opt := barOption(t, "t", "a")
	for _, tc := range []struct {
		name  string
		size  render.Size
		scale int
		param string
	}{
		{"narrow", render.Size{Width: 199, Height: 500}, 1, "width"},
		{"wide", render.Size{Width: 4001, Height: 500}, 1, "width"},
		{"short", render.Size{Width: 800, Height: 10}, 1, "height"},
		{"tall", render.Size{Width: 800, Height: 5000}, 1, "height"},
		{"scale 0", render.Size{Width: 800, Height: 500}, 0, "scale"},
		{"scale 4", render.Size{Width: 800, Height: 500}, 4, "scale"},
		{"too many pixels", render.Size{Width: 4000, Height: 4000}, 3, "scale"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.PNG(context.Background(), opt, tc.size, tc.scale, render.Light)
			if indicators.ErrorCode(err) != indicators.EINVALID || !strings.HasPrefix(indicators.ErrorMessage(err), tc.param+":") {
				t.Fatalf("PNG(%v, scale %d) = %v, want EINVALID naming %s", tc.size, tc.scale, err, tc.param)
			}
		})
	}
	if _, err := r.SVG(context.Background(), json.RawMessage(`[1]`), render.Size{Width: 800, Height: 500}, render.Light); indicators.ErrorCode(err) != indicators.EINVALID {
		t.Fatalf("SVG of a non-object option = %v, want EINVALID", err)
	}
}

func TestPNG(t *testing.T) {
	r := MustRenderer(t)
	opt := barOption(t, "Trade share", "Turkey", "Azerbaijan", "China")
	for _, tc := range []struct {
		name  string
		size  render.Size
		scale int
		theme render.Theme
	}{
		{"light 1x", render.Size{Width: 800, Height: 500}, 1, render.Light},
		{"light 2x", render.Size{Width: 640, Height: 360}, 2, render.Light},
		{"dark 3x", render.Size{Width: 300, Height: 200}, 3, render.Dark},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := MustPNG(t, r, opt, tc.size, tc.scale, tc.theme)
			b := img.Bounds()
			if b.Dx() != tc.size.Width*tc.scale || b.Dy() != tc.size.Height*tc.scale {
				t.Fatalf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), tc.size.Width*tc.scale, tc.size.Height*tc.scale)
			}
			bg := img.At(1, 1)
			if !sameColor(bg, parseHex(t, tc.theme.Background())) {
				t.Errorf("corner pixel %v, want the %s background %s", bg, tc.theme, tc.theme.Background())
			}
			// The plot area (inside the grid) must hold bars, not just background.
			plot := image.Rect(b.Dx()/5, b.Dy()/3, b.Dx()*4/5, b.Dy()*4/5)
			if n := countDiff(img, bg, plot); n < plot.Dx()*plot.Dy()/10 {
				t.Errorf("only %d non-background pixels in plot area %v", n, plot)
			}
		})
	}
}

func TestSVG(t *testing.T) {
	r := MustRenderer(t)
	hostile := []string{
		`</script><script>alert(1)</script>`,
		`__f__alert(2)__f__`,
		`<svg onload=alert(3)>`,
		`Россия`,
	}
	opt := barOption(t, "Title </svg><script>alert(4)</script>", hostile...)
	svg, err := r.SVG(context.Background(), opt, render.Size{Width: 900, Height: 500}, render.Light)
	if err != nil {
		t.Fatal(err)
	}
	texts := MustParseXML(t, svg)
	for _, want := range []string{"</script><script>alert(1)</script>", "alert(2)", "<svg onload=alert(3)>", "Россия", "Title </svg><script>alert(4)</script>"} {
		if !slices.Contains(texts, want) {
			t.Errorf("text %q not drawn as a text node", want)
		}
	}
	lower := strings.ToLower(string(svg))
	for _, bad := range []string{"<script", "__f__", "<svg onload"} {
		if strings.Contains(lower, bad) {
			t.Errorf("SVG contains %q", bad)
		}
	}
	if n := strings.Count(lower, "<svg"); n != 1 {
		t.Errorf("SVG has %d <svg elements, want 1", n)
	}
	if !strings.Contains(string(svg), `@font-face{font-family:"DejaVu Sans"`) {
		t.Error("SVG does not embed the font")
	}
	t.Logf("SVG with embedded subset fonts: %d bytes", len(svg))
}

// MustParseXML decodes the whole document and returns its text nodes.
func MustParseXML(tb testing.TB, doc []byte) []string {
	tb.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var texts []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return texts
		}
		if err != nil {
			tb.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.CharData:
			if strings.TrimSpace(string(tok)) != "" {
				texts = append(texts, string(tok))
			}
		case xml.StartElement:
			for _, a := range tok.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || strings.Contains(strings.ToLower(a.Value), "javascript:") {
					tb.Errorf("element <%s> has attribute %s=%q", tok.Name.Local, a.Name.Local, a.Value)
				}
			}
		}
	}
}

func TestCyrillicGlyphs(t *testing.T) {
	r := MustRenderer(t)
	size := render.Size{Width: 400, Height: 300}
	// One category: its label is centred under the plot, near the bottom.
	draw := func(label string) image.Image { return MustPNG(t, r, barOption(t, "", label), size, 2, render.Light) }
	russia, empty, other := draw("Россия"), draw(""), draw("Рвссия")
	labelRow := image.Rect(2*70, 2*(300-60+3), 800, 2*(300-60+25)) // under the axis line, right of the y labels
	bg := russia.At(1, 1)
	x0, x1 := inkSpan(russia, bg, labelRow)
	if x0 < 0 {
		t.Fatal("no label pixels under the axis")
	}
	if countDiff(empty, bg, labelRow) != 0 && countDiffImages(russia, empty, labelRow) == 0 {
		t.Fatal("label region identical with and without the label")
	}
	// DejaVu Sans draws "Россия" at 12px about 46px wide; at scale 2, ~92px. Boxes
	// (.notdef) or a fallback font would differ a lot; a missing font draws nothing.
	if w := x1 - x0; w < 70 || w > 115 {
		t.Errorf("label ink is %dpx wide, want about 92", w)
	}
	// Real glyphs: a different Cyrillic word of the same length draws differently
	// (.notdef boxes would not).
	if countDiffImages(russia, other, labelRow) == 0 {
		t.Error(`"Россия" and "Рвссия" draw identically: glyphs missing`)
	}
}

func TestCancel(t *testing.T) {
	r := MustRenderer(t)
	opt := barOption(t, "t", "a", "b")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.PNG(ctx, opt, render.Size{Width: 400, Height: 300}, 1, render.Light); !errors.Is(err, context.Canceled) {
		t.Fatalf("PNG with cancelled context = %v, want context.Canceled", err)
	}
	// A long render is interrupted when its deadline passes.
	labels := make([]string, 20000)
	for i := range labels {
		labels[i] = strconv.Itoa(i)
	}
	big := barOption(t, "big", labels...)
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	if _, err := r.SVG(ctx, big, render.Size{Width: 400, Height: 300}, render.Light); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SVG past its deadline = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("interrupted render took %v", d)
	}
	// A render interrupted part-way discards its runtime; later renders still work.
	for i := range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i)*time.Millisecond)
		_, _ = r.SVG(ctx, opt, render.Size{Width: 400, Height: 300}, render.Light)
		cancel()
	}
	if _, err := r.SVG(context.Background(), opt, render.Size{Width: 400, Height: 300}, render.Light); err != nil {
		t.Fatalf("SVG after interrupted renders: %v", err)
	}
}

func TestConcurrent(t *testing.T) {
	r := MustRenderer(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Go(func() {
			opt := barOption(t, "t", "a", strings.Repeat("b", i+1))
			var err error
			if i%2 == 0 {
				_, err = r.SVG(context.Background(), opt, render.Size{Width: 400, Height: 300}, render.Light)
			} else {
				_, err = r.PNG(context.Background(), opt, render.Size{Width: 400, Height: 300}, 1, render.Dark)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestSanitize(t *testing.T) {
	got, err := render.Sanitize(json.RawMessage(`{"a__f__":["x__f__y","____f__f__z",1.50,{"b":"__f__"}],"symbol":" Image://http://evil/p.png"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":["xy","z",1.50,{"b":""}],"symbol":""}`; string(got) != want {
		t.Fatalf("Sanitize = %s, want %s", got, want)
	}
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	return r1>>8 == r2>>8 && g1>>8 == g2>>8 && b1>>8 == b2>>8
}

func parseHex(tb testing.TB, s string) color.Color {
	tb.Helper()
	var c color.RGBA
	if _, err := fmtSscanf(s, &c); err != nil {
		tb.Fatalf("colour %q: %v", s, err)
	}
	return c
}

func countDiff(img image.Image, bg color.Color, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !sameColor(img.At(x, y), bg) {
				n++
			}
		}
	}
	return n
}

func countDiffImages(a, b image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !sameColor(a.At(x, y), b.At(x, y)) {
				n++
			}
		}
	}
	return n
}

// inkSpan returns the first and last columns in r holding a non-background pixel.
func inkSpan(img image.Image, bg color.Color, r image.Rectangle) (x0, x1 int) {
	x0, x1 = -1, -1
	for x := r.Min.X; x < r.Max.X; x++ {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			if !sameColor(img.At(x, y), bg) {
				if x0 < 0 {
					x0 = x
				}
				x1 = x
				break
			}
		}
	}
	return x0, x1
}

func TestWorldMap(t *testing.T) {
	r := MustRenderer(t)
	opt := json.RawMessage(`{"visualMap":{"min":0,"max":10,"calculable":false},"series":[{"type":"map","map":"clout-world","data":[{"name":"Russia","value":10},{"name":"Turkey","value":4}]}]}`)
	svg, err := r.SVG(context.Background(), opt, render.Size{Width: 800, Height: 450}, render.Light)
	if err != nil {
		t.Fatal(err)
	}
	MustParseXML(t, svg)
	// 177 country shapes in countries-110m.
	if n := strings.Count(string(svg), "<path"); n < 150 {
		t.Fatalf("map SVG has %d paths, want the world's countries", n)
	}
}

// TestWarm warms a renderer while exports run, as a server does at start: the
// exports are served meanwhile, a warm-up cut short by its context leaves every
// runtime usable, and warming again once everything is started is quick.
func TestWarm(t *testing.T) {
	r, err := render.New(render.Options{Runtimes: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Millisecond)
	if err := r.Warm(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Warm past its deadline = %v, want context.DeadlineExceeded", err)
	}
	cancel()

	opt := barOption(t, "t", "a", "b")
	size := render.Size{Width: 400, Height: 300}
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	wg.Go(func() { errs <- r.Warm(context.Background()) })
	for i := range 4 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var err error
			if i%2 == 0 {
				_, err = r.SVG(ctx, opt, size, render.Light)
			} else {
				_, err = r.PNG(ctx, opt, size, 1, render.Light)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	// Both runtimes exist and are idle: warming again only renders one chart and
	// one PNG, and two renders at once find a runtime each.
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.Warm(ctx); err != nil {
		t.Fatalf("second Warm: %v", err)
	}
	for range 2 {
		wg.Go(func() {
			if _, err := r.SVG(ctx, opt, size, render.Light); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

package chart_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
	"github.com/clout-dev/clout/render"
)

// TestExportTextCollisions renders every chart of the catalogue (default
// parameters, and the gas chart monthly too) as the exported SVG at a small, a
// common and a large size (and, without -race, the extremes of the sizes
// allowed), and fails when two texts overlap or a text leaves
// the canvas. Text boxes are placed as the SVG places them and measured with
// the renderer's own text measurement, the numbers ECharts laid them out with.
// CLOUT_COLLISION_DIR keeps the SVGs of failing renders there.
func TestExportTextCollisions(t *testing.T) {
	store := testkit.SeededStore(t)
	// Two runtimes: the renders run two at a time on a machine with two cores.
	r, err := render.New(render.Options{Runtimes: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	s := mustService(t, store, export.New(r))
	type view struct {
		id     string
		params indicators.Params
	}
	var views []view
	for _, c := range indicators.Charts() {
		views = append(views, view{id: c.ID()})
	}
	views = append(views, view{id: "gas-exports", params: indicators.Params{"freq": "monthly"}})
	sizes := []render.Size{{Width: 400, Height: 300}, {Width: 1200, Height: 675}, {Width: 2400, Height: 1350}}
	if !raceEnabled {
		// The extremes too: where the trade panels met, the largest image, the
		// tallest and the widest shapes. Under -race three sizes keep the test
		// within minutes.
		sizes = append(sizes, render.Size{Width: 600, Height: 400}, render.Size{Width: 4000, Height: 3000},
			render.Size{Width: 400, Height: 1000}, render.Size{Width: 1600, Height: 300})
	}
	for _, v := range views {
		for _, size := range sizes {
			name := fmt.Sprintf("%s%s/%dx%d", v.id, paramSuffix(v.params), size.Width, size.Height)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				img := export.DefaultImage()
				img.Size = size
				snap, _, err := s.Render(context.Background(), v.id, v.params, 0, export.SVG, img)
				if err != nil {
					t.Fatal(err)
				}
				boxes, err := textBoxes(snap.Body, r.TextWidth)
				if err != nil {
					t.Fatal(err)
				}
				if len(boxes) < 3 {
					t.Fatalf("%d texts in the image; want at least the title, the axes and the caption", len(boxes))
				}
				problems := collisions(boxes, float64(size.Width), float64(size.Height))
				for _, p := range problems {
					t.Error(p)
				}
				if dir := os.Getenv("CLOUT_COLLISION_DIR"); dir != "" && len(problems) > 0 {
					file := filepath.Join(dir, strings.NewReplacer("/", "_", "=", "-").Replace(name)+".svg")
					if err := os.WriteFile(file, snap.Body, 0o644); err != nil {
						t.Log(err)
					}
				}
			})
		}
	}
}

func paramSuffix(p indicators.Params) string {
	var parts []string
	for k, v := range p {
		parts = append(parts, k+"="+v)
	}
	if len(parts) == 0 {
		return ""
	}
	return "," + strings.Join(parts, ",")
}

// textBox is a drawn text: its corners on the canvas (a rotated label is a
// rotated rectangle).
type textBox struct {
	text    string
	corners [4][2]float64
}

// affine is an SVG transform matrix(a b c d e f).
type affine [6]float64

var identity = affine{1, 0, 0, 1, 0, 0}

func (m affine) apply(x, y float64) [2]float64 {
	return [2]float64{m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5]}
}

// then is m followed by n (n·m): the child's transform inside its parent's.
func (m affine) then(n affine) affine {
	return affine{
		n[0]*m[0] + n[2]*m[1], n[1]*m[0] + n[3]*m[1],
		n[0]*m[2] + n[2]*m[3], n[1]*m[2] + n[3]*m[3],
		n[0]*m[4] + n[2]*m[5] + n[4], n[1]*m[4] + n[3]*m[5] + n[5],
	}
}

var transformPart = regexp.MustCompile(`(matrix|translate|scale|rotate)\(([^)]*)\)`)

func parseTransform(s string) (affine, error) {
	m := identity
	for _, part := range transformPart.FindAllStringSubmatch(s, -1) {
		var args []float64
		for _, f := range strings.FieldsFunc(part[2], func(r rune) bool { return r == ' ' || r == ',' }) {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return m, fmt.Errorf("transform %q: %w", s, err)
			}
			args = append(args, v)
		}
		var n affine
		switch {
		case part[1] == "matrix" && len(args) == 6:
			copy(n[:], args)
		case part[1] == "translate" && len(args) >= 1:
			n = affine{1, 0, 0, 1, args[0], 0}
			if len(args) > 1 {
				n[5] = args[1]
			}
		case part[1] == "scale" && len(args) >= 1:
			sy := args[0]
			if len(args) > 1 {
				sy = args[1]
			}
			n = affine{args[0], 0, 0, sy, 0, 0}
		case part[1] == "rotate" && len(args) == 1:
			a := args[0] * math.Pi / 180
			n = affine{math.Cos(a), math.Sin(a), -math.Sin(a), math.Cos(a), 0, 0}
		default:
			return m, fmt.Errorf("transform %q: unsupported", s)
		}
		// Transforms listed left to right apply right to left.
		m = n.then(m)
	}
	return m, nil
}

var fontSize = regexp.MustCompile(`(\d+(?:\.\d+)?)px`)

// cssFont turns a text's style attribute into the CSS font shorthand the
// measurement reads ("bold 18px"), and its size.
func cssFont(style string) (string, float64) {
	size := 12.0
	if m := fontSize.FindStringSubmatch(style); m != nil {
		size, _ = strconv.ParseFloat(m[1], 64)
	}
	font := fmt.Sprintf("%gpx", size)
	if strings.Contains(style, "bold") {
		font = "bold " + font
	}
	return font, size
}

// textBoxes reads every visible <text> of an SVG.
func textBoxes(svg []byte, width func(text, css string) float64) ([]textBox, error) {
	dec := xml.NewDecoder(bytes.NewReader(svg))
	stack := []affine{identity}
	var boxes []textBox
	var open *xml.StartElement
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return boxes, nil
		}
		if err != nil {
			return nil, err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range el.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			tr, err := parseTransform(attr("transform"))
			if err != nil {
				return nil, err
			}
			stack = append(stack, tr.then(stack[len(stack)-1]))
			if el.Name.Local == "text" {
				e := el.Copy()
				open = &e
				text.Reset()
			}
		case xml.CharData:
			if open != nil {
				text.Write(el)
			}
		case xml.EndElement:
			if el.Name.Local == "text" && open != nil {
				if b, ok := boxOf(*open, text.String(), stack[len(stack)-1], width); ok {
					boxes = append(boxes, b)
				}
				open = nil
			}
			stack = stack[:len(stack)-1]
		}
	}
}

func boxOf(el xml.StartElement, text string, m affine, width func(text, css string) float64) (textBox, bool) {
	attrs := map[string]string{}
	for _, a := range el.Attr {
		attrs[a.Name.Local] = a.Value
	}
	if strings.TrimSpace(text) == "" || attrs["opacity"] == "0" || attrs["fill-opacity"] == "0" || attrs["visibility"] == "hidden" {
		return textBox{}, false
	}
	css, size := cssFont(attrs["style"])
	w := width(text, css)
	x, _ := strconv.ParseFloat(attrs["x"], 64)
	y, _ := strconv.ParseFloat(attrs["y"], 64)
	x0 := x
	switch attrs["text-anchor"] {
	case "middle":
		x0 = x - w/2
	case "end":
		x0 = x - w
	}
	// The glyphs' ink, not the line: from cap height to baseline of the em box.
	h := size * 0.9
	y0 := y - h/2
	switch attrs["dominant-baseline"] {
	case "hanging", "text-before-edge":
		y0 = y
	case "", "alphabetic", "auto":
		y0 = y - h*0.8
	case "text-after-edge", "ideographic":
		y0 = y - h
	}
	return textBox{text: text, corners: [4][2]float64{
		m.apply(x0, y0), m.apply(x0+w, y0), m.apply(x0+w, y0+h), m.apply(x0, y0+h),
	}}, true
}

// tolerance is how far, in pixels, boxes may touch or graze the edge: the
// measurement ignores kerning and hinting.
const tolerance = 1.0

func collisions(boxes []textBox, w, h float64) []string {
	var out []string
	for _, b := range boxes {
		for _, c := range b.corners {
			if c[0] < -tolerance || c[1] < -tolerance || c[0] > w+tolerance || c[1] > h+tolerance {
				out = append(out, fmt.Sprintf("%q leaves the %gx%g canvas (corner at %.0f,%.0f)", b.text, w, h, c[0], c[1]))
				break
			}
		}
	}
	for i := range boxes {
		for j := i + 1; j < len(boxes); j++ {
			if overlap(boxes[i], boxes[j]) {
				out = append(out, fmt.Sprintf("%q (at %.0f,%.0f) overlaps %q (at %.0f,%.0f)",
					boxes[i].text, boxes[i].corners[0][0], boxes[i].corners[0][1],
					boxes[j].text, boxes[j].corners[0][0], boxes[j].corners[0][1]))
			}
		}
	}
	return out
}

// overlap tells whether two convex quadrilaterals overlap by more than the
// tolerance (separating axis theorem over the edges' normals).
func overlap(a, b textBox) bool {
	for _, q := range [2]textBox{a, b} {
		for i := range 4 {
			p0, p1 := q.corners[i], q.corners[(i+1)%4]
			nx, ny := p1[1]-p0[1], p0[0]-p1[0]
			l := math.Hypot(nx, ny)
			if l == 0 {
				continue
			}
			nx, ny = nx/l, ny/l
			amin, amax := project(a, nx, ny)
			bmin, bmax := project(b, nx, ny)
			if amax-tolerance <= bmin || bmax-tolerance <= amin {
				return false
			}
		}
	}
	return true
}

func project(q textBox, nx, ny float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, c := range q.corners {
		d := c[0]*nx + c[1]*ny
		lo, hi = min(lo, d), max(hi, d)
	}
	return lo, hi
}

// An image too small for the gas chart's two panels keeps the volumes, with
// their periods written under them, and says that the change is left out.
func TestSmallExportKeepsFirstPanel(t *testing.T) {
	store := testkit.SeededStore(t)
	r := mustRenderer(t)
	s := mustService(t, store, export.New(r))
	img := export.DefaultImage()
	img.Size = render.Size{Width: 400, Height: 300}
	snap, _, err := s.Render(context.Background(), "gas-exports", nil, 0, export.SVG, img)
	if err != nil {
		t.Fatal(err)
	}
	boxes, err := textBoxes(snap.Body, r.TextWidth)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]bool{}
	years := 0
	for _, b := range boxes {
		texts[b.text] = true
		if len(b.text) == 4 && b.text >= "2015" && b.text <= "2024" {
			years++
		}
	}
	if years < 3 {
		t.Errorf("%d years written under the volumes, want the periods (thinned)", years)
	}
	for _, want := range []string{"2015", "billion m³", "Turkey"} {
		if !texts[want] {
			t.Errorf("no %q in the small image", want)
		}
	}
	note := false
	for text := range texts {
		if strings.Contains(text, "Not shown at this size") {
			note = true
		}
	}
	if !note {
		t.Error("the small image does not say the change panel is left out")
	}
}

package render

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// fonts are the embedded faces, parsed once and shared (sfnt.Font is safe for
// concurrent use; each measurer has its own sfnt.Buffer).
type fonts struct {
	regularTTF, boldTTF []byte
	regular, bold       *sfnt.Font
}

func loadFonts(regular, bold []byte) (*fonts, error) {
	r, err := sfnt.Parse(regular)
	if err != nil {
		return nil, fmt.Errorf("regular font: %w", err)
	}
	b, err := sfnt.Parse(bold)
	if err != nil {
		return nil, fmt.Errorf("bold font: %w", err)
	}
	return &fonts{regularTTF: regular, boldTTF: bold, regular: r, bold: b}, nil
}

// measurer measures text for one JavaScript runtime (not goroutine-safe). Advances
// are cached per face and rune in font units and scaled by the requested size, so one
// cache serves every font size.
type measurer struct {
	f        *fonts
	buf      sfnt.Buffer
	advances [2]map[rune]float64 // [regular, bold]
}

func newMeasurer(f *fonts) *measurer {
	return &measurer{f: f, advances: [2]map[rune]float64{{}, {}}}
}

// width returns the advance width in pixels of text drawn with the CSS font
// shorthand css ("bold 18px sans-serif", "12px DejaVu Sans"). Kerning is ignored, as
// it is by the subset embedded in SVGs.
func (m *measurer) width(text, css string) float64 {
	size, bold := parseCSSFont(css)
	face, cache := m.f.regular, m.advances[0]
	if bold {
		face, cache = m.f.bold, m.advances[1]
	}
	upem := float64(face.UnitsPerEm())
	var units float64
	for _, r := range text {
		adv, ok := cache[r]
		if !ok {
			adv = m.advance(face, r)
			cache[r] = adv
		}
		units += adv
	}
	return units * size / upem
}

func (m *measurer) advance(face *sfnt.Font, r rune) float64 {
	gi, err := face.GlyphIndex(&m.buf, r)
	if err != nil || gi == 0 {
		// Missing glyph: resvg draws .notdef, whose advance is glyph 0's.
		gi = 0
	}
	upem := fixed.Int26_6(face.UnitsPerEm()) << 6
	adv, err := face.GlyphAdvance(&m.buf, gi, upem, font.HintingNone)
	if err != nil {
		return 0
	}
	return float64(adv) / 64
}

// parseCSSFont extracts the pixel size (default 12) and whether the weight is bold
// from a CSS font shorthand.
func parseCSSFont(css string) (size float64, bold bool) {
	size = 12
	for _, tok := range strings.Fields(css) {
		switch {
		case strings.HasSuffix(tok, "px"):
			if v, err := strconv.ParseFloat(strings.TrimSuffix(tok, "px"), 64); err == nil && v > 0 {
				size = v
			}
		case tok == "bold" || tok == "bolder":
			bold = true
		default:
			if w, err := strconv.Atoi(tok); err == nil && w >= 600 && w <= 1000 {
				bold = true
			}
		}
	}
	return size, bold
}

// TextWidth returns the width in pixels of text drawn with the CSS font
// shorthand css, as the renderer measures it to lay a chart out: a check of an
// image's layout measures its texts with the same numbers.
func (r *Renderer) TextWidth(text, css string) float64 {
	return newMeasurer(r.fonts).width(text, css)
}

package render

import (
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/clout-dev/clout/assets"
)

func TestSubsetTTF(t *testing.T) {
	f, err := loadFonts(assets.MustRead(assets.FontRegular), assets.MustRead(assets.FontBold))
	if err != nil {
		t.Fatal(err)
	}
	for _, face := range []struct {
		name string
		ttf  []byte
		font *sfnt.Font
	}{{"regular", f.regularTTF, f.regular}, {"bold", f.boldTTF, f.bold}} {
		t.Run(face.name, func(t *testing.T) {
			sub, err := subsetTTF(face.ttf, face.font, map[rune]bool{'Р': true, 'я': true, 'A': true, 'Å': true})
			if err != nil {
				t.Fatal(err)
			}
			if len(sub) > len(face.ttf)/5 {
				t.Errorf("subset is %d bytes of %d", len(sub), len(face.ttf))
			}
			got, err := sfnt.Parse(sub)
			if err != nil {
				t.Fatalf("subset does not parse: %v", err)
			}
			var buf sfnt.Buffer
			for _, tc := range []struct {
				r    rune
				kept bool
			}{{'Р', true}, {'я', true}, {'A', true}, {'Å', true}, {'Z', false}, {'ж', false}} {
				gi, err := got.GlyphIndex(&buf, tc.r)
				if err != nil || gi == 0 {
					t.Fatalf("%q: no glyph index in the subset's cmap (%v)", tc.r, err)
				}
				segs, err := got.LoadGlyph(&buf, gi, fixed.I(12), nil)
				if err != nil {
					t.Fatalf("%q: %v", tc.r, err)
				}
				if (len(segs) > 0) != tc.kept {
					t.Errorf("%q: %d outline segments, kept = %v", tc.r, len(segs), tc.kept)
				}
				// Advances are untouched, so text measures the same as with the full font.
				a1, _ := got.GlyphAdvance(&buf, gi, fixed.I(12), font.HintingNone)
				a0, _ := face.font.GlyphAdvance(&buf, gi, fixed.I(12), font.HintingNone)
				if a1 != a0 {
					t.Errorf("%q: advance %v, full font %v", tc.r, a1, a0)
				}
			}
		})
	}
}

func TestParseCSSFont(t *testing.T) {
	for _, tc := range []struct {
		css  string
		size float64
		bold bool
	}{
		{"12px sans-serif", 12, false},
		{"bold 18px DejaVu Sans", 18, true},
		{"normal bolder 14.5px \"DejaVu Sans\"", 14.5, true},
		{"italic 700 20px serif", 20, true},
		{"400 11px serif", 11, false},
		{"", 12, false},
	} {
		t.Run(tc.css, func(t *testing.T) {
			size, bold := parseCSSFont(tc.css)
			if size != tc.size || bold != tc.bold {
				t.Fatalf("parseCSSFont(%q) = %v, %v; want %v, %v", tc.css, size, bold, tc.size, tc.bold)
			}
		})
	}
}

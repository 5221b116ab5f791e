package render

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/clout-dev/clout/assets"
	"github.com/clout-dev/clout/indicators"
)

// Bounds of the image parameters; requests outside them are EINVALID.
const (
	MinSize  = 200
	MaxSize  = 4000
	MinScale = 1
	MaxScale = 3
	// MaxPixels caps the rasterised area (width·scale × height·scale) so that one
	// request cannot make the PNG renderer allocate gigabytes.
	MaxPixels = 40_000_000
)

// FontFamily is the family name of the embedded font; charts are drawn with it.
const FontFamily = "DejaVu Sans"

// Theme is the colour theme of a rendered chart.
type Theme string

// Themes.
const (
	Light Theme = "light"
	Dark  Theme = "dark"
)

// Background returns the theme's background colour.
func (t Theme) Background() string {
	if t == Dark {
		return "#100c2a" // ECharts' dark theme background
	}
	return "#ffffff"
}

// ParseTheme returns the theme named s ("" means light); other names are EINVALID.
func ParseTheme(s string) (Theme, error) {
	switch Theme(s) {
	case "", Light:
		return Light, nil
	case Dark:
		return Dark, nil
	}
	return "", indicators.Errorf(indicators.EINVALID, "theme: %q is not light or dark", s)
}

// Size is an image size in CSS pixels.
type Size struct {
	Width  int
	Height int
}

// Validate reports a size outside MinSize–MaxSize as EINVALID naming the parameter.
func (s Size) Validate() error {
	if err := checkRange("width", s.Width, MinSize, MaxSize); err != nil {
		return err
	}
	return checkRange("height", s.Height, MinSize, MaxSize)
}

// ValidateScale reports a PNG scale outside MinScale–MaxScale, or a scaled image over
// MaxPixels, as EINVALID.
func (s Size) ValidateScale(scale int) error {
	if err := checkRange("scale", scale, MinScale, MaxScale); err != nil {
		return err
	}
	if px := s.Width * scale * s.Height * scale; px > MaxPixels {
		return indicators.Errorf(indicators.EINVALID,
			"scale: %d×%d at scale %d is %d pixels, over the limit of %d", s.Width, s.Height, scale, px, MaxPixels)
	}
	return nil
}

func checkRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return indicators.Errorf(indicators.EINVALID, "%s: %d is out of range %d–%d", name, v, lo, hi)
	}
	return nil
}

// Options configure a Renderer. The zero value is usable.
type Options struct {
	// Runtimes is the most JavaScript runtimes (and resvg instances) kept; 0 means
	// runtime.NumCPU().
	Runtimes int
	// Logger receives ECharts' console output and pool events; nil means slog.Default().
	Logger *slog.Logger
}

// Renderer renders ECharts options to SVG and PNG. It is safe for concurrent use;
// JavaScript runtimes and resvg instances are created lazily and pooled.
type Renderer struct {
	fonts *fonts
	js    *jsPool
	png   *resvg
}

// New returns a Renderer over the embedded ECharts, fonts and resvg. It is cheap:
// echarts.min.js and resvg's module are compiled on first use, or by Warm.
func New(opts Options) (*Renderer, error) {
	if opts.Runtimes <= 0 {
		opts.Runtimes = runtime.NumCPU()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	f, err := loadFonts(assets.MustRead(assets.FontRegular), assets.MustRead(assets.FontBold))
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	js := newJSPool(assets.MustRead(assets.EChartsJS), assets.MustRead(assets.WorldAtlas), f, opts.Runtimes, opts.Logger)
	png := newResvg(assets.MustRead(assets.ResvgWasm), f.regularTTF, f.boldTTF, opts.Runtimes, opts.Logger)
	return &Renderer{fonts: f, js: js, png: png}, nil
}

// SVG renders option (ECharts option JSON) to a standalone SVG document of the given
// size: the font is embedded (subset to the glyphs used), and no script survives.
func (r *Renderer) SVG(ctx context.Context, option json.RawMessage, size Size, theme Theme) ([]byte, error) {
	svg, err := r.rawSVG(ctx, option, size, theme)
	if err != nil {
		return nil, err
	}
	return r.fonts.embed(svg)
}

// PNG renders option to a PNG of (size.Width·scale)×(size.Height·scale) pixels.
func (r *Renderer) PNG(ctx context.Context, option json.RawMessage, size Size, scale int, theme Theme) ([]byte, error) {
	if err := size.ValidateScale(scale); err != nil {
		return nil, err
	}
	svg, err := r.rawSVG(ctx, option, size, theme)
	if err != nil {
		return nil, err
	}
	return r.png.render(ctx, svg, size.Width*scale, theme.Background())
}

// rawSVG is ECharts' SVG without embedded fonts (resvg gets them as buffers).
func (r *Renderer) rawSVG(ctx context.Context, option json.RawMessage, size Size, theme Theme) ([]byte, error) {
	if err := size.Validate(); err != nil {
		return nil, err
	}
	if theme != Dark {
		theme = Light
	}
	opt, err := prepareOption(option, theme)
	if err != nil {
		return nil, err
	}
	svg, err := r.js.render(ctx, opt, size, theme)
	if err != nil {
		return nil, err
	}
	return svg, nil
}

// Atlas returns the projected maps the renderer draws choropleths on.
func (r *Renderer) Atlas() (*Atlas, error) { return r.js.maps() }

// Close releases the pooled runtimes and the wasm runtime.
func (r *Renderer) Close() error {
	r.js.close()
	r.png.close()
	return nil
}

package export

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/clout-dev/clout/render"
	"github.com/clout-dev/clout/indicators"
)

// Layout of the decorations drawn into images, in CSS pixels.
const (
	margin      = 16
	titleTop    = 10
	legendTop   = 62  // below title and subtitle
	plotTop     = 112 // below the legend and the axis names
	footerSpace = 50
)

func (e *Exporter) writeImage(ctx context.Context, w io.Writer, f Format, s Snapshot, img Image) error {
	opt, err := Decorate(s, img.Size.Width)
	if err != nil {
		return err
	}
	var out []byte
	if f == PNG {
		out, err = e.r.PNG(ctx, opt, img.Size, img.Scale, img.Theme)
	} else {
		out, err = e.r.SVG(ctx, opt, img.Size, img.Theme)
	}
	if err != nil {
		return err
	}
	_, err = io.Copy(w, bytes.NewReader(out))
	return err
}

// Decorate returns s.Option with the title and subtitle as ECharts' title component,
// the provenance footer as a text element at the bottom, and the legend and plot
// moved to make room, for an image width pixels wide. The toolbox is dropped.
func Decorate(s Snapshot, width int) (json.RawMessage, error) {
	opt, err := render.Sanitize(s.Option)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(opt, &m); err != nil {
		return nil, indicators.Errorf(indicators.EINVALID, "option: %v", err)
	}
	delete(m, "toolbox") // its buttons mean nothing in a picture
	textWidth := width - 2*margin
	m["title"] = map[string]any{
		"text": s.Result.Title, "subtext": s.Result.Subtitle,
		"left": margin, "top": titleTop, "itemGap": 6,
		"textStyle":    map[string]any{"fontSize": 18, "fontWeight": "bold", "width": textWidth, "overflow": "truncate"},
		"subtextStyle": map[string]any{"fontSize": 12, "width": textWidth, "overflow": "truncate"},
	}
	sources, stamp := footerLines(s, s.Permalink)
	for _, line := range []struct {
		text   string
		bottom int
	}{{sources, 26}, {stamp, 8}} {
		m["graphic"] = append(asList(m["graphic"]), map[string]any{
			"type": "text", "left": margin, "bottom": line.bottom, "silent": true,
			"style": map[string]any{
				// Graphic elements do not inherit textStyle: name the embedded font,
				// or browsers showing the SVG pick their own sans-serif.
				"text": line.text, "fontSize": 11, "fill": "#6e7079", "fontFamily": render.FontFamily,
				"width": textWidth, "overflow": "truncate",
			},
		})
	}
	eachObject(m["legend"], func(l map[string]any) {
		l["top"] = legendTop
		delete(l, "bottom")
	})
	// A grid placed from the top (or not placed) moves below the legend; one placed
	// from the bottom moves above the footer. Stacked grids keep their order.
	eachObject(m["grid"], func(g map[string]any) {
		_, hasTop := g["top"]
		_, hasBottom := g["bottom"]
		if hasTop || !hasBottom {
			g["top"] = max(number(g["top"]), plotTop)
		}
		if hasBottom || !hasTop {
			g["bottom"] = max(number(g["bottom"]), 30) + footerSpace
		}
	})
	if m["grid"] == nil && m["xAxis"] != nil {
		m["grid"] = map[string]any{"top": plotTop, "bottom": 30 + footerSpace, "left": 60, "right": 30, "containLabel": true}
	}
	return json.Marshal(m)
}

// asList returns an ECharts component option as a list (it may be one object).
func asList(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

func eachObject(v any, fn func(map[string]any)) {
	for _, e := range asList(v) {
		if o, ok := e.(map[string]any); ok {
			fn(o)
		}
	}
}

// number returns a pixel value of an ECharts position (a number or a numeric
// string such as "40"), 0 for percentages and names.
func number(v any) float64 {
	switch t := v.(type) {
	case float64:
		return t
	case string:
		f, err := strconv.ParseFloat(strings.TrimSuffix(t, "px"), 64)
		if err == nil {
			return f
		}
	}
	return 0
}

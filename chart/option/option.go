// Package option builds the ECharts option of each built-in chart from its
// computed indicators.Result, one small go-echarts builder per chart id, in a
// light or dark theme. The dashboard, the exports and the renderer all draw
// from these options.
package option

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// optionBuilder turns a computed result into a go-echarts chart's option map.
type optionBuilder func(res *indicators.Result, theme string) (map[string]any, error)

// builders is the one option builder per chart id.
var builders = map[string]optionBuilder{
	"trade-share":      buildTradeShare,
	"gas-exports":      buildGasExports,
	"integration-gain": buildIntegrationGain,
	"series":           buildSeries,
	"map":              buildMap,
}

// JSON returns the ECharts option of a computed chart: the one builder
// per chart used by the pages, the embed page, the JSON API and the exports.
// theme is "" or "light" for the light theme, "dark" for the dark one (the
// browser also switches ECharts' own theme). The JSON is HTML-escaped and
// carries no "__f__" marker, so it is safe to embed in a script element and is
// never turned into code.
func JSON(res *indicators.Result, theme string) (json.RawMessage, error) {
	if res == nil {
		return nil, fmt.Errorf("option: nil result")
	}
	build, ok := builders[res.Chart]
	if !ok {
		build = buildTableOption
	}
	opt, err := build(res, theme)
	if err != nil {
		return nil, fmt.Errorf("option %s: %w", res.Chart, err)
	}
	if theme == "dark" {
		opt["backgroundColor"] = darkBackground
	}
	// Images are downloaded captioned from the page's Download panel, never
	// from a toolbox button that saves them without title or source.
	delete(opt, "toolbox")
	if _, ok := opt["cloutFormat"]; !ok {
		opt["cloutFormat"] = formats{Default: Format{Digits: 2}, Series: map[string]Format{}}
	}
	b, err := json.Marshal(opt) // escapes <, >, &, U+2028 and U+2029
	if err != nil {
		return nil, fmt.Errorf("option %s: %w", res.Chart, err)
	}
	return StripFuncMarkers(b), nil
}

// darkBackground is the background of ECharts' dark theme, for exports.
const darkBackground = "#100c2a"

// funcMarker is how go-echarts marks a string as JavaScript code in its own
// templates; Clout never evaluates it, and removes it from data anyway.
const funcMarker = "__f__"

// StripFuncMarkers removes every "__f__" from b, repeatedly, since removing one can
// join the pieces of another.
func StripFuncMarkers(b []byte) []byte {
	for bytes.Contains(b, []byte(funcMarker)) {
		b = bytes.ReplaceAll(b, []byte(funcMarker), nil)
	}
	return b
}

// StripFuncMarkersString is StripFuncMarkers for a string.
func StripFuncMarkersString(s string) string {
	for strings.Contains(s, funcMarker) {
		s = strings.ReplaceAll(s, funcMarker, "")
	}
	return s
}

// Sanitize removes "__f__" from every text of a result (labels, notes,
// sources, table cells), so no export path can meet it.
func Sanitize(r *indicators.Result) {
	r.Title = StripFuncMarkersString(r.Title)
	r.Subtitle = StripFuncMarkersString(r.Subtitle)
	r.Statement = StripFuncMarkersString(r.Statement)
	for i := range r.Coverage {
		r.Coverage[i] = StripFuncMarkersString(r.Coverage[i])
	}
	for i := range r.Sources {
		r.Sources[i] = StripFuncMarkersString(r.Sources[i])
	}
	for i := range r.Citations {
		c := &r.Citations[i]
		for _, f := range []*string{&c.Publisher, &c.Title, &c.URL, &c.Vintage, &c.Retrieved} {
			*f = StripFuncMarkersString(*f)
		}
		for j := range c.Details {
			c.Details[j] = StripFuncMarkersString(c.Details[j])
		}
	}
	for i := range r.Table.Columns {
		r.Table.Columns[i].Name = StripFuncMarkersString(r.Table.Columns[i].Name)
		r.Table.Columns[i].Unit = StripFuncMarkersString(r.Table.Columns[i].Unit)
	}
	for _, row := range r.Table.Rows {
		for j, cell := range row {
			if s, ok := cell.(string); ok {
				row[j] = StripFuncMarkersString(s)
			}
		}
	}
}

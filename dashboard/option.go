package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// optionBuilder turns a computed result into a go-echarts chart's option map.
type optionBuilder func(res *indicators.Result, theme string) (map[string]any, error)

// builders is the one option builder per chart id (DESIGN §1).
var builders = map[string]optionBuilder{
	"trade-share":      buildTradeShare,
	"gas-exports":      buildGasExports,
	"integration-gain": buildIntegrationGain,
	"series":           buildSeries,
	"map":              buildMap,
}

// Option returns the ECharts option of a computed chart as JSON: the one builder
// per chart used by the pages, the embed page, the JSON API and the exports.
// theme is "" or "light" for the light theme, "dark" for the dark one (the
// browser also switches ECharts' own theme). The JSON is HTML-escaped and
// carries no "__f__" marker, so it is safe to embed in a script element and is
// never turned into code.
func Option(res *indicators.Result, theme string) (json.RawMessage, error) {
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
	b, err := json.Marshal(opt) // escapes <, >, &, U+2028 and U+2029
	if err != nil {
		return nil, fmt.Errorf("option %s: %w", res.Chart, err)
	}
	return stripFuncMarkers(b), nil
}

// darkBackground is the background of ECharts' dark theme, for exports.
const darkBackground = "#100c2a"

// funcMarker is how go-echarts marks a string as JavaScript code in its own
// templates; Clout never evaluates it, and removes it from data anyway.
const funcMarker = "__f__"

// stripFuncMarkers removes every "__f__" from b, repeatedly, since removing one can
// join the pieces of another.
func stripFuncMarkers(b []byte) []byte {
	for bytes.Contains(b, []byte(funcMarker)) {
		b = bytes.ReplaceAll(b, []byte(funcMarker), nil)
	}
	return b
}

func stripFuncMarkersString(s string) string {
	for strings.Contains(s, funcMarker) {
		s = strings.ReplaceAll(s, funcMarker, "")
	}
	return s
}

// sanitizeResult removes "__f__" from every text of a result (labels, notes,
// sources, table cells), so no export path can meet it.
func sanitizeResult(r *indicators.Result) {
	r.Title = stripFuncMarkersString(r.Title)
	r.Subtitle = stripFuncMarkersString(r.Subtitle)
	r.Statement = stripFuncMarkersString(r.Statement)
	for i := range r.Coverage {
		r.Coverage[i] = stripFuncMarkersString(r.Coverage[i])
	}
	for i := range r.Sources {
		r.Sources[i] = stripFuncMarkersString(r.Sources[i])
	}
	for i := range r.Table.Columns {
		r.Table.Columns[i].Name = stripFuncMarkersString(r.Table.Columns[i].Name)
		r.Table.Columns[i].Unit = stripFuncMarkersString(r.Table.Columns[i].Unit)
	}
	for _, row := range r.Table.Rows {
		for j, cell := range row {
			if s, ok := cell.(string); ok {
				row[j] = stripFuncMarkersString(s)
			}
		}
	}
}

// scriptJSON makes option JSON embeddable in <script type="application/json">:
// json.Marshal already escaped '<', '>' and '&', so the text cannot close the
// element; the check guards that invariant.
func scriptJSON(b json.RawMessage) template.JS {
	if bytes.ContainsAny(b, "<>") {
		b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("<"), []byte(`\u003c`)), []byte(">"), []byte(`\u003e`))
	}
	return template.JS(b)
}

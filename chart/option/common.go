package option

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/clout-dev/clout/indicators"
)

// Colours shared by the builders; they read on both the light and the dark theme.
const (
	colorThreshold = "#e6a23c"
)

// missing is how ECharts writes a value that is not there: a gap, never a zero.
const missing = "-"

// noDataName is the legend entry of the bands drawn over missing periods.
const noDataName = "No data"

// NoteID is the id of the graphic text naming what a chart leaves out (series
// without figures at the chosen frequency); the image export moves it under
// the legend.
const NoteID = "clout-note"

// maxEndLabels is the most lines labelled at their ends instead of a legend:
// more would pile up at the right edge.
const maxEndLabels = 8

// round keeps a few significant decimals, so options stay small; the table keeps
// the exact values.
func round(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}

// valueOf turns a maybe-missing number into an ECharts value.
func valueOf(v *float64, decimals int) any {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return missing
	}
	return round(*v, decimals)
}

// scaledOf is valueOf of a figure divided by a scale's divisor.
func scaledOf(v *float64, s scale) any {
	if v == nil {
		return missing
	}
	x := *v / s.div
	return valueOf(&x, 3)
}

// Format is how the page writes a value of the option for readers (the
// option's "cloutFormat"): prefix + the number with at most Digits decimals +
// suffix, "$" "4.5" " trillion".
type Format struct {
	Prefix string `json:"prefix"`
	Suffix string `json:"suffix"`
	Digits int    `json:"digits"`
}

// formats is the option's "cloutFormat": a default and exceptions by series name.
type formats struct {
	Default Format            `json:"default"`
	Series  map[string]Format `json:"series"`
}

// percentFormat writes percentages: "18.4%".
var percentFormat = Format{Suffix: "%", Digits: 1}

// scale is how the figures of one axis are drawn: divided by div, so that they
// read in a magnitude ("million people"), the axis named after it.
type scale struct {
	div    float64
	axis   string
	format Format
}

var percentScale = scale{div: 1, axis: "%", format: percentFormat}

// scaleFor picks the magnitude of figures in unit u whose largest absolute
// value is maxAbs (as stored: already scaled by u.Base).
func scaleFor(u indicators.UnitSpec, maxAbs float64) scale {
	if u.Percent || u.Symbol == "%" {
		return percentScale
	}
	m := indicators.MagnitudeOf(maxAbs * math.Pow10(u.Base))
	exp := max(m.Exp, u.Base)
	word := m.Word
	if exp != m.Exp {
		word = indicators.MagnitudeOf(math.Pow10(exp)).Word
	}
	s := scale{div: math.Pow10(exp - u.Base), format: Format{Digits: 1}}
	if word == "" {
		s.format.Digits = 0
	}
	spaced := func(parts ...string) string { return strings.Join(strings.Fields(strings.Join(parts, " ")), " ") }
	switch {
	case u.Currency != "":
		s.format.Prefix = "$"
		symbol := "US$"
		if u.International {
			s.format.Prefix, symbol = "Int$", "international $"
		}
		s.axis = spaced(word, symbol)
		if word != "" {
			s.format.Suffix = " " + word
		}
	case u.Noun != "":
		s.axis = spaced(word, u.Noun)
		s.format.Suffix = " " + s.axis
	default:
		s.axis = spaced(word, u.Symbol)
		if s.axis != "" {
			s.format.Suffix = " " + s.axis
		}
	}
	return s
}

// maxAbs is the largest absolute value among figures (0 if none).
func maxAbs(vs ...*float64) float64 {
	m := 0.0
	for _, v := range vs {
		if v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) {
			m = max(m, math.Abs(*v))
		}
	}
	return m
}

// baseGlobals are the options every chart shares: title, tooltip, a plain
// legend (never paged: a pager means nothing in an image), accessibility
// description. No toolbox: the page's Download panel offers captioned images.
func baseGlobals(res *indicators.Result, trigger string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTitleOpts(opts.Title{Title: res.Title, Subtitle: res.Subtitle, Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: trigger}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "plain", Bottom: "0"}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true)}),
	}
}

// rectJSON finishes a rectangular chart and returns its option map.
func rectJSON(c interface {
	Validate()
	JSON() map[string]any
}) map[string]any {
	c.Validate()
	return c.JSON()
}

// plain finishes a go-echarts chart and returns its option as plain JSON maps
// and lists, for the settings go-echarts has no field for.
func plain(c interface {
	Validate()
	JSON() map[string]any
}) (map[string]any, error) {
	b, err := json.Marshal(rectJSON(c))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// list returns an option component as a list of objects (it may be one object).
func list(v any) []map[string]any {
	var out []map[string]any
	switch t := v.(type) {
	case []map[string]any:
		return t
	case map[string]any:
		out = append(out, t)
	case []any:
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// sub returns m[key] as an object, creating it.
func sub(m map[string]any, key string) map[string]any {
	if o, ok := m[key].(map[string]any); ok {
		return o
	}
	o := map[string]any{}
	m[key] = o
	return o
}

// readableAxes thins axis labels that would overlap, keeps axis names clear
// of the labels, and marks zero on value axes.
func readableAxes(opt map[string]any) {
	for _, key := range []string{"xAxis", "yAxis"} {
		for _, ax := range list(opt[key]) {
			sub(ax, "axisLabel")["hideOverlap"] = true
			if ax["type"] == "value" {
				ax["nameTextStyle"] = map[string]any{"align": "left"}
				ax["splitNumber"] = 4
			}
		}
	}
}

// endLabels labels the lines at their ends with their names instead of a
// legend, when they are few (moved apart when they would overlap); the grid
// keeps room for the labels. It reports whether it did.
func endLabels(opt map[string]any, gridIndex int) bool {
	var lines []map[string]any
	for _, s := range list(opt["series"]) {
		if s["type"] == "line" && int(num(s["xAxisIndex"])) == gridIndex && s["name"] != noDataName {
			lines = append(lines, s)
		}
	}
	if len(lines) == 0 || len(lines) > maxEndLabels {
		return false
	}
	longest := 0
	for _, s := range lines {
		name, _ := s["name"].(string)
		longest = max(longest, len([]rune(name)))
		// Far enough right of the point to clear the last period's label.
		s["endLabel"] = map[string]any{"show": true, "formatter": "{a}", "fontSize": 12, "distance": endLabelGap,
			"color": sub(s, "itemStyle")["color"]}
		s["labelLayout"] = map[string]any{"moveOverlap": "shiftY"}
	}
	grids := list(opt["grid"])
	if gridIndex < len(grids) {
		// The label's width in DejaVu Sans at 12 px is about 0.62 em a letter.
		grids[gridIndex]["right"] = endLabelGap + 8 + int(math.Ceil(float64(longest)*12*0.62))
	}
	return true
}

// endLabelGap is the distance of a line's end label from its last point.
const endLabelGap = 22

// num reads an ECharts pixel position: a number or a numeric string ("40"),
// 0 when absent or relative.
func num(v any) float64 {
	switch t := v.(type) {
	case float64:
		return t
	case string:
		f, _ := strconv.ParseFloat(t, 64)
		return f
	}
	return 0
}

// legendOnly shows exactly these names in the legend (none: no legend).
func legendOnly(opt map[string]any, names []string) {
	l := sub(opt, "legend")
	if len(names) == 0 {
		l["show"] = false
		return
	}
	l["show"] = true
	l["type"] = "plain"
	data := make([]any, len(names))
	for i, n := range names {
		data[i] = n
		if n == noDataName {
			data[i] = map[string]any{"name": n, "icon": "rect"}
		}
	}
	l["data"] = data
}

// noDataBands is a series drawing a band, labelled in the legend "No data",
// over each run of categories where every figure is missing; nil if none.
func noDataBands(theme string, present []bool, xAxis, yAxis int) map[string]any {
	var areas []any
	for i := 0; i < len(present); {
		if present[i] {
			i++
			continue
		}
		j := i
		for j+1 < len(present) && !present[j+1] {
			j++
		}
		// Category indexes (ECharts places an index at its slot's centre): from
		// the last period with a figure to the next one, where a line breaks.
		areas = append(areas, []any{map[string]any{"xAxis": max(i-1, 0)}, map[string]any{"xAxis": min(j+1, len(present)-1)}})
		i = j + 1
	}
	if len(areas) == 0 {
		return nil
	}
	color := noDataSwatch.in(theme)
	return map[string]any{
		// Below the figures (z 1 against their 2): a band next to the last
		// period must not hide that period's point or its end label.
		"name": noDataName, "type": "line", "data": []any{}, "xAxisIndex": xAxis, "yAxisIndex": yAxis, "symbol": "rect", "z": 1,
		"itemStyle": map[string]any{"color": color}, "lineStyle": map[string]any{"width": 0},
		"tooltip":  map[string]any{"show": false},
		"markArea": map[string]any{"silent": true, "itemStyle": map[string]any{"color": color, "opacity": 0.9}, "data": areas},
	}
}

// addNoDataBands adds the "No data" bands over the categories where every
// figure is missing (noDataBands) to opt's series, and their entry to legend,
// which it returns.
func addNoDataBands(opt map[string]any, theme string, present []bool, xAxis, yAxis int, legend []string) []string {
	band := noDataBands(theme, present, xAxis, yAxis)
	if band == nil {
		return legend
	}
	opt["series"] = append(list(opt["series"]), band)
	return append(legend, noDataName)
}

// finishSharePanels ends a chart of percentages whose second panel (axis
// index 1) follows a share over time, a label at each line's end: the
// trade-share and integration-gain charts.
func finishSharePanels(opt map[string]any, theme string, present []bool, legend []string) {
	legend = addNoDataBands(opt, theme, present, 1, 1, legend)
	endLabels(opt, 1)
	legendOnly(opt, legend)
	readableAxes(opt)
	for _, ax := range list(opt["yAxis"]) {
		ax["splitNumber"] = 3
	}
	opt["cloutFormat"] = formats{Default: percentFormat, Series: map[string]Format{noDataName: {}}}
}

// addNote writes the text naming what the chart leaves out under the plot,
// above the legend, and makes room for it; the image export moves it under
// the legend.
func addNote(opt map[string]any, text string) {
	opt["graphic"] = []any{map[string]any{
		"type": "text", "id": NoteID, "left": "center", "bottom": 2, "silent": true,
		"style": map[string]any{"text": text, "fontSize": 12, "fill": "#6e7079"},
	}}
	sub(opt, "legend")["bottom"] = 22
	for _, g := range list(opt["grid"]) {
		if _, ok := g["bottom"]; ok {
			g["bottom"] = num(g["bottom"]) + 22
		}
	}
}

// namesList writes names as "A", "A and B", "A, B and C".
func namesList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// buildTableOption draws any result from its table: the first text column as
// categories, every numeric column as a line. It serves charts without a
// dedicated builder.
func buildTableOption(res *indicators.Result, _ string) (map[string]any, error) {
	line := charts.NewLine()
	line.SetGlobalOptions(baseGlobals(res, "axis")...)
	line.SetGlobalOptions(
		charts.WithGridOpts(opts.Grid{Top: "70", Bottom: "60", Left: "60", Right: "40", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value"}),
	)
	cat := -1
	for i := range res.Table.Columns {
		for _, row := range res.Table.Rows {
			if _, ok := row[i].(string); ok {
				cat = i
				break
			}
		}
		if cat >= 0 {
			break
		}
	}
	var xs []string
	for _, row := range res.Table.Rows {
		if cat >= 0 {
			s, _ := row[cat].(string)
			xs = append(xs, s)
		} else {
			xs = append(xs, "")
		}
	}
	line.SetXAxis(xs)
	for i, col := range res.Table.Columns {
		if i == cat || !numericColumn(res.Table, i) {
			continue
		}
		data := make([]opts.LineData, len(res.Table.Rows))
		for j, row := range res.Table.Rows {
			data[j] = opts.LineData{Value: cellValue(row[i])}
		}
		line.AddSeries(col.Name, data)
	}
	return rectJSON(line), nil
}

func numericColumn(t indicators.Table, i int) bool {
	for _, row := range t.Rows {
		if _, ok := row[i].(float64); ok {
			return true
		}
	}
	return false
}

func cellValue(v any) any {
	if f, ok := v.(float64); ok {
		return valueOf(&f, 4)
	}
	return missing
}

package option

import (
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/clout-dev/clout/indicators"
)

// Colours shared by the builders; they read on both the light and the dark theme.
const (
	colorHighlight = "#d62728"
	colorBase      = "#5470c6"
	colorThreshold = "#e6a23c"
)

// missing is how ECharts writes a value that is not there: a gap, never a zero.
const missing = "-"

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

// baseGlobals are the options every chart shares: title, tooltip, legend,
// toolbox (save as image), accessibility description, no animation when
// rendered server-side.
func baseGlobals(res *indicators.Result, trigger string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTitleOpts(opts.Title{Title: res.Title, Subtitle: res.Subtitle, Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: trigger}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Bottom: "0"}),
		charts.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(true), Right: "10", Feature: &opts.ToolBoxFeature{
			SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Title: "Save as image", Name: res.Chart},
		}}),
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

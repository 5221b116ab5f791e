package option

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/clout-dev/clout/indicators"
)

// buildGasExports draws each destination's exports as bars (left axis) and their
// year-on-year change as dashed lines (right axis, %); gaps stay gaps.
func buildGasExports(res *indicators.Result, _ string) (map[string]any, error) {
	d, ok := res.Detail.(*indicators.GasExportsResult)
	if !ok || d == nil {
		return nil, fmt.Errorf("detail is %T, want *indicators.GasExportsResult", res.Detail)
	}
	unit := d.Unit
	if unit == "" {
		unit = "million m3"
	}
	periods := make([]string, len(d.Periods))
	for i, p := range d.Periods {
		periods[i] = p.String()
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(baseGlobals(res, "axis")...)
	bar.SetGlobalOptions(
		charts.WithGridOpts(opts.Grid{Top: "80", Bottom: "90", Left: "40", Right: "40", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: unit}),
	)
	bar.ExtendYAxis(opts.YAxis{Type: "value", Name: "YoY %", SplitLine: &opts.SplitLine{Show: opts.Bool(false)}})
	bar.SetXAxis(periods)
	line := charts.NewLine()
	for _, s := range d.Series {
		values := make([]opts.BarData, len(s.Points))
		yoy := make([]opts.LineData, len(s.Points))
		for i, p := range s.Points {
			values[i] = opts.BarData{Value: valueOf(p.Value, 1)}
			yoy[i] = opts.LineData{Value: valueOf(p.YoY, 1)}
		}
		bar.AddSeries(s.Name, values)
		line.AddSeries(s.Name+" YoY %", yoy,
			charts.WithSeriesOpts(func(ss *charts.SingleSeries) { ss.YAxisIndex = 1 }),
			charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	}
	bar.Overlap(line)
	opt := rectJSON(bar)
	if len(periods) > 24 {
		// go-echarts' DataZoom has no position; a slider above the legend.
		opt["dataZoom"] = []map[string]any{{"type": "slider", "xAxisIndex": []int{0}, "bottom": 30, "height": 18}}
	}
	return opt, nil
}

package option

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/clout-dev/clout/indicators"
)

// buildSeries draws one line per country over the periods; missing values are
// gaps.
func buildSeries(res *indicators.Result, _ string) (map[string]any, error) {
	d, ok := res.Detail.(*indicators.SeriesResult)
	if !ok || d == nil {
		return nil, fmt.Errorf("detail is %T, want *indicators.SeriesResult", res.Detail)
	}
	periods := make([]string, len(d.Periods))
	for i, p := range d.Periods {
		periods[i] = p.String()
	}
	line := charts.NewLine()
	line.SetGlobalOptions(baseGlobals(res, "axis")...)
	line.SetGlobalOptions(
		charts.WithGridOpts(opts.Grid{Top: "80", Bottom: "60", Left: "50", Right: "30", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: d.Unit}),
	)
	line.SetXAxis(periods)
	for _, l := range d.Lines {
		data := make([]opts.LineData, len(l.Values))
		for i, v := range l.Values {
			data[i] = opts.LineData{Value: valueOf(v, 4)}
		}
		line.AddSeries(l.Name, data, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}))
	}
	return rectJSON(line), nil
}

package option

import (
	"fmt"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/clout-dev/clout/indicators"
)

// buildIntegrationGain draws, for the chosen year, one stacked bar per measure
// (each member's contribution as % of Russia's value, so the bar's height is the
// bloc's ratio), above the ratio of each measure over time.
func buildIntegrationGain(res *indicators.Result, _ string) (map[string]any, error) {
	d, ok := res.Detail.(*indicators.IntegrationGainResult)
	if !ok || d == nil {
		return nil, fmt.Errorf("detail is %T, want *indicators.IntegrationGainResult", res.Detail)
	}
	ref := indicators.CountryName(d.Reference)
	bar := charts.NewBar()
	bar.SetGlobalOptions(baseGlobals(res, "axis")...)
	bar.SetGlobalOptions(
		charts.WithGridOpts(
			opts.Grid{Top: "70", Height: "38%", Left: "40", Right: "40", ContainLabel: opts.Bool(true)},
			opts.Grid{Bottom: "60", Height: "22%", Left: "40", Right: "40", ContainLabel: opts.Bool(true)},
		),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "% of " + ref + " " + strconv.Itoa(d.Year)}),
	)
	labels := make([]string, len(d.Measures))
	for i, m := range d.Measures {
		labels[i] = m.Label
	}
	bar.SetXAxis(labels)
	for _, member := range d.Members {
		data := make([]opts.BarData, len(d.Measures))
		for i, m := range d.Measures {
			data[i] = opts.BarData{Value: missing}
			if by, ok := m.At(d.Year); ok {
				for _, c := range by.Contributions {
					if c.Country == member {
						data[i] = opts.BarData{Value: valueOf(c.Pct, 3)}
					}
				}
			}
		}
		bar.AddSeries(indicators.CountryName(member), data, charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Stack = "bloc" }))
	}

	var years []string
	if len(d.Measures) > 0 {
		for _, by := range d.Measures[0].Years {
			years = append(years, strconv.Itoa(by.Year))
		}
	}
	bar.ExtendXAxis(opts.XAxis{Type: "category", GridIndex: 1, Data: years})
	bar.ExtendYAxis(opts.YAxis{Type: "value", GridIndex: 1, Name: "bloc, % of " + ref})
	line := charts.NewLine()
	for _, m := range d.Measures {
		data := make([]opts.LineData, len(m.Years))
		for i, by := range m.Years {
			data[i] = opts.LineData{Value: valueOf(by.Ratio, 2)}
		}
		line.AddSeries(d.Bloc+" "+m.Short+" ratio", data,
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), XAxisIndex: 1, YAxisIndex: 1}))
	}
	bar.Overlap(line)
	return rectJSON(bar), nil
}

package option

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/clout-dev/clout/indicators"
)

// buildSeries draws one line per country over the periods, each in its
// country's colour and, when few, labelled at its end; figures are scaled to
// a readable magnitude named on the axis. Missing values are gaps, periods
// without any figure are banded "no data", and countries without any figure
// are left out and named in a note.
func buildSeries(res *indicators.Result, theme string) (map[string]any, error) {
	d, ok := res.Detail.(*indicators.SeriesResult)
	if !ok || d == nil {
		return nil, fmt.Errorf("detail is %T, want *indicators.SeriesResult", res.Detail)
	}
	ind := indicators.LookupIndicator(d.Indicator)
	unit := ind.Unit
	if !ind.Known || (d.Unit != "" && d.Unit != unit.Symbol) {
		unit = indicators.UnitSpec{Symbol: d.Unit, Percent: d.Unit == "%"}
	}
	periods := make([]string, len(d.Periods))
	for i, p := range d.Periods {
		periods[i] = p.String()
	}
	var all []*float64
	present := make([]bool, len(periods))
	var shown []indicators.SeriesLine
	var left []string
	for _, l := range d.Lines {
		has := false
		for i, v := range l.Values {
			if v != nil {
				has, present[i] = true, true
				all = append(all, v)
			}
		}
		if has {
			shown = append(shown, l)
		} else {
			left = append(left, l.Name)
		}
	}
	sc := scaleFor(unit, maxAbs(all...))
	line := charts.NewLine()
	line.SetGlobalOptions(baseGlobals(res, "axis")...)
	line.SetGlobalOptions(
		charts.WithGridOpts(opts.Grid{Top: "80", Bottom: "60", Left: "50", Right: "30", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: sc.axis}),
	)
	line.SetXAxis(periods)
	pal := newPalette(theme)
	var names []string
	for _, l := range shown {
		data := make([]opts.LineData, len(l.Values))
		for i, v := range l.Values {
			data[i] = opts.LineData{Value: scaledOf(v, sc)}
		}
		color := pal.of(l.Country)
		line.AddSeries(l.Name, data, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: color, Width: 2}))
		names = append(names, l.Name)
	}
	opt, err := plain(line)
	if err != nil {
		return nil, err
	}
	var legend []string
	if !endLabels(opt, 0) {
		legend = names
	}
	legend = addNoDataBands(opt, theme, present, 0, 0, legend)
	legendOnly(opt, legend)
	readableAxes(opt)
	opt["cloutFormat"] = formats{Default: sc.format, Series: map[string]Format{noDataName: {}}}
	if len(left) > 0 {
		addNote(opt, "No figures for "+namesList(left))
	}
	return opt, nil
}

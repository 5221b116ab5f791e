package option

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/clout-dev/clout/indicators"
)

// yoySuffix names a destination's year-on-year series: "Turkey YoY %".
const yoySuffix = " YoY %"

// buildGasExports draws each destination's exports as bars in the upper panel
// and their year-on-year change as lines in a small panel below, on the same
// periods (one axis pointer for both), zero marked: each panel's axis starts
// where its figures do, so a fall never sits among the bars. A destination
// keeps its colour in both panels; one without figures at the frequency is
// left out and named in a note; periods without any figure are banded "no data".
func buildGasExports(res *indicators.Result, theme string) (map[string]any, error) {
	d, ok := res.Detail.(*indicators.GasExportsResult)
	if !ok || d == nil {
		return nil, fmt.Errorf("detail is %T, want *indicators.GasExportsResult", res.Detail)
	}
	unit := indicators.LookupIndicator(indicators.GasExportsCode).Unit
	if d.Unit != "" && d.Unit != unit.Symbol {
		unit = indicators.UnitSpec{Symbol: d.Unit}
	}
	periods := make([]string, len(d.Periods))
	for i, p := range d.Periods {
		periods[i] = p.String()
	}
	var shown []indicators.GasSeries
	var left []string
	var all []*float64
	present := make([]bool, len(periods))
	for _, s := range d.Series {
		has := false
		for i, p := range s.Points {
			if p.Value != nil {
				has, present[i] = true, true
				all = append(all, p.Value)
			}
		}
		if has {
			shown = append(shown, s)
		} else {
			left = append(left, s.Name)
		}
	}
	sc := scaleFor(unit, maxAbs(all...))

	bar := charts.NewBar()
	bar.SetGlobalOptions(baseGlobals(res, "axis")...)
	bar.SetGlobalOptions(
		charts.WithGridOpts(
			opts.Grid{Top: "80", Height: "44%", Left: "40", Right: "40", ContainLabel: opts.Bool(true)},
			opts.Grid{Bottom: "70", Height: "18%", Left: "40", Right: "40", ContainLabel: opts.Bool(true)},
		),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Show: opts.Bool(false)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: sc.axis}),
	)
	bar.ExtendXAxis(opts.XAxis{Type: "category", GridIndex: 1, Data: periods})
	bar.ExtendYAxis(opts.YAxis{Type: "value", GridIndex: 1, Name: "change on a year earlier, %"})
	bar.SetXAxis(periods)
	pal := newPalette(theme)
	line := charts.NewLine()
	f := formats{Default: sc.format, Series: map[string]Format{}}
	var names []string
	for _, s := range shown {
		color := pal.of(s.Destination)
		values := make([]opts.BarData, len(s.Points))
		yoy := make([]opts.LineData, len(s.Points))
		for i, p := range s.Points {
			values[i] = opts.BarData{Value: scaledOf(p.Value, sc)}
			yoy[i] = opts.LineData{Value: valueOf(p.YoY, 1)}
		}
		bar.AddSeries(s.Name, values, charts.WithItemStyleOpts(opts.ItemStyle{Color: color}))
		line.AddSeries(s.Name+yoySuffix, yoy,
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), XAxisIndex: 1, YAxisIndex: 1}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: color, Width: 2}))
		f.Series[s.Name+yoySuffix] = percentFormat
		names = append(names, s.Name)
	}
	bar.Overlap(line)
	opt, err := plain(bar)
	if err != nil {
		return nil, err
	}
	series := list(opt["series"])
	for _, s := range series {
		if s["type"] == "line" {
			s["markLine"] = zeroLine()
		}
	}
	names = addNoDataBands(opt, theme, present, 0, 0, names)
	legendOnly(opt, names)
	opt["axisPointer"] = map[string]any{"link": []any{map[string]any{"xAxisIndex": "all"}}}
	yoyAxis := list(opt["yAxis"])[1]
	yoyAxis["splitNumber"] = 2
	readableAxes(opt)
	yoyAxis["splitNumber"] = 2
	f.Series[noDataName] = Format{}
	opt["cloutFormat"] = f
	if len(left) > 0 {
		addNote(opt, fmt.Sprintf("No %s figures for %s", d.Freq, namesList(left)))
	}
	return opt, nil
}

// zeroLine marks zero on a change axis, so falls read as falls.
func zeroLine() map[string]any {
	return map[string]any{
		"silent": true, "symbol": []any{"none", "none"},
		"lineStyle": map[string]any{"color": "#6e7079", "type": "solid", "width": 1},
		"label":     map[string]any{"show": false},
		"data":      []any{map[string]any{"yAxis": 0}},
	}
}

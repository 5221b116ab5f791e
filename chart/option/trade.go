package option

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/clout-dev/clout/indicators"
)

// buildTradeShare draws partners' shares of Russia's turnover in the year (top N,
// the selected partners in their own colours, the others in a neutral one,
// their combined share as its own bar against the threshold line) above the
// combined share over time against the same line, in the combined bar's colour
// and labelled at its end; years it cannot be computed are banded "no data".
func buildTradeShare(res *indicators.Result, theme string) (map[string]any, error) {
	d, ok := res.Detail.(*indicators.TradeShareResult)
	if !ok || d == nil {
		return nil, fmt.Errorf("detail is %T, want *indicators.TradeShareResult", res.Detail)
	}
	threshold := opts.MarkLineNameYAxisItem{Name: fmt.Sprintf("%g%% threshold", d.Threshold), YAxis: d.Threshold}
	thresholdStyle := charts.WithMarkLineStyleOpts(opts.MarkLineStyle{
		Symbol:    []string{"none", "none"},
		LineStyle: &opts.LineStyle{Color: colorThreshold, Type: "dashed", Width: 2},
		Label:     &opts.Label{Show: opts.Bool(true), Formatter: fmt.Sprintf("%g%%", d.Threshold)},
	})

	pal := newPalette(theme)
	names, data := tradeBars(d, pal)
	bar := charts.NewBar()
	bar.SetGlobalOptions(baseGlobals(res, "axis")...)
	bar.SetGlobalOptions(
		charts.WithGridOpts(
			opts.Grid{Top: "70", Height: "42%", Left: "40", Right: "40", ContainLabel: opts.Bool(true)},
			opts.Grid{Bottom: "30", Height: "20%", Left: "40", Right: "40", ContainLabel: opts.Bool(true)},
		),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Rotate: 40, Interval: "0", FontSize: 11}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "share in " + strconv.Itoa(d.Year) + ", %"}),
	)
	years := overYears(d)
	bar.ExtendXAxis(opts.XAxis{Type: "category", GridIndex: 1, Data: years})
	bar.ExtendYAxis(opts.YAxis{Type: "value", GridIndex: 1, Name: "combined, %"})
	bar.SetXAxis(names)
	bar.AddSeries("Share of turnover "+strconv.Itoa(d.Year), data,
		charts.WithMarkLineNameYAxisItemOpts(threshold), thresholdStyle,
		charts.WithItemStyleOpts(opts.ItemStyle{Color: neutralSwatch.in(theme)}))

	line := charts.NewLine()
	over, present := overData(d)
	line.AddSeries(combinedLabel(d), over,
		// LineChart options set the axis indexes too, so they go there.
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), XAxisIndex: 1, YAxisIndex: 1}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: selectionSwatch.in(theme)}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: selectionSwatch.in(theme), Width: 2}),
		charts.WithMarkLineNameYAxisItemOpts(threshold), thresholdStyle)
	bar.Overlap(line)
	opt, err := plain(bar)
	if err != nil {
		return nil, err
	}
	var legend []string
	finishSharePanels(opt, theme, present, legend)
	return opt, nil
}

// tradeBars are the top partners plus any selected partner outside the top, and a
// first bar for the selected partners' combined share.
func tradeBars(d *indicators.TradeShareResult, pal *palette) ([]string, []opts.BarData) {
	var names []string
	var data []opts.BarData
	if len(d.Selected) > 0 {
		names = append(names, combinedLabel(d))
		data = append(data, opts.BarData{
			Name: combinedLabel(d), Value: valueOf(d.Combined.Share, 2),
			ItemStyle: &opts.ItemStyle{Color: selectionSwatch.in(pal.theme), BorderColor: colorThreshold, BorderWidth: 2},
		})
	}
	top := d.Top
	if top <= 0 {
		top = 15
	}
	for i, p := range d.Partners {
		if i >= top && !p.Selected {
			continue
		}
		bd := opts.BarData{Name: p.Name, Value: round(p.Share, 2)}
		if p.Selected {
			bd.ItemStyle = &opts.ItemStyle{Color: pal.of(p.Partner)}
		}
		names = append(names, p.Name)
		data = append(data, bd)
	}
	return names, data
}

// combinedLabel names the selected partners: "TUR+AZE".
func combinedLabel(d *indicators.TradeShareResult) string {
	if len(d.Selected) == 0 {
		return "Selected"
	}
	return strings.Join(d.Selected, "+")
}

func overYears(d *indicators.TradeShareResult) []string {
	ys := make([]string, len(d.Over))
	for i, c := range d.Over {
		ys[i] = strconv.Itoa(c.Year)
	}
	return ys
}

// overData is the combined share per year, and whether it has one; a year where
// a selected partner has no figures is a gap, since its share would count that
// partner's trade as zero.
func overData(d *indicators.TradeShareResult) ([]opts.LineData, []bool) {
	data := make([]opts.LineData, len(d.Over))
	present := make([]bool, len(d.Over))
	for i, c := range d.Over {
		if len(c.Missing) > 0 {
			data[i] = opts.LineData{Value: missing}
			continue
		}
		data[i] = opts.LineData{Value: valueOf(c.Share, 2)}
		present[i] = data[i].Value != missing
	}
	return data, present
}

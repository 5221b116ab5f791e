package option

import (
	"encoding/json"
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/clout-dev/clout/indicators"
)

// verdictColors are the colours of the verdicts on claim charts and badges.
// Every coloured mark also carries the verdict in words.
var verdictColors = map[indicators.Verdict]string{
	indicators.VerdictHolds:      "#2e7d32",
	indicators.VerdictBorderline: "#b26a00",
	indicators.VerdictFails:      "#c62828",
	indicators.VerdictUntestable: "#757575",
}

// VerdictColor returns the colour of a verdict (grey for untestable).
func VerdictColor(v indicators.Verdict) string {
	if c, ok := verdictColors[v]; ok {
		return c
	}
	return verdictColors[indicators.VerdictUntestable]
}

// Claim draws a claim's metric per judged period as bars coloured and labelled
// by verdict, the range across sources as marks above and below, and the
// claim's line (and its tolerance band) as mark lines.
func Claim(c indicators.Claim, vs []indicators.PeriodVerdict) (json.RawMessage, error) {
	res := &indicators.Result{Chart: "claim-" + c.ID, Title: c.Text, Subtitle: "Test: " + c.Test.Words(c.Metric.Unit) + " · " + indicators.FigureLabel(c.Metric.Figure)}
	var periods []string
	var bars []opts.BarData
	var lows, highs []opts.ScatterData
	for _, v := range vs {
		periods = append(periods, v.Period.String())
		shown := shownValue(v.MetricPoint)
		bars = append(bars, opts.BarData{Name: v.Period.String(), Value: valueOf(shown, 2),
			ItemStyle: &opts.ItemStyle{Color: VerdictColor(v.Verdict)},
			Label:     &opts.Label{Show: opts.Bool(true), Position: "top", Formatter: string(v.Verdict), FontSize: 10}})
		lows = append(lows, opts.ScatterData{Value: valueOf(v.Low, 2)})
		highs = append(highs, opts.ScatterData{Value: valueOf(v.High, 2)})
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(baseGlobals(res, "axis")...)
	bar.SetGlobalOptions(
		charts.WithGridOpts(opts.Grid{Top: "80", Bottom: "60", Left: "40", Right: "40", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Rotate: 40, FontSize: 11}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: indicators.FigureLabel(c.Metric.Figure) + " (" + c.Metric.Unit + ")"}),
	)
	bar.SetXAxis(periods)
	var lines []opts.MarkLineNameYAxisItem
	for _, l := range claimLines(c) {
		lines = append(lines, opts.MarkLineNameYAxisItem{Name: l.name, YAxis: l.y})
	}
	bar.AddSeries("Figure (coloured and labelled by verdict)", bars,
		charts.WithMarkLineNameYAxisItemOpts(lines...),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{
			Symbol:    []string{"none", "none"},
			LineStyle: &opts.LineStyle{Color: colorThreshold, Type: "dashed", Width: 2},
			Label:     &opts.Label{Show: opts.Bool(true), Formatter: "{b}"},
		}))
	rangeSeries := func(name string, data []opts.ScatterData) *charts.Scatter {
		s := charts.NewScatter()
		s.AddSeries(name, data, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#333333"}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Symbol, s.SymbolSize = "rect", []int{14, 2} }))
		return s
	}
	bar.Overlap(rangeSeries("Lowest across sources", lows), rangeSeries("Highest across sources", highs))
	b, err := json.Marshal(rectJSON(bar))
	if err != nil {
		return nil, fmt.Errorf("claim %s: option: %w", c.ID, err)
	}
	return b, nil
}

// shownValue is the figure a bar shows: the preferred figure, else the middle
// of the range, else the bound.
func shownValue(p indicators.MetricPoint) *float64 {
	switch {
	case p.Value != nil:
		return p.Value
	case p.Low != nil && p.High != nil:
		m := (*p.Low + *p.High) / 2
		return &m
	case p.Low != nil:
		return p.Low
	case p.High != nil:
		return p.High
	case p.AtLeast != nil:
		return p.AtLeast
	}
	return p.AtMost
}

// claimLine is a horizontal line of a claim chart.
type claimLine struct {
	name string
	y    float64
}

// claimLines are the claim's line and, for ≈, the edges of its tolerance band;
// a fall is drawn where the change it needs lies (fall>=70±2: at −68).
func claimLines(c indicators.Claim) []claimLine {
	t, u := c.Test, c.Metric.Unit
	num := func(v float64) string { return fmt.Sprintf("%g%s", v, u) }
	switch t.Kind {
	case indicators.TestApprox:
		return []claimLine{{"claim " + num(t.Threshold), t.Threshold},
			{"−" + num(t.Tolerance), t.Threshold - t.Tolerance}, {"+" + num(t.Tolerance), t.Threshold + t.Tolerance}}
	case indicators.TestFallAtLeast:
		y := -(t.Threshold - t.Tolerance)
		return []claimLine{{fmt.Sprintf("fall of %g%%", t.Threshold-t.Tolerance), y}}
	}
	return []claimLine{{"claim " + num(t.Threshold), t.Threshold}}
}

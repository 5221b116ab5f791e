package option

import (
	"encoding/json"
	"fmt"
	"strings"

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

// ClaimWithTable is Claim with the verdict table written under the chart, for
// images: the last rows periods (newest last), one line each.
func ClaimWithTable(c indicators.Claim, vs []indicators.PeriodVerdict, rows int) (json.RawMessage, error) {
	b, err := Claim(c, vs)
	if err != nil {
		return nil, err
	}
	var opt map[string]any
	if err := json.Unmarshal(b, &opt); err != nil {
		return nil, err
	}
	shown := vs[max(0, len(vs)-rows):]
	cols := [3][]string{{"Period"}, {"Figure"}, {"Verdict"}}
	for _, v := range shown {
		cols[0] = append(cols[0], v.Period.String())
		cols[1] = append(cols[1], figureText(v.MetricPoint, c.Metric.Unit))
		cols[2] = append(cols[2], string(v.Verdict))
	}
	// The table takes the right quarter; the plot keeps the rest. One text
	// element per column, since renderers collapse runs of spaces.
	opt["grid"] = map[string]any{"top": 80, "bottom": 60, "left": 40, "right": 340, "containLabel": true}
	var graphic []any
	for i, left := range []string{"73%", "79%", "90%"} {
		graphic = append(graphic, map[string]any{"type": "text", "left": left, "top": 110,
			"style": map[string]any{"text": strings.Join(cols[i], "\n"), "fontSize": 13, "lineHeight": 20, "fill": "#333"}})
	}
	opt["graphic"] = graphic
	return json.Marshal(opt)
}

// figureText: "4.4%", "7.6–8.6%", "≥ 7.2%".
func figureText(p indicators.MetricPoint, unit string) string {
	num := func(v float64) string { return fmt.Sprintf("%.1f%s", v, unit) }
	switch {
	case p.Low != nil && p.High != nil && *p.Low != *p.High:
		return fmt.Sprintf("%.1f–%s", *p.Low, num(*p.High))
	case p.Value != nil:
		return num(*p.Value)
	case p.AtLeast != nil:
		return "≥ " + num(*p.AtLeast)
	case p.AtMost != nil:
		return "≤ " + num(*p.AtMost)
	}
	return "no figure"
}

// Claim draws a claim's metric per judged period as bars coloured and labelled
// by verdict, the range across sources as marks above and below, and the
// claim's line (and its tolerance band) as mark lines.
func Claim(c indicators.Claim, vs []indicators.PeriodVerdict) (json.RawMessage, error) {
	// The claim's text heads the page and the export; inside the chart a short
	// title fits at every width.
	res := &indicators.Result{Chart: "claim-" + c.ID, Title: "Verdict per period", Subtitle: "Test: " + c.Test.Words(c.Metric.Unit) + " · " + indicators.FigureLabel(c.Metric.Figure)}
	var periods []string
	var bars []opts.BarData
	var lows, highs []opts.ScatterData
	for _, v := range vs {
		periods = append(periods, v.Period.String())
		shown := ClaimFigure(v.MetricPoint)
		if v.Verdict == indicators.VerdictUntestable {
			shown = nil // a bound alone would look like a figure
		}
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
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: c.Metric.Unit}), // the subtitle names the figure
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
	opt := rectJSON(bar)
	opt["cloutFormat"] = formats{Default: Format{Suffix: c.Metric.Unit, Digits: 1}, Series: map[string]Format{}}
	b, err := json.Marshal(opt)
	if err != nil {
		return nil, fmt.Errorf("claim %s: option: %w", c.ID, err)
	}
	return b, nil
}

// ClaimFigure is the figure a period is drawn at: the preferred figure, else
// the middle of the range, else the bound.
func ClaimFigure(p indicators.MetricPoint) *float64 {
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

package claims

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// MetricPoints turns a computed chart into the claim's metric, one point per
// period with figures: the figure the claim reads (Claim.Metric.Figure), the
// range across alternative sources and vintages, the bounds sources give
// instead of figures, the flags and notes of the inputs, and the inputs that
// are missing. The result must be of the claim's chart; a gas-exports result
// gives the points of its one frequency.
func MetricPoints(c indicators.Claim, res *indicators.Result) ([]indicators.MetricPoint, error) {
	switch d := res.Detail.(type) {
	case *indicators.TradeShareResult:
		return tradePoints(d), nil
	case *indicators.GasExportsResult:
		return gasPoints(d, res.Sources), nil
	case *indicators.IntegrationGainResult:
		return gainPoints(c, d, res), nil
	}
	return nil, indicators.Errorf(indicators.EINVALID, "claim %s: chart %s has no %s figure", c.ID, res.Chart, c.Metric.Figure)
}

// tradePoints: the partners' combined share per year. The headline share and
// both ends of its range over sources are figures unless a lower-bound input
// ("more than X") or a missing partner makes them a floor, in which case they
// bound the share from below instead.
func tradePoints(ts *indicators.TradeShareResult) []indicators.MetricPoint {
	var out []indicators.MetricPoint
	for _, o := range ts.Over {
		p := indicators.MetricPoint{Period: indicators.Year(o.Year), Flags: slices.Clone(o.InputFlags),
			Sources: tradeSources(o), Missing: []string{}}
		for _, m := range o.Missing {
			p.Missing = append(p.Missing, fmt.Sprintf("%s–%s turnover %d", indicators.CountryName(m), indicators.CountryName(ts.Reporter), o.Year))
		}
		if o.Share == nil {
			if len(o.Covered) > 0 {
				p.Missing = append(p.Missing, fmt.Sprintf("%s's total trade %d", indicators.CountryName(ts.Reporter), o.Year))
			}
			out = append(out, p)
			continue
		}
		floor := len(o.Missing) > 0
		type end struct {
			share float64
			flags []indicators.Flag
			set   **float64
		}
		ends := []end{{*o.Share, o.Flags, &p.Value}}
		if o.Min != nil {
			ends = append(ends, end{o.Min.Share, o.Min.Flags, &p.Low}, end{o.Max.Share, o.Max.Flags, &p.High})
		}
		for _, e := range ends {
			if floor || slices.Contains(e.flags, indicators.FlagLowerBound) {
				if p.AtLeast == nil || e.share < *p.AtLeast {
					p.AtLeast = ptr(e.share)
				}
				continue
			}
			*e.set = ptr(e.share)
		}
		for _, f := range o.Figures {
			p.Notes = appendNew(p.Notes, f.Notes...)
		}
		out = append(out, p)
	}
	return out
}

// tradeSources names the bases of the figures a year's share uses.
func tradeSources(o indicators.CombinedShare) []string {
	var out []string
	for _, t := range o.Totals {
		if !slices.ContainsFunc(o.ExcludedTotals, func(x indicators.TradeFigure) bool { return x.Basis == t.Basis }) {
			out = appendNew(out, t.Label)
		}
	}
	for _, f := range o.Figures {
		out = appendNew(out, f.Label)
	}
	return out
}

// gasPoints: the year-on-year change of the one destination in every period
// with a figure; a period whose figure a year earlier is missing (or zero) is
// kept, naming it, so that its verdict says why it cannot be judged.
func gasPoints(g *indicators.GasExportsResult, sources []string) []indicators.MetricPoint {
	var out []indicators.MetricPoint
	for _, s := range g.Series {
		for _, pt := range s.Points {
			if pt.Value == nil {
				continue
			}
			p := indicators.MetricPoint{Period: pt.Period, Flags: slices.Clone(pt.Flags), Notes: slices.Clone(pt.Notes),
				Sources: slices.Clone(sources), Missing: []string{}}
			switch {
			case pt.YoY != nil:
				p.Value = ptr(*pt.YoY)
			case pt.Previous == nil:
				p.Missing = append(p.Missing, fmt.Sprintf("gas exports to %s in %s", s.Name, pt.Period.PreviousYear()))
			default:
				p.Missing = append(p.Missing, fmt.Sprintf("a non-zero figure for gas exports to %s in %s", s.Name, pt.Period.PreviousYear()))
			}
			out = append(out, p)
		}
	}
	return out
}

// gainPoints: the bloc's total as % of the reference's for the claim's measure,
// per year. A year with members missing gives only a floor (the partial ratio:
// the missing members would add to it). With the newest vintage of each figure
// (the default), the ratios the other vintages give widen the range.
func gainPoints(c indicators.Claim, ig *indicators.IntegrationGainResult, res *indicators.Result) []indicators.MetricPoint {
	measure := strings.ToLower(strings.TrimSpace(c.Metric.Params["measure"]))
	i := slices.IndexFunc(ig.Measures, func(m indicators.IntegrationMeasure) bool { return m.ID == measure })
	if i < 0 {
		return nil
	}
	m := ig.Measures[i]
	var out []indicators.MetricPoint
	for _, b := range m.Years {
		p := indicators.MetricPoint{Period: indicators.Year(b.Year), Flags: slices.Clone(b.Flags),
			Sources: slices.Clone(res.Sources), Missing: []string{}}
		if b.Reference == nil {
			p.Missing = append(p.Missing, fmt.Sprintf("%s's %s %d", indicators.CountryName(ig.Reference), m.Short, b.Year))
		}
		for _, code := range b.Missing {
			p.Missing = append(p.Missing, fmt.Sprintf("%s %s %d", indicators.CountryName(code), m.Short, b.Year))
		}
		switch {
		case b.Ratio != nil:
			p.Value = ptr(*b.Ratio)
		case b.PartialRatio != nil:
			p.AtLeast = ptr(*b.PartialRatio)
		}
		if res.Vintage == indicators.NewestVintage && b.Ratio != nil {
			vintageRange(&p, res.VintageDiffs, m.Short+" as % of", b.Year)
		}
		out = append(out, p)
	}
	return out
}

// vintageRange widens p to the values other vintages give for the figure whose
// description contains what, and says so in a note.
func vintageRange(p *indicators.MetricPoint, diffs []indicators.VintageDiff, what string, year int) {
	for _, d := range diffs {
		if d.Period != fmt.Sprint(year) || !strings.Contains(d.What, what) {
			continue
		}
		lo, hi := *p.Value, *p.Value
		parts := make([]string, len(d.Values))
		for i, v := range d.Values {
			lo, hi = math.Min(lo, v.Value), math.Max(hi, v.Value)
			parts[i] = fmt.Sprintf("%.1f%s in vintage %s", v.Value, d.Unit, v.Vintage)
		}
		p.Low, p.High = ptr(lo), ptr(hi)
		p.Notes = appendNew(p.Notes, "vintages disagree: "+strings.Join(parts, ", "))
	}
}

func ptr(v float64) *float64 { return &v }

// appendNew appends the strings of add that out lacks, skipping empty ones.
func appendNew(out []string, add ...string) []string {
	for _, s := range add {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

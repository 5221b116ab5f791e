package indicators

import (
	"fmt"
	"slices"
	"strings"
)

// VintageNote says which vintage a result shows, in words for pages and exports:
// "Vintage 2023-05 where the figures come in it (figures from 2023-05, 2026-03)"
// (an indicator without that vintage is read in its newest) or "Newest vintage of
// each figure (figures from 2023-05, 2026-07)".
func (r *Result) VintageNote() string {
	used := ""
	if len(r.Vintages) > 0 {
		used = " (figures from " + strings.Join(r.Vintages, ", ") + ")"
	}
	if r.Vintage != NewestVintage {
		return "Vintage " + r.Vintage + " where the figures come in it" + used
	}
	if len(r.VintagesAvailable) == 0 {
		return ""
	}
	return "Newest vintage of each figure" + used
}

// Caveats are what a reader must know before trusting a result's numbers, in
// words: every figure that is derived, a lower bound, an official's statement or
// an estimate, with its note (where vintages disagree is in the coverage notes).
// Pages list them under the chart; exports carry them beside the data.
func (r *Result) Caveats() []string {
	var out []string
	// Figures flagged alike (same indicator, flags, vintage and note: a derived
	// series, say) make one caveat, so a page lists reasons, not every cell.
	type group struct {
		first     Observation
		countries []string
		from, to  Period
		n         int
	}
	var order []string
	groups := map[string]*group{}
	for _, o := range r.Flagged {
		key := fmt.Sprint(o.Indicator, "|", o.Flags, "|", o.Vintage, "|", o.Note)
		g, ok := groups[key]
		if !ok {
			g = &group{first: o, from: o.Period, to: o.Period}
			groups[key] = g
			order = append(order, key)
		}
		g.n++
		if !slices.Contains(g.countries, o.Country) {
			g.countries = append(g.countries, o.Country)
		}
		if o.Period.Before(g.from) {
			g.from = o.Period
		}
		if g.to.Before(o.Period) {
			g.to = o.Period
		}
	}
	for _, key := range order {
		g := groups[key]
		if g.n == 1 {
			out = append(out, FlaggedFigure(g.first))
			continue
		}
		span := g.from.String()
		if g.to != g.from {
			span += "–" + g.to.String()
		}
		vintage := ""
		if g.first.Vintage != "" {
			vintage = ", vintage " + g.first.Vintage
		}
		s := fmt.Sprintf("%d figures of %s (%s, %s%s) — %s", g.n, LookupIndicator(g.first.Indicator).Name, strings.Join(mapNames(g.countries), ", "), span, vintage, flagLabels(g.first.Flags))
		if g.first.Note != "" {
			s += ": " + g.first.Note
		}
		out = append(out, s)
	}
	return out
}

func flagLabels(flags []Flag) string {
	labels := make([]string, len(flags))
	for i, f := range flags {
		labels[i] = f.Label()
	}
	return strings.Join(labels, ", ")
}

// FlaggedFigure describes one flagged observation: what it is, its value, its
// flags and what it was derived from.
func FlaggedFigure(o Observation) string {
	who := CountryName(o.Country)
	if o.Partner != "" {
		who += "→" + CountryName(o.Partner)
	}
	s := fmt.Sprintf("%s %s %s: %s", LookupIndicator(o.Indicator).Name, who, o.Period, FormatValue(o.Value, UnitOf(o.Indicator, o.Unit)))
	if o.Vintage != "" {
		s += " (vintage " + o.Vintage + ")"
	}
	s += " — " + flagLabels(o.Flags)
	if o.Note != "" {
		s += ": " + o.Note
	}
	return s
}

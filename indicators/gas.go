package indicators

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// GasExportsInput selects what GasExports computes.
type GasExportsInput struct {
	Exporter     string    // default RUS
	Destinations []string  // partner codes
	Freq         Frequency // Annual (default) or Monthly (or Quarterly)
	From, To     Period    // inclusive; zero = open
}

// GasPoint is one destination's exports in one period with the change on the
// same period a year earlier. YoY is nil when either value is missing (or the
// earlier one is zero).
type GasPoint struct {
	Period   Period   `json:"period"`
	Value    *float64 `json:"value"`
	Previous *float64 `json:"previous"`
	YoY      *float64 `json:"yoy_pct"`
	// Flags and Notes are those of the value and of the value a year earlier: a
	// change against a derived baseline is itself derived.
	Flags []Flag   `json:"flags,omitempty"`
	Notes []string `json:"notes,omitempty"`
}

// note adds o's flags and note to the point.
func (pt *GasPoint) note(o Observation) {
	pt.Flags = mergeFlags(pt.Flags, o.Flags)
	if o.Note != "" && !slices.Contains(pt.Notes, o.Note) {
		pt.Notes = append(pt.Notes, o.Note)
	}
}

// GasSeries is one destination's points, aligned with GasExportsResult.Periods.
type GasSeries struct {
	Destination string     `json:"destination"`
	Name        string     `json:"name"`
	Points      []GasPoint `json:"points"`
}

// GasExportsResult is the outcome of GasExports.
type GasExportsResult struct {
	Exporter string      `json:"exporter"`
	Freq     string      `json:"freq"`
	Unit     string      `json:"unit"`
	Periods  []Period    `json:"periods"` // every period with a value for some destination
	Series   []GasSeries `json:"series"`
	Coverage []string    `json:"coverage"`
	Sources  []string    `json:"sources"`
	used     []Observation
}

// GasExports returns the exporter's natural-gas exports (NATGAS_EXP_MCM, country =
// exporter, partner = destination) by period at one frequency, with year-on-year
// change. The observations may reach a year before From: they serve as the base
// of the first changes. Periods without a value are gaps (nil), never zero.
func GasExports(in GasExportsInput, obs []Observation) (*GasExportsResult, error) {
	exp := cmp.Or(in.Exporter, Russia)
	freq := cmp.Or(in.Freq, Annual)
	ix := cellIndex{}
	var units []string
	periods := map[Period]bool{}
	other := map[string]Frequency{} // destination → a frequency it has figures at
	for _, o := range obs {
		if o.Indicator != GasExportsCode || o.Country != exp || !slices.Contains(in.Destinations, o.Partner) {
			continue
		}
		if o.Period.Freq != freq {
			other[o.Partner] = o.Period.Freq
			continue
		}
		ix[o.Key().Cell()] = o
		if inRange(o.Period, in.From, in.To) {
			periods[o.Period] = true
			if o.Unit != "" && !slices.Contains(units, o.Unit) {
				units = append(units, o.Unit)
			}
		}
	}
	res := &GasExportsResult{Exporter: exp, Freq: freq.String(), Coverage: []string{}}
	res.Periods = fillPeriods(periods)
	if len(res.Periods) == 0 {
		return nil, Errorf(ENOTFOUND, "no %s gas export figures (%s) from %s to %s%s",
			freq, GasExportsCode, CountryName(exp), names(in.Destinations), rangeWords(in.From, in.To))
	}
	if len(units) > 0 {
		res.Unit = units[0]
	}
	if len(units) > 1 {
		res.Coverage = append(res.Coverage, fmt.Sprintf("mixed units in the data: %v; values are shown as stored", units))
	}
	var src sourceSet
	// Destinations with no figure at all at this frequency are named together,
	// by the frequency they do have figures at: "Germany and Italy: no monthly
	// figures"; a chart leaves them out of its legend.
	type blankGroup struct {
		other        Frequency // 0: none
		destinations []string
	}
	var blank []blankGroup
	for _, d := range in.Destinations {
		s := GasSeries{Destination: d, Name: CountryName(d)}
		var missing int
		for _, p := range res.Periods {
			pt := GasPoint{Period: p}
			if o, ok := ix.get(GasExportsCode, exp, d, p); ok {
				pt.Value = ptr(o.Value)
				pt.note(o)
				src.add(o)
			} else {
				missing++
			}
			if o, ok := ix.get(GasExportsCode, exp, d, p.PreviousYear()); ok {
				pt.Previous = ptr(o.Value)
				if pt.Value != nil {
					pt.note(o)
					src.add(o)
				}
			}
			if pt.Value != nil && pt.Previous != nil && *pt.Previous != 0 {
				pt.YoY = ptr(100 * (*pt.Value / *pt.Previous - 1))
			}
			s.Points = append(s.Points, pt)
		}
		res.Series = append(res.Series, s)
		switch {
		case missing == len(res.Periods):
			i := slices.IndexFunc(blank, func(g blankGroup) bool { return g.other == other[d] })
			if i < 0 {
				i, blank = len(blank), append(blank, blankGroup{other: other[d]})
			}
			blank[i].destinations = append(blank[i].destinations, d)
		case missing > 0:
			res.Coverage = append(res.Coverage, fmt.Sprintf("%s: %d of %d periods missing (%s)", s.Name, missing, len(res.Periods), missingPeriods(s)))
		}
	}
	for _, g := range blank {
		note := fmt.Sprintf("%s: no %s figures%s", names(g.destinations), freq, rangeWords(in.From, in.To))
		if g.other != 0 {
			note += fmt.Sprintf(" (%s figures exist: freq=%s)", g.other, g.other)
		}
		res.Coverage = append(res.Coverage, note)
	}
	res.Sources, res.used = src.sorted(), src.used
	return res, nil
}

// inRange reports whether p starts within [from, to]; a bound of another
// frequency covers its whole span (to = 2020 includes 2020-12).
func inRange(p, from, to Period) bool {
	s := p.startMonth()
	return (from.IsZero() || s >= from.startMonth()) && (to.IsZero() || s <= to.endMonth())
}

// maxFill bounds how many periods fillPeriods generates.
const maxFill = 1200

// fillPeriods returns the periods of set in order, with the periods missing
// between the first and the last added when all share one frequency, so that a
// chart's time axis shows a gap where a figure is missing instead of joining its
// neighbours.
func fillPeriods(set map[Period]bool) []Period {
	var ps []Period
	for p := range set {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, Period.Compare)
	if len(ps) < 2 || len(frequencies(ps)) > 1 {
		return ps
	}
	var out []Period
	for p := ps[0]; !ps[len(ps)-1].Before(p) && len(out) < maxFill; p = p.next() {
		out = append(out, p)
	}
	return out
}

// next returns the period after p at the same frequency.
func (p Period) next() Period {
	switch p.Freq {
	case Monthly:
		if p.Sub == 12 {
			return Month(p.Year+1, 1)
		}
		return Month(p.Year, p.Sub+1)
	case Quarterly:
		if p.Sub == 4 {
			return Quarter(p.Year+1, 1)
		}
		return Quarter(p.Year, p.Sub+1)
	}
	return Year(p.Year + 1)
}

// endMonth is the last month of p, in the units of startMonth.
func (p Period) endMonth() int {
	switch p.Freq {
	case Annual:
		return p.startMonth() + 11
	case Quarterly:
		return p.startMonth() + 2
	}
	return p.startMonth()
}

func rangeWords(from, to Period) string {
	switch {
	case !from.IsZero() && !to.IsZero():
		return fmt.Sprintf(" from %s to %s", from, to)
	case !from.IsZero():
		return fmt.Sprintf(" from %s", from)
	case !to.IsZero():
		return fmt.Sprintf(" up to %s", to)
	}
	return ""
}

func missingPeriods(s GasSeries) string {
	var ps []Period
	for _, pt := range s.Points {
		if pt.Value == nil {
			ps = append(ps, pt.Period)
		}
	}
	return periodRuns(ps)
}

// periodRuns writes ordered periods compactly, consecutive ones as a range:
// "2019-05–2020-02, 2020-06".
func periodRuns(ps []Period) string {
	var out []string
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j].next() == ps[j+1] {
			j++
		}
		if j == i {
			out = append(out, ps[i].String())
		} else {
			out = append(out, ps[i].String()+"–"+ps[j].String())
		}
		i = j + 1
	}
	return strings.Join(out, ", ")
}

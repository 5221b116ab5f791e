package indicators

import (
	"fmt"
	"slices"
	"strings"
)

// SeriesInput selects what Series returns.
type SeriesInput struct {
	Indicator string
	Countries []string
	Partner   string // "" for observations without a partner
	From, To  Period // inclusive; zero = open
}

// SeriesLine is one country's values, aligned with SeriesResult.Periods; a nil
// value is a gap.
type SeriesLine struct {
	Country string     `json:"country"`
	Name    string     `json:"name"`
	Values  []*float64 `json:"values"`
}

// SeriesResult is the outcome of Series.
type SeriesResult struct {
	Indicator string       `json:"indicator"`
	Partner   string       `json:"partner,omitempty"`
	Unit      string       `json:"unit"`
	Periods   []Period     `json:"periods"`
	Lines     []SeriesLine `json:"lines"`
	Coverage  []string     `json:"coverage"`
	Sources   []string     `json:"sources"`
	used      []Observation
}

// Series returns an indicator's values for the chosen countries (and partner) by
// period, aligned on the periods any of them has; missing values are nil.
func Series(in SeriesInput, obs []Observation) (*SeriesResult, error) {
	ix := cellIndex{}
	periods := map[Period]bool{}
	var units []string
	for _, o := range obs {
		if o.Indicator != in.Indicator || o.Partner != in.Partner || !slices.Contains(in.Countries, o.Country) ||
			!inRange(o.Period, in.From, in.To) {
			continue
		}
		ix[o.Key().Cell()] = o
		periods[o.Period] = true
		if o.Unit != "" && !slices.Contains(units, o.Unit) {
			units = append(units, o.Unit)
		}
	}
	if len(periods) == 0 {
		what := in.Indicator
		if in.Partner != "" {
			what += " with partner " + CountryName(in.Partner)
		}
		return nil, Errorf(ENOTFOUND, "no %s figures for %s%s", what, names(in.Countries), rangeWords(in.From, in.To))
	}
	res := &SeriesResult{Indicator: in.Indicator, Partner: in.Partner, Coverage: []string{}}
	res.Periods = fillPeriods(periods)
	if len(units) > 0 {
		res.Unit = units[0]
	}
	if len(units) > 1 {
		res.Coverage = append(res.Coverage, fmt.Sprintf("mixed units: %s", strings.Join(units, "; ")))
	}
	if freqs := frequencies(res.Periods); len(freqs) > 1 {
		res.Coverage = append(res.Coverage, "mixed frequencies: "+strings.Join(freqs, ", "))
	}
	var src sourceSet
	for _, c := range in.Countries {
		line := SeriesLine{Country: c, Name: CountryName(c)}
		var missing []Period
		for _, p := range res.Periods {
			o, ok := ix.get(in.Indicator, c, in.Partner, p)
			if !ok {
				line.Values = append(line.Values, nil)
				missing = append(missing, p)
				continue
			}
			line.Values = append(line.Values, ptr(o.Value))
			src.add(o)
		}
		res.Lines = append(res.Lines, line)
		switch {
		case len(missing) == len(res.Periods):
			res.Coverage = append(res.Coverage, fmt.Sprintf("%s: no %s figures", line.Name, LookupIndicator(in.Indicator).Short))
		case len(missing) > 0:
			res.Coverage = append(res.Coverage, fmt.Sprintf("%s: no figure for %s", line.Name, periodRuns(missing)))
		}
	}
	res.Sources, res.used = src.sorted(), src.used
	return res, nil
}

func frequencies(ps []Period) []string {
	var out []string
	for _, p := range ps {
		if f := p.Freq.String(); !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

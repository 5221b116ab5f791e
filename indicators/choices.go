package indicators

import (
	"cmp"
	"slices"
)

// Option is one choice of a form control: a value and its label.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Choices are what the data offer to a chart's form controls.
type Choices struct {
	Years      []int    `json:"years"`      // annual periods present, ascending
	Periods    []string `json:"periods"`    // every period present, in order
	Indicators []string `json:"indicators"` // indicator codes, sorted
	// Countries are the reporters and Partners the counterparts present, sorted
	// by name; the groups come first in both, so a multi-select can offer them.
	Countries []Option `json:"countries"`
	Partners  []Option `json:"partners"`
}

// FormChoices lists the years, periods, indicators, countries and partners of
// obs, with the built-in groups, for the controls of a chart page.
func FormChoices(obs []Observation) Choices {
	years, periods := map[int]bool{}, map[Period]bool{}
	inds, ctry, part := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, o := range obs {
		periods[o.Period] = true
		if o.Period.Freq == Annual {
			years[o.Period.Year] = true
		}
		inds[o.Indicator] = true
		ctry[o.Country] = true
		if o.Partner != "" {
			part[o.Partner] = true
		}
	}
	ch := Choices{Years: sortedKeys(years), Indicators: sortedKeys(inds),
		Countries: countryOptions(ctry), Partners: countryOptions(part)}
	ps := make([]Period, 0, len(periods))
	for p := range periods {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, Period.Compare)
	for _, p := range ps {
		ch.Periods = append(ch.Periods, p.String())
	}
	return ch
}

func sortedKeys[K cmp.Ordered](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// countryOptions lists the groups, then the codes by display name.
func countryOptions(codes map[string]bool) []Option {
	var out []Option
	for _, g := range Groups() {
		out = append(out, Option{Value: g.Name, Label: g.Name + " — " + g.Title})
	}
	var cs []Option
	for c := range codes {
		cs = append(cs, Option{Value: c, Label: CountryName(c)})
	}
	slices.SortFunc(cs, func(a, b Option) int { return cmp.Or(cmp.Compare(a.Label, b.Label), cmp.Compare(a.Value, b.Value)) })
	return append(out, cs...)
}

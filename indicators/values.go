package indicators

import (
	"slices"
	"strings"
)

// Russia is the reporter of every built-in chart: the claims are about Russia's
// trade, gas and neighbours.
const Russia = "RUS"

// ptr returns a pointer to a copy of v; results use *float64 for "may be missing".
func ptr(v float64) *float64 { return &v }

// percent returns 100·a/b, or nil when b is zero (a share of nothing is missing,
// not zero).
func percent(a, b float64) *float64 {
	if b == 0 {
		return nil
	}
	return ptr(100 * a / b)
}

// sourceSet collects the distinct sources of the observations a result uses, in
// first-seen order, and the observations themselves (whose vintages and flags
// the result reports).
type sourceSet struct {
	seen map[string]bool
	list []string
	used []Observation
}

func (s *sourceSet) add(o Observation) {
	s.used = append(s.used, o)
	if o.Source == "" || s.seen[o.Source] {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[o.Source] = true
	s.list = append(s.list, o.Source)
}

func (s *sourceSet) sorted() []string {
	out := append([]string{}, s.list...)
	slices.Sort(out)
	return out
}

// cellIndex finds observations by key; later observations with the same key win,
// as in the store.
type cellIndex map[Key]Observation

func indexObservations(obs []Observation) cellIndex {
	m := make(cellIndex, len(obs))
	for _, o := range obs {
		m[o.Key().Cell()] = o
	}
	return m
}

func (ix cellIndex) get(indicator, country, partner string, p Period) (Observation, bool) {
	o, ok := ix[Key{Indicator: indicator, Country: country, Partner: partner, Period: p}]
	return o, ok
}

// names joins display names as prose: "Turkey", "Turkey and Azerbaijan",
// "Turkey, Azerbaijan and Georgia".
func names(codes []string) string {
	n := make([]string, len(codes))
	for i, c := range codes {
		n[i] = CountryName(c)
	}
	switch len(n) {
	case 0:
		return ""
	case 1:
		return n[0]
	}
	return strings.Join(n[:len(n)-1], ", ") + " and " + n[len(n)-1]
}

// cell turns an optional value into a table cell: float64 or nil.
func cell(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// yearsOf returns the distinct years of annual observations, ascending.
func yearsOf(obs []Observation, keep func(Observation) bool) []int {
	seen := map[int]bool{}
	var ys []int
	for _, o := range obs {
		if o.Period.Freq != Annual || !keep(o) || seen[o.Period.Year] {
			continue
		}
		seen[o.Period.Year] = true
		ys = append(ys, o.Period.Year)
	}
	slices.Sort(ys)
	return ys
}

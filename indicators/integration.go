package indicators

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Measure is a quantity the integration gain compares with Russia's.
type Measure struct {
	ID    string `json:"id"`    // parameter value: population | gdp-ppp
	Code  string `json:"code"`  // indicator code
	Label string `json:"label"` // for statements: "population", "GDP (PPP)"
	Short string `json:"short"` // for notes: "population", "GDP PPP"
	Unit  string `json:"unit"`
}

// Measures of the integration gain, in display order.
var integrationMeasures = []Measure{
	{ID: "population", Code: PopulationCode, Label: "population", Short: "population", Unit: people.Symbol},
	{ID: "gdp-ppp", Code: GDPPPPCode, Label: "GDP (PPP)", Short: "GDP PPP", Unit: intlUSD.Symbol},
}

// MeasureByID returns the integration measure with the given id.
func MeasureByID(id string) (Measure, bool) {
	i := slices.IndexFunc(integrationMeasures, func(m Measure) bool { return m.ID == id })
	if i < 0 {
		return Measure{}, false
	}
	return integrationMeasures[i], true
}

// IntegrationGainInput selects what IntegrationGain computes.
type IntegrationGainInput struct {
	Reference string   // default RUS
	Bloc      string   // label, e.g. "FSU-CORE"
	Members   []string // bloc members; the reference is left out if listed
	Measures  []string // measure ids; default both
	Year      int      // 0: the latest year with full coverage
}

// Contribution is one member's value and its size relative to the reference.
type Contribution struct {
	Country string   `json:"country"`
	Name    string   `json:"name"`
	Value   *float64 `json:"value"`
	Pct     *float64 `json:"pct_of_reference"`
}

// BlocYear is a measure for the bloc in one year. Ratio is set only when the
// reference and every member have a value; otherwise it is nil and PartialRatio
// gives the ratio over the members present, with Missing naming the others.
type BlocYear struct {
	Year          int            `json:"year"`
	Reference     *float64       `json:"reference"`
	Total         *float64       `json:"total"` // sum over the members present
	Ratio         *float64       `json:"ratio_pct"`
	PartialRatio  *float64       `json:"partial_ratio_pct"`
	Missing       []string       `json:"missing"`
	Contributions []Contribution `json:"contributions"`
	Flags         []Flag         `json:"flags,omitempty"` // of the figures the ratio uses
}

// Complete reports whether the year has the reference and every member.
func (b BlocYear) Complete() bool { return b.Ratio != nil }

// IntegrationMeasure is one measure's bloc ratio over the years.
type IntegrationMeasure struct {
	Measure
	Years []BlocYear `json:"years"` // ascending, aligned across measures
}

// At returns the bloc year y.
func (m IntegrationMeasure) At(y int) (BlocYear, bool) {
	i := slices.IndexFunc(m.Years, func(b BlocYear) bool { return b.Year == y })
	if i < 0 {
		return BlocYear{}, false
	}
	return m.Years[i], true
}

// IntegrationGainResult is the outcome of IntegrationGain.
type IntegrationGainResult struct {
	Bloc      string               `json:"bloc"`
	Members   []string             `json:"members"`
	Reference string               `json:"reference"`
	Year      int                  `json:"year"`
	Complete  bool                 `json:"complete"` // every measure has full coverage in Year
	Measures  []IntegrationMeasure `json:"measures"`
	Coverage  []string             `json:"coverage"`
	Sources   []string             `json:"sources"`
	used      []Observation
}

// IntegrationGain computes, for each measure, the bloc's total as a percentage of
// the reference country's (Russia's) value and each member's contribution, over
// every year with figures. A year in which a member or the reference is missing has
// no Ratio (only a PartialRatio over the members present) and a coverage note
// naming each missing member, measure and year. The default year is the latest
// year with full coverage of every measure asked.
func IntegrationGain(in IntegrationGainInput, obs []Observation) (*IntegrationGainResult, error) {
	ref := cmp.Or(in.Reference, Russia)
	members := slices.DeleteFunc(slices.Clone(in.Members), func(c string) bool { return c == ref })
	if len(members) == 0 {
		return nil, Errorf(EINVALID, "bloc: no members besides %s", CountryName(ref))
	}
	ms, err := measuresFor(in.Measures)
	if err != nil {
		return nil, err
	}
	ix := indexObservations(obs)
	codes := map[string]bool{ref: true}
	for _, m := range members {
		codes[m] = true
	}
	years := yearsOf(obs, func(o Observation) bool {
		return codes[o.Country] && o.Partner == "" && slices.ContainsFunc(ms, func(m Measure) bool { return m.Code == o.Indicator })
	})
	if len(years) == 0 {
		return nil, Errorf(ENOTFOUND, "no %s figures for %s or %s", measureWords(ms), CountryName(ref), in.Bloc)
	}
	res := &IntegrationGainResult{Bloc: in.Bloc, Members: members, Reference: ref}
	var src sourceSet
	for _, m := range ms {
		im := IntegrationMeasure{Measure: m}
		for _, y := range years {
			im.Years = append(im.Years, blocYear(ix, m, ref, members, y, &src))
		}
		res.Measures = append(res.Measures, im)
	}
	res.Year, res.Complete = chooseYear(res.Measures, years, in.Year)
	if !slices.Contains(years, res.Year) {
		return nil, Errorf(ENOTFOUND, "year: no %s figures for %s in %d (years with figures: %s)",
			measureWords(ms), in.Bloc, res.Year, joinInts(years))
	}
	res.Coverage = integrationCoverage(res, years)
	res.Sources, res.used = src.sorted(), src.used
	return res, nil
}

func measuresFor(ids []string) ([]Measure, error) {
	if len(ids) == 0 {
		return slices.Clone(integrationMeasures), nil
	}
	var ms []Measure
	for _, id := range ids {
		m, ok := MeasureByID(id)
		if !ok {
			return nil, Errorf(EINVALID, "measure: %q is not a measure (population, gdp-ppp)", id)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

func measureWords(ms []Measure) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.Short
	}
	return strings.Join(s, " or ")
}

func blocYear(ix cellIndex, m Measure, ref string, members []string, y int, src *sourceSet) BlocYear {
	b := BlocYear{Year: y, Missing: []string{}}
	r, hasRef := ix.get(m.Code, ref, "", Year(y))
	if hasRef {
		b.Reference = ptr(r.Value)
	}
	var total float64
	present := 0
	for _, c := range members {
		con := Contribution{Country: c, Name: CountryName(c)}
		if o, ok := ix.get(m.Code, c, "", Year(y)); ok {
			con.Value = ptr(o.Value)
			b.Flags = mergeFlags(b.Flags, o.Flags)
			total += o.Value
			present++
			src.add(o)
			if hasRef {
				con.Pct = percent(o.Value, r.Value)
			}
		} else {
			b.Missing = append(b.Missing, c)
		}
		b.Contributions = append(b.Contributions, con)
	}
	if present > 0 {
		b.Total = ptr(total)
	}
	if hasRef && present > 0 {
		src.add(r)
		b.Flags = mergeFlags(b.Flags, r.Flags)
		if len(b.Missing) == 0 {
			b.Ratio = percent(total, r.Value)
		} else {
			b.PartialRatio = percent(total, r.Value)
		}
	}
	return b
}

// chooseYear returns the year asked, or the latest year complete for every
// measure, or (if none is) the latest year; and whether that year is complete.
func chooseYear(ms []IntegrationMeasure, years []int, asked int) (int, bool) {
	complete := func(y int) bool {
		for _, m := range ms {
			if b, ok := m.At(y); !ok || !b.Complete() {
				return false
			}
		}
		return true
	}
	if asked != 0 {
		return asked, complete(asked)
	}
	for i := len(years) - 1; i >= 0; i-- {
		if complete(years[i]) {
			return years[i], true
		}
	}
	return years[len(years)-1], false
}

// integrationCoverage names every missing member-measure-year ("Turkmenistan: no
// GDP PPP for 2020, 2021"), and years where a measure has no figures at all.
func integrationCoverage(r *IntegrationGainResult, years []int) []string {
	notes := []string{}
	if !r.Complete {
		notes = append(notes, fmt.Sprintf("%d does not have every figure of %s and %s; ratios for it are over the members present",
			r.Year, r.Bloc, CountryName(r.Reference)))
	}
	for _, m := range r.Measures {
		empty := []string{}
		gaps := map[string][]string{}
		var refGaps []string
		for _, b := range m.Years {
			if b.Reference == nil && b.Total == nil {
				empty = append(empty, fmt.Sprint(b.Year))
				continue
			}
			if b.Reference == nil {
				refGaps = append(refGaps, fmt.Sprint(b.Year))
			}
			for _, c := range b.Missing {
				gaps[c] = append(gaps[c], fmt.Sprint(b.Year))
			}
		}
		if len(refGaps) > 0 {
			notes = append(notes, fmt.Sprintf("%s: no %s for %s (no ratio for those years)", CountryName(r.Reference), m.Short, strings.Join(refGaps, ", ")))
		}
		for _, c := range r.Members {
			if ys := gaps[c]; len(ys) > 0 {
				notes = append(notes, fmt.Sprintf("%s: no %s for %s", CountryName(c), m.Short, strings.Join(ys, ", ")))
			}
		}
		if len(empty) > 0 {
			notes = append(notes, fmt.Sprintf("no %s figures at all for %s", m.Short, strings.Join(empty, ", ")))
		}
	}
	return notes
}

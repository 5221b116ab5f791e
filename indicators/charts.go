package indicators

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Chart ids. They appear in URLs, permalinks and job configs, so they must not change.
const (
	ChartTradeShare      = "trade-share"
	ChartGasExports      = "gas-exports"
	ChartIntegrationGain = "integration-gain"
	ChartSeries          = "series"
	ChartMap             = "map"
)

// Charts returns the built-in charts in display order.
func Charts() []Chart {
	return []Chart{tradeShareChart{}, gasExportsChart{}, integrationGainChart{}, seriesChart{}, mapChart{}}
}

// ChartByID returns the built-in chart with the given id, or an ENOTFOUND *Error
// listing the valid ids.
func ChartByID(id string) (Chart, error) {
	var ids []string
	for _, c := range Charts() {
		if c.ID() == id {
			return c, nil
		}
		ids = append(ids, c.ID())
	}
	return nil, Errorf(ENOTFOUND, "unknown chart %q (charts: %s)", id, strings.Join(ids, ", "))
}

// newResult starts a result with the chart's identity and resolved parameters.
func newResult(c Chart, p Params) *Result {
	return &Result{Chart: c.ID(), Title: c.Title(), Params: p, Coverage: []string{}, Sources: []string{}}
}

// vintageSpec is the vintage parameter every chart takes.
var vintageSpec = ParamSpec{Name: "vintage", Kind: "vintage", Default: "",
	Help: "vintage of the figures, e.g. 2023-05 (empty: the newest vintage of each figure)"}

// vintaged selects, of obs, the figures of vintage v (NewestVintage: each
// figure's newest; see SelectVintage) and returns the vintages on offer in obs,
// and a coverage note when none of the figures comes in vintage v (they are
// shown in their newest vintage). Observations read from a store with the
// chart's query are already selected; selecting again changes nothing.
func vintaged(v string, obs []Observation) ([]Observation, []string, string) {
	avail := VintagesOf(obs)
	note := ""
	if v != NewestVintage && !slices.Contains(avail, v) {
		note = fmt.Sprintf("vintage %s: none of these figures comes in it; each is shown in its newest vintage", v)
	}
	return SelectVintage(obs, v), avail, note
}

// setFigures records on res the vintage it shows, the vintages on offer, and
// the vintages and flags of the figures it uses.
func (res *Result) setFigures(v string, available []string, note string, used []Observation) {
	res.Vintage, res.VintagesAvailable, res.Vintages = v, orEmpty(available), orEmpty(VintagesOf(used))
	if note != "" {
		res.Coverage = append(res.Coverage, note)
	}
	res.Params["vintage"] = v
	res.Flags, res.Flagged = []Flag{}, []Observation{}
	seen := map[Key]bool{}
	for _, o := range used {
		if len(o.Flags) == 0 || seen[o.Key()] {
			continue
		}
		seen[o.Key()] = true
		res.Flags = mergeFlags(res.Flags, o.Flags)
		res.Flagged = append(res.Flagged, o)
	}
	if res.VintageDiffs == nil {
		res.VintageDiffs = []VintageDiff{}
	}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ---- trade-share ----

// tradeShareChart draws partners' shares of Russia's goods turnover in a year,
// the highlighted partners' combined share against a threshold, and that
// combined share over the years.
type tradeShareChart struct{}

type tradeShareParams struct {
	year      int
	partners  []string
	threshold float64
	top       int
	vintage   string
}

func (tradeShareChart) ID() string    { return ChartTradeShare }
func (tradeShareChart) Title() string { return "Russia's goods trade by partner" }

func (tradeShareChart) Params() []ParamSpec {
	return []ParamSpec{
		{Name: "year", Kind: "year", Default: Latest, Help: "year of the partner shares (latest: the latest year with a World total)"},
		{Name: "partners", Kind: "countries", Default: "TUR,AZE", Help: "partners to highlight and add up: ISO3 codes, names or groups"},
		{Name: "threshold", Kind: "number", Default: "5", Help: "the line the combined share is compared with, in %"},
		{Name: "top", Kind: "int", Default: "15", Help: "how many of the largest partners to show"},
		vintageSpec,
	}
}

func (c tradeShareChart) parse(p Params) (tradeShareParams, error) {
	r := newParamReader(p, c.Params())
	tp := tradeShareParams{year: r.year("year"), partners: r.countries("partners", true),
		threshold: r.number("threshold", 0, 100), top: r.integer("top", 1, 250), vintage: r.vintage("vintage")}
	return tp, r.err
}

// Query reads Russia's flows and totals on every basis, and the partners' own
// figures of their trade with Russia (basis.go).
func (c tradeShareChart) Query(p Params) (Query, error) {
	tp, err := c.parse(p)
	if err != nil {
		return Query{}, err
	}
	countries := append([]string{Russia, "WLD"}, tp.partners...)
	return Query{Indicators: slices.Clone(tradeShareCodes), Countries: countries, Vintage: tp.vintage}, nil
}

func (c tradeShareChart) Compute(p Params, obs []Observation) (*Result, error) {
	tp, err := c.parse(p)
	if err != nil {
		return nil, err
	}
	obs, avail, vnote := vintaged(tp.vintage, obs)
	ts, err := TradeShare(TradeShareInput{Year: tp.year, Partners: tp.partners}, obs)
	if err != nil {
		return nil, err
	}
	ts.Threshold, ts.Top = tp.threshold, tp.top
	res := newResult(c, Params{"year": fmt.Sprint(ts.Year), "partners": strings.Join(tp.partners, ","),
		"threshold": fmt.Sprint(tp.threshold), "top": fmt.Sprint(tp.top)})
	basis := "World total as reported"
	switch ts.Total.Basis {
	case BasisSum:
		basis = "total summed over partners"
	case BasisWorld:
	default:
		basis = "no partner table; total: " + BasisLabel(ts.Total.Basis)
	}
	res.Subtitle = fmt.Sprintf("Share of Russia's goods exports + imports by partner, %d (%s); highlighted: %s; line at %s; top %d partners",
		ts.Year, basis, names(tp.partners), fmtThreshold(tp.threshold), tp.top)
	res.Statement = tradeStatement(ts)
	res.Table = tradeTable(ts)
	res.Coverage, res.Sources, res.Detail = orEmpty(ts.Coverage), orEmpty(ts.Sources), ts
	res.setFigures(tp.vintage, avail, vnote, ts.used)
	return res, nil
}

func tradeStatement(ts *TradeShareResult) string {
	who := names(ts.Selected)
	c := ts.Combined
	if c.Share == nil {
		return fmt.Sprintf("%s: no trade figures with Russia in %d", who, ts.Year)
	}
	side := "below"
	if *c.Share >= ts.Threshold {
		side = "at or above"
	}
	s := fmt.Sprintf("%s: %s of Russia's goods trade in %d (%s the %s line)", who, FormatPercent(*c.Share, false), ts.Year, side, fmtThreshold(ts.Threshold))
	if c.Combinations > 1 {
		s += fmt.Sprintf("; %s across %d combinations of sources, %s", fmtRange(c.Min.Share, c.Max.Share),
			c.Combinations, rangeSide(c, ts.Threshold))
	}
	if len(c.Missing) > 0 {
		s += fmt.Sprintf("; no figures for %s", names(c.Missing))
	}
	if slices.Contains(c.Flags, FlagLowerBound) {
		s += "; a lower bound"
	}
	return s
}

// fmtRange writes a range of percentages: "7.6–8.6%".
func fmtRange(lo, hi float64) string {
	return strings.TrimSuffix(FormatPercent(lo, false), "%") + "–" + FormatPercent(hi, false)
}

// rangeSide says where a combined share's range lies against the threshold.
func rangeSide(c CombinedShare, threshold float64) string {
	switch {
	case c.Max.Share < threshold:
		return "below the line under every one"
	case c.Min.Share >= threshold:
		return "at or above the line under every one"
	}
	return "on both sides of the line"
}

// tradeTable: the partner bars of the year (top N, plus highlighted partners
// outside it), then the combined share line by year.
func tradeTable(ts *TradeShareResult) Table {
	t := Table{Columns: []Column{{Name: "Year"}, {Name: "Partner"}, {Name: "Code"}, {Name: "Share", Unit: "%"},
		{Name: LookupIndicator(ExportsCode).Name, Unit: LookupIndicator(ExportsCode).Unit.Label()},
		{Name: LookupIndicator(ImportsCode).Name, Unit: LookupIndicator(ImportsCode).Unit.Label()}, {Name: "Highlighted"},
		{Name: "Lowest share", Unit: "%"}, {Name: "Highest share", Unit: "%"}, {Name: "Flags"}}}
	for i, p := range ts.Partners {
		if i >= ts.Top && !p.Selected {
			continue
		}
		t.Rows = append(t.Rows, []any{fmt.Sprint(ts.Year), p.Name, p.Partner, p.Share, cell(p.Exports), cell(p.Imports), yesNo(p.Selected),
			nil, nil, flagText(p.Flags)})
	}
	label := strings.Join(mapNames(ts.Selected), " + ")
	for _, o := range ts.Over {
		var lo, hi any
		if o.Min != nil {
			lo, hi = o.Min.Share, o.Max.Share
		}
		t.Rows = append(t.Rows, []any{fmt.Sprint(o.Year), label + " (combined)", strings.Join(ts.Selected, "+"), cell(o.Share), nil, nil, "combined",
			lo, hi, flagText(o.InputFlags)})
	}
	return t
}

// flagText writes flags for a table cell: "lower bound; official statement".
func flagText(fs []Flag) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.Label()
	}
	return strings.Join(s, "; ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func mapNames(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = CountryName(c)
	}
	return out
}

// ---- gas-exports ----

// gasExportsChart draws Russia's gas exports by destination over time, annual
// or monthly, with the change on the same period a year earlier.
type gasExportsChart struct{}

type gasParams struct {
	destinations []string
	freq         Frequency
	from, to     Period
	vintage      string
}

func (gasExportsChart) ID() string    { return ChartGasExports }
func (gasExportsChart) Title() string { return "Russia's gas exports by destination" }

func (gasExportsChart) Params() []ParamSpec {
	return []ParamSpec{
		{Name: "destinations", Kind: "countries", Default: "TUR,DEU,ITA", Help: "destination countries: ISO3 codes, names or groups"},
		{Name: "freq", Kind: "enum", Default: "annual", Options: []string{"annual", "monthly"}, Help: "annual or monthly figures"},
		{Name: "from", Kind: "period", Help: "first period (2015, 2019-01)"},
		{Name: "to", Kind: "period", Help: "last period (2021, 2020-12)"},
		vintageSpec,
	}
}

func (c gasExportsChart) parse(p Params) (gasParams, error) {
	r := newParamReader(p, c.Params())
	gp := gasParams{destinations: r.countries("destinations", true), from: r.period("from"), to: r.period("to"), vintage: r.vintage("vintage")}
	gp.freq = Annual
	if r.enum("freq") == "monthly" {
		gp.freq = Monthly
	}
	if r.err == nil && !gp.from.IsZero() && !gp.to.IsZero() && gp.to.endMonth() < gp.from.startMonth() {
		r.fail("to", "%s is before from (%s)", gp.to, gp.from)
	}
	return gp, r.err
}

func (c gasExportsChart) Query(p Params) (Query, error) {
	gp, err := c.parse(p)
	if err != nil {
		return Query{}, err
	}
	q := Query{Indicators: []string{GasExportsCode}, Countries: []string{Russia}, Partners: gp.destinations, To: queryTo(gp.to), Vintage: gp.vintage}
	if !gp.from.IsZero() {
		q.From = gp.from.PreviousYear() // the base of the first year-on-year change
	}
	return q, nil
}

func (c gasExportsChart) Compute(p Params, obs []Observation) (*Result, error) {
	gp, err := c.parse(p)
	if err != nil {
		return nil, err
	}
	obs, avail, vnote := vintaged(gp.vintage, obs)
	g, err := GasExports(GasExportsInput{Destinations: gp.destinations, Freq: gp.freq, From: gp.from, To: gp.to}, obs)
	if err != nil {
		return nil, err
	}
	res := newResult(c, Params{"destinations": strings.Join(gp.destinations, ","), "freq": gp.freq.String(),
		"from": periodParam(gp.from), "to": periodParam(gp.to)})
	first, last := g.Periods[0], g.Periods[len(g.Periods)-1]
	unit := UnitOf(GasExportsCode, g.Unit)
	res.Subtitle = fmt.Sprintf("To %s, %s, %s–%s, %s, with year-on-year change", names(gp.destinations), g.Freq, first, last, unit.Label())
	res.Statement = gasStatement(g)
	t := Table{Columns: []Column{{Name: "Period"}, {Name: "Destination"}, {Name: "Code"}, {Name: LookupIndicator(GasExportsCode).Name, Unit: unit.Label()},
		{Name: "Change on a year earlier", Unit: "%"}, {Name: "Flags"}}}
	for i, per := range g.Periods {
		for _, s := range g.Series {
			pt := s.Points[i]
			t.Rows = append(t.Rows, []any{per.String(), s.Name, s.Destination, cell(pt.Value), cell(pt.YoY), flagText(pt.Flags)})
		}
	}
	res.Table = t
	res.Coverage, res.Sources, res.Detail = orEmpty(g.Coverage), orEmpty(g.Sources), g
	res.setFigures(gp.vintage, avail, vnote, g.used)
	return res, nil
}

func periodParam(p Period) string {
	if p.IsZero() {
		return ""
	}
	return p.String()
}

// gasStatement describes the latest period that has a year-on-year change.
func gasStatement(g *GasExportsResult) string {
	for i := len(g.Periods) - 1; i >= 0; i-- {
		var parts []string
		for _, s := range g.Series {
			if pt := s.Points[i]; pt.YoY != nil {
				parts = append(parts, fmt.Sprintf("%s %s", s.Name, FormatPercent(*pt.YoY, true)))
			}
		}
		if len(parts) == 1 {
			s := g.Series[slices.IndexFunc(g.Series, func(s GasSeries) bool { return s.Points[i].YoY != nil })]
			pt := s.Points[i]
			unit := UnitOf(GasExportsCode, g.Unit)
			return fmt.Sprintf("Gas exports to %s: %s year on year in %s (%s, from %s)%s",
				s.Name, FormatPercent(*pt.YoY, true), g.Periods[i], FormatValue(*pt.Value, unit), FormatValue(*pt.Previous, unit),
				largestFall(g.Periods, s, i))
		}
		if len(parts) > 1 {
			return fmt.Sprintf("Gas exports in %s, year on year: %s", g.Periods[i], strings.Join(parts, ", "))
		}
	}
	last := g.Periods[len(g.Periods)-1]
	return fmt.Sprintf("Gas exports in %s: no year-on-year change can be computed (no figure a year earlier)", last)
}

// largestFall names the steepest year-on-year fall of s when it is not at index
// latest (a latest rebound must not hide the drop before it), or "".
func largestFall(periods []Period, s GasSeries, latest int) string {
	worst := -1
	for i, pt := range s.Points {
		if pt.YoY != nil && *pt.YoY < 0 && (worst < 0 || *pt.YoY < *s.Points[worst].YoY) {
			worst = i
		}
	}
	if worst < 0 || worst == latest {
		return ""
	}
	return fmt.Sprintf("; steepest fall %s in %s", FormatPercent(*s.Points[worst].YoY, true), periods[worst])
}

// ---- integration-gain ----

// integrationGainChart draws a bloc's GDP (PPP) and population as % of Russia's,
// each member's contribution in a year, and the ratios over time.
type integrationGainChart struct{}

type gainParams struct {
	bloc     string
	members  []string
	year     int
	measure  string
	measures []string
	vintage  string
}

func (integrationGainChart) ID() string { return ChartIntegrationGain }
func (integrationGainChart) Title() string {
	return "Integration gain: a bloc's GDP (PPP) and population as % of Russia's"
}

func (integrationGainChart) Params() []ParamSpec {
	return []ParamSpec{
		{Name: "bloc", Kind: "countries", Default: GroupFSUCore, Help: "the bloc: a group name or countries (Russia is the reference and is left out)"},
		{Name: "year", Kind: "year", Default: Latest, Help: "year of the member contributions (latest: the latest year with every figure)"},
		{Name: "measure", Kind: "enum", Default: "both", Options: []string{"both", "gdp-ppp", "population"}, Help: "GDP (PPP), population or both"},
		vintageSpec,
	}
}

func (c integrationGainChart) parse(p Params) (gainParams, error) {
	r := newParamReader(p, c.Params())
	gp := gainParams{bloc: blocLabel(r.raw("bloc")), members: r.countries("bloc", true), year: r.year("year"), measure: r.enum("measure"),
		vintage: r.vintage("vintage")}
	gp.measures = []string{"population", "gdp-ppp"}
	if gp.measure != "both" {
		gp.measures = []string{gp.measure}
	}
	if r.err == nil && len(slices.DeleteFunc(slices.Clone(gp.members), func(s string) bool { return s == Russia })) == 0 {
		r.fail("bloc", "the bloc needs members besides Russia")
	}
	return gp, r.err
}

// blocLabel names a bloc parameter: a group's own name, else the list as given.
func blocLabel(s string) string {
	if g, ok := DefaultCountries().Group(s); ok {
		return g.Name
	}
	return strings.ToUpper(strings.ReplaceAll(s, " ", ""))
}

func measureCodes(ids []string) []string {
	var codes []string
	for _, id := range ids {
		m, _ := MeasureByID(id)
		codes = append(codes, m.Code)
	}
	return codes
}

func (c integrationGainChart) Query(p Params) (Query, error) {
	gp, err := c.parse(p)
	if err != nil {
		return Query{}, err
	}
	return Query{Indicators: measureCodes(gp.measures), Countries: withRussia(gp.members), Partners: []string{""}, Vintage: gp.vintage}, nil
}

func withRussia(codes []string) []string {
	if slices.Contains(codes, Russia) {
		return codes
	}
	return append([]string{Russia}, codes...)
}

func (c integrationGainChart) Compute(p Params, obs []Observation) (*Result, error) {
	gp, err := c.parse(p)
	if err != nil {
		return nil, err
	}
	in := IntegrationGainInput{Bloc: gp.bloc, Members: gp.members, Measures: gp.measures, Year: gp.year}
	chosen, avail, vnote := vintaged(gp.vintage, obs)
	ig, err := IntegrationGain(in, chosen)
	if err != nil {
		return nil, err
	}
	res := newResult(c, Params{"bloc": gp.bloc, "year": fmt.Sprint(ig.Year), "measure": gp.measure})
	res.Subtitle = fmt.Sprintf("%s (%s) as %% of Russia's %s, %d, with each member's contribution",
		ig.Bloc, names(ig.Members), measureLabels(ig.Measures), ig.Year)
	res.Statement = gainStatement(ig)
	res.Table = gainTable(ig)
	res.Coverage, res.Sources, res.Detail = orEmpty(ig.Coverage), orEmpty(ig.Sources), ig
	res.setFigures(gp.vintage, avail, vnote, ig.used)
	return res, nil
}

// CompareVintages computes the bloc's ratios from each vintage of obs (read
// with every vintage) and returns those that differ between vintages.
func (c integrationGainChart) CompareVintages(p Params, all []Observation) ([]VintageDiff, error) {
	gp, err := c.parse(p)
	if err != nil {
		return nil, err
	}
	return gainVintageDiffs(IntegrationGainInput{Bloc: gp.bloc, Members: gp.members, Measures: gp.measures}, all), nil
}

// gainVintageDiffs computes the bloc's ratios from each vintage of obs (with the
// figures that carry no vintage) and returns the ratios that differ between
// vintages by 0.05 points or more. A vintage counts only for the measures it
// has figures of.
func gainVintageDiffs(in IntegrationGainInput, obs []Observation) []VintageDiff {
	in.Year = 0 // every year, whichever the chart shows
	type cellKey struct {
		what string
		year int
	}
	values := map[cellKey][]VintageValue{}
	var order []cellKey
	for _, v := range VintagesOf(obs) {
		codes := map[string]bool{}
		for _, o := range obs {
			if o.Vintage == v {
				codes[o.Indicator] = true
			}
		}
		ig, err := IntegrationGain(in, SelectVintage(obs, v))
		if err != nil {
			continue
		}
		for _, m := range ig.Measures {
			if !codes[m.Code] {
				continue
			}
			for _, b := range m.Years {
				if b.Ratio == nil {
					continue
				}
				k := cellKey{fmt.Sprintf("%s %s as %% of %s's", ig.Bloc, m.Short, CountryName(ig.Reference)), b.Year}
				if values[k] == nil {
					order = append(order, k)
				}
				values[k] = append(values[k], VintageValue{Vintage: v, Value: *b.Ratio})
			}
		}
	}
	out := []VintageDiff{}
	for _, k := range order {
		vs := values[k]
		if len(vs) < 2 {
			continue
		}
		byValue := func(a, b VintageValue) int { return cmp.Compare(a.Value, b.Value) }
		spread := slices.MaxFunc(vs, byValue).Value - slices.MinFunc(vs, byValue).Value
		if spread >= 0.05 {
			out = append(out, VintageDiff{What: k.what, Period: fmt.Sprint(k.year), Unit: "%", Values: vs, Spread: spread})
		}
	}
	slices.SortStableFunc(out, func(a, b VintageDiff) int {
		return cmp.Or(strings.Compare(a.What, b.What), strings.Compare(a.Period, b.Period))
	})
	return out
}

// vintageDiffWords: "FSU-CORE GDP PPP as % of Russia's, 2019: 30.6% in vintage
// 2023-05, 32.5% in vintage 2026-07 (1.9 points apart)".
func vintageDiffWords(d VintageDiff) string {
	parts := make([]string, len(d.Values))
	for i, v := range d.Values {
		parts[i] = fmt.Sprintf("%s in vintage %s", FormatPercent(v.Value, false), v.Vintage)
	}
	return fmt.Sprintf("%s, %s: %s (%s apart)", d.What, d.Period, strings.Join(parts, ", "), FormatValue(d.Spread, ParseUnit("pp")))
}

func measureLabels(ms []IntegrationMeasure) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.Label
	}
	return strings.Join(s, " and ")
}

// gainStatement: "FSU-CORE adds 68.9% to Russia's population and 30.6% to its
// GDP (PPP) in 2019"; a measure with a member missing says so.
func gainStatement(ig *IntegrationGainResult) string {
	var parts []string
	for i, m := range ig.Measures {
		to := "to Russia's "
		if i > 0 {
			to = "to its "
		}
		b, _ := m.At(ig.Year)
		switch {
		case b.Ratio != nil:
			parts = append(parts, fmt.Sprintf("%s %s%s", FormatPercent(*b.Ratio, false), to, m.Label))
		case b.PartialRatio != nil:
			parts = append(parts, fmt.Sprintf("at least %s %s%s (no figure for %s)", FormatPercent(*b.PartialRatio, false), to, m.Label, names(b.Missing)))
		default:
			parts = append(parts, fmt.Sprintf("an unknown share %s%s (no figures)", to, m.Label))
		}
	}
	return fmt.Sprintf("%s adds %s in %d", ig.Bloc, strings.Join(parts, " and "), ig.Year)
}

// gainTable: each member's contribution in the chosen year, then the bloc ratio
// by year (nil where a member or Russia is missing: the plotted gap).
func gainTable(ig *IntegrationGainResult) Table {
	t := Table{Columns: []Column{{Name: "Year"}, {Name: "Measure"}, {Name: "Country"}, {Name: "Code"}, {Name: "Value"}, {Name: "Unit"}, {Name: "Share of Russia", Unit: "%"}}}
	for _, m := range ig.Measures {
		b, _ := m.At(ig.Year)
		for _, con := range b.Contributions {
			t.Rows = append(t.Rows, []any{fmt.Sprint(ig.Year), m.Label, con.Name, con.Country, cell(con.Value), LookupIndicator(m.Code).Unit.Label(), cell(con.Pct)})
		}
	}
	for _, m := range ig.Measures {
		for _, b := range m.Years {
			t.Rows = append(t.Rows, []any{fmt.Sprint(b.Year), m.Label, ig.Bloc + " total", ig.Bloc, cell(b.Total), LookupIndicator(m.Code).Unit.Label(), cell(b.Ratio)})
		}
	}
	return t
}

// ---- series ----

// seriesChart draws any stored indicator for chosen countries over time.
type seriesChart struct{}

type seriesParams struct {
	indicator string
	countries []string
	partner   string
	from, to  Period
	vintage   string
}

func (seriesChart) ID() string    { return ChartSeries }
func (seriesChart) Title() string { return "Any indicator by country" }

func (seriesChart) Params() []ParamSpec {
	return []ParamSpec{
		{Name: "indicator", Kind: "indicator", Default: PopulationCode, Help: "indicator code (e.g. SP.POP.TOTL, NY.GDP.MKTP.PP.CD, TXG_FOB_USD)"},
		{Name: "countries", Kind: "countries", Default: GroupEAEU, Help: "countries: ISO3 codes, names or groups"},
		{Name: "partner", Kind: "country", Help: "counterpart for bilateral indicators (empty: none)"},
		{Name: "from", Kind: "period", Help: "first period"},
		{Name: "to", Kind: "period", Help: "last period"},
		vintageSpec,
	}
}

func (c seriesChart) parse(p Params) (seriesParams, error) {
	r := newParamReader(p, c.Params())
	sp := seriesParams{indicator: r.indicator("indicator"), countries: r.countries("countries", true),
		partner: r.country("partner"), from: r.period("from"), to: r.period("to"), vintage: r.vintage("vintage")}
	return sp, r.err
}

func (c seriesChart) Query(p Params) (Query, error) {
	sp, err := c.parse(p)
	if err != nil {
		return Query{}, err
	}
	return Query{Indicators: []string{sp.indicator}, Countries: sp.countries, Partners: []string{sp.partner},
		From: sp.from, To: queryTo(sp.to), Vintage: sp.vintage}, nil
}

func (c seriesChart) Compute(p Params, obs []Observation) (*Result, error) {
	sp, err := c.parse(p)
	if err != nil {
		return nil, err
	}
	obs, avail, vnote := vintaged(sp.vintage, obs)
	s, err := Series(SeriesInput{Indicator: sp.indicator, Countries: sp.countries, Partner: sp.partner, From: sp.from, To: sp.to}, obs)
	if err != nil {
		return nil, err
	}
	res := newResult(c, Params{"indicator": sp.indicator, "countries": strings.Join(sp.countries, ","),
		"partner": sp.partner, "from": periodParam(sp.from), "to": periodParam(sp.to)})
	ind := LookupIndicator(sp.indicator)
	unit := UnitOf(sp.indicator, s.Unit)
	res.Title = ind.Name + " by country"
	with := ""
	if sp.partner != "" {
		with = " with " + CountryName(sp.partner)
	}
	res.Subtitle = fmt.Sprintf("%s%s, %s–%s, %s", names(sp.countries), with, s.Periods[0], s.Periods[len(s.Periods)-1], unit.Label())
	res.Statement = seriesStatement(s)
	t := Table{Columns: []Column{{Name: "Period"}, {Name: "Country"}, {Name: "Code"}, {Name: ind.Name, Unit: unit.Label()}}}
	for i, per := range s.Periods {
		for _, l := range s.Lines {
			t.Rows = append(t.Rows, []any{per.String(), l.Name, l.Country, cell(l.Values[i])})
		}
	}
	res.Table = t
	res.Coverage, res.Sources, res.Detail = orEmpty(s.Coverage), orEmpty(s.Sources), s
	res.setFigures(sp.vintage, avail, vnote, s.used)
	return res, nil
}

// seriesStatement gives the first country's latest value.
func seriesStatement(s *SeriesResult) string {
	for _, l := range s.Lines {
		for i := len(l.Values) - 1; i >= 0; i-- {
			if v := l.Values[i]; v != nil {
				return fmt.Sprintf("%s, %s: %s in %s", l.Name, LookupIndicator(s.Indicator).Short, FormatValue(*v, UnitOf(s.Indicator, s.Unit)), s.Periods[i])
			}
		}
	}
	return ""
}

// ---- map ----

// mapChart draws a choropleth: a bloc's members as % of Russia, or partners'
// shares of Russia's goods trade.
type mapChart struct{}

type mapParams struct {
	metric   string
	year     int
	bloc     string
	members  []string
	measure  string
	partners []string
	vintage  string
}

func (mapChart) ID() string    { return ChartMap }
func (mapChart) Title() string { return "Map: trade partners or a bloc" }

func (mapChart) Params() []ParamSpec {
	return []ParamSpec{
		{Name: "metric", Kind: "enum", Default: MapBloc, Options: []string{MapBloc, MapTradeShare}, Help: "bloc: members as % of Russia; trade-share: partners' shares of Russia's goods trade"},
		{Name: "year", Kind: "year", Default: Latest, Help: "year (latest: the metric's default year)"},
		{Name: "bloc", Kind: "countries", Default: GroupFSUCore, Help: "bloc members (metric=bloc)"},
		{Name: "measure", Kind: "enum", Default: "population", Options: []string{"population", "gdp-ppp"}, Help: "measure compared with Russia's (metric=bloc)"},
		{Name: "partners", Kind: "countries", Default: "TUR,AZE", Help: "partners to highlight (metric=trade-share)"},
		vintageSpec,
	}
}

func (c mapChart) parse(p Params) (mapParams, error) {
	r := newParamReader(p, c.Params())
	mp := mapParams{metric: r.enum("metric"), year: r.year("year"), bloc: blocLabel(r.raw("bloc")),
		members: r.countries("bloc", true), measure: r.enum("measure"), partners: r.countries("partners", false), vintage: r.vintage("vintage")}
	return mp, r.err
}

func (c mapChart) Query(p Params) (Query, error) {
	mp, err := c.parse(p)
	if err != nil {
		return Query{}, err
	}
	if mp.metric == MapTradeShare {
		return Query{Indicators: []string{ExportsCode, ImportsCode}, Countries: []string{Russia}, Vintage: mp.vintage}, nil
	}
	return Query{Indicators: measureCodes([]string{mp.measure}), Countries: withRussia(mp.members), Partners: []string{""}, Vintage: mp.vintage}, nil
}

func (c mapChart) Compute(p Params, obs []Observation) (*Result, error) {
	mp, err := c.parse(p)
	if err != nil {
		return nil, err
	}
	obs, avail, vnote := vintaged(mp.vintage, obs)
	m, err := MapData(MapInput{Metric: mp.metric, Year: mp.year, Partners: mp.partners, Bloc: mp.bloc, Members: mp.members, Measure: mp.measure}, obs)
	if err != nil {
		return nil, err
	}
	rp := Params{"metric": mp.metric, "year": fmt.Sprint(m.Year)}
	if mp.metric == MapTradeShare {
		rp["partners"] = strings.Join(mp.partners, ",")
	} else {
		rp["bloc"], rp["measure"] = mp.bloc, mp.measure
	}
	res := newResult(c, rp)
	res.Title = "Map: " + m.Label
	res.Subtitle = mapSubtitle(m, mp)
	res.Statement = mapStatement(m)
	t := Table{Columns: []Column{{Name: "Country"}, {Name: "Code"}, {Name: "Value", Unit: m.Unit}, {Name: "Highlighted"}}}
	for _, r := range m.Regions {
		hl := yesNo(r.Highlight)
		if r.Reference {
			hl = "reference"
		}
		t.Rows = append(t.Rows, []any{r.Name, r.Code, cell(r.Value), hl})
	}
	res.Table = t
	res.Coverage, res.Sources, res.Detail = orEmpty(m.Coverage), orEmpty(m.Sources), m
	var used []Observation
	switch {
	case m.Trade != nil:
		used = m.Trade.used
	case m.Gain != nil:
		used = m.Gain.used
	}
	res.setFigures(mp.vintage, avail, vnote, used)
	return res, nil
}

func mapSubtitle(m *MapResult, mp mapParams) string {
	if m.Metric == MapTradeShare {
		return fmt.Sprintf("Partners' shares of Russia's goods exports + imports in %d; highlighted: %s", m.Year, orNone(names(mp.partners)))
	}
	me, _ := MeasureByID(mp.measure)
	return fmt.Sprintf("%s members' %s as %% of Russia's, %d", m.Bloc, me.Label, m.Year)
}

// mapStatement names the region with the largest value.
func mapStatement(m *MapResult) string {
	var best *MapRegion
	for i, r := range m.Regions {
		if r.Value != nil && (best == nil || *r.Value > *best.Value) {
			best = &m.Regions[i]
		}
	}
	if best == nil {
		return "No values to map"
	}
	if m.Metric == MapTradeShare {
		return fmt.Sprintf("%s: %s of Russia's goods trade in %d, the largest partner", best.Name, FormatPercent(*best.Value, false), m.Year)
	}
	me, _ := MeasureByID(m.Measure)
	return fmt.Sprintf("%s: %s of Russia's %s in %d, the largest in %s", best.Name, FormatPercent(*best.Value, false), me.Label, m.Year, m.Bloc)
}

// fmtThreshold writes a threshold as the user gave it: "5%", "2.25%".
func fmtThreshold(v float64) string { return formatExact(v) + "%" }

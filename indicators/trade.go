package indicators

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// unallocated are the IMF DOTS "not specified" areas: residuals that add up with
// the countries to the World row (unlike area aggregates such as Euro Area, which
// would count their members twice). They enter a summed total but are not ranked.
var unallocated = map[string]bool{"XXN": true, "XAN": true, "XEN": true, "XFN": true, "XWN": true, "XMN": true}

// TradeShareInput selects what TradeShare computes.
type TradeShareInput struct {
	Reporter string   // default RUS
	Year     int      // 0: the latest year with a partner table and a World total
	Partners []string // the highlighted partners
}

// PartnerShare is one partner's part of the reporter's goods turnover in a year.
// A flow that is missing is nil, and the turnover holds only the flows present
// (Complete says whether both are). In a year without a partner table only the
// selected partners appear, from the first basis that gives them.
type PartnerShare struct {
	Partner  string   `json:"partner"`
	Name     string   `json:"name"`
	Exports  *float64 `json:"exports"`  // US$, reporter's exports to partner
	Imports  *float64 `json:"imports"`  // US$, reporter's imports from partner
	Turnover float64  `json:"turnover"` // US$, exports + imports present
	Complete bool     `json:"complete"` // both flows present
	Share    float64  `json:"share_pct"`
	Selected bool     `json:"selected"`
	Basis    string   `json:"basis,omitempty"` // where the turnover comes from (see basis.go)
	Flags    []Flag   `json:"flags,omitempty"`
}

// TradeTotal is the reporter's goods turnover in a year and how it was obtained.
type TradeTotal struct {
	Year     int     `json:"year"`
	Turnover float64 `json:"turnover"` // US$
	// Basis is "world" (the DOTS World row as reported: WLD exports + imports),
	// "sum" (the sum over every partner and not-specified area, when the World
	// row is missing), or another total's basis (fcs, wto, mirror) in years
	// without a partner table.
	Basis string `json:"basis"`
	Flags []Flag `json:"flags,omitempty"`
}

// TradeFigure is one turnover (exports + imports, US$) on one basis: a partner's
// trade with the reporter, or (Partner "") the reporter's total.
type TradeFigure struct {
	Partner  string   `json:"partner,omitempty"`
	Basis    string   `json:"basis"`
	Label    string   `json:"label"`
	Value    float64  `json:"value"`
	Complete bool     `json:"complete"` // both flows, or a published turnover
	Flags    []Flag   `json:"flags,omitempty"`
	Notes    []string `json:"notes,omitempty"` // what derived inputs are derived from
	Sources  []string `json:"sources,omitempty"`
}

// ShareEnd is one end of a combined share's range: the share and the figures
// (a total and one figure per covered partner) that give it.
type ShareEnd struct {
	Share    float64       `json:"share_pct"`
	Total    TradeFigure   `json:"total"`
	Partners []TradeFigure `json:"partners"`
	// Flags are those of the figures; a lower-bound partner figure makes the
	// share a lower bound.
	Flags []Flag `json:"flags,omitempty"`
}

// CombinedShare is the highlighted partners' combined share in one year.
type CombinedShare struct {
	Year  int      `json:"year"`
	Share *float64 `json:"share_pct"` // nil if no total or no selected partner has data
	// Covered are the selected partners with figures that year; Missing those
	// without any (their trade is unknown, not zero, so Share is a lower bound).
	Covered []string `json:"covered"`
	Missing []string `json:"missing"`
	Basis   string   `json:"basis"` // the basis of the total Share is over
	// Flags are those of the figures Share is computed from.
	Flags []Flag `json:"flags,omitempty"`
	// Min and Max are the ends of the range of the share over every combination
	// of a figure per covered partner and a total (Combinations of them); nil
	// with Share.
	Min          *ShareEnd `json:"min"`
	Max          *ShareEnd `json:"max"`
	Combinations int       `json:"combinations"`
	// InputFlags are the flags of every figure the range uses.
	InputFlags []Flag `json:"input_flags,omitempty"`
	// Totals are the reporter's totals on every basis; Figures every figure of
	// the selected partners; ExcludedTotals the totals left out of the range
	// (lower bounds, which would bound a share from above).
	Totals         []TradeFigure `json:"totals"`
	Figures        []TradeFigure `json:"figures"`
	ExcludedTotals []TradeFigure `json:"excluded_totals,omitempty"`
	// NoPartnerTable: no partner-by-partner table for the year, so only the
	// selected partners' figures exist.
	NoPartnerTable bool `json:"no_partner_table"`
}

// TradeShareResult is the outcome of TradeShare.
type TradeShareResult struct {
	Reporter string         `json:"reporter"`
	Year     int            `json:"year"`
	Total    TradeTotal     `json:"total"`
	Totals   []TradeFigure  `json:"totals"`   // the year's total on every basis
	Partners []PartnerShare `json:"partners"` // every partner with figures in Year, largest share first
	Selected []string       `json:"selected"`
	Combined CombinedShare  `json:"combined"`
	// Over is the combined share in every year with a figure, ascending.
	Over      []CombinedShare `json:"over"`
	Threshold float64         `json:"threshold_pct"` // set by the chart
	Top       int             `json:"top"`           // set by the chart
	Coverage  []string        `json:"coverage"`
	Sources   []string        `json:"sources"`
	used      []Observation   // the observations read, for the chart's flags and vintages
}

// TradeShare computes each partner's share of the reporter's goods turnover
// (TXG_FOB_USD + TMG_CIF_USD with country = reporter, partner = X) in a year, the
// selected partners' combined share, and that combined share over every year with
// a figure. The total is the World (WLD) row if both its flows are present, else
// the sum over partners (said in Total.Basis and the coverage notes). Every other
// basis of a partner's turnover or of the total (basis.go) enters the combined
// share's range, with the figures giving its ends. Years without a partner table
// show what exists. Missing figures are reported in Coverage, never counted as zero.
func TradeShare(in TradeShareInput, obs []Observation) (*TradeShareResult, error) {
	rep := cmp.Or(in.Reporter, Russia)
	flows := tradeFlows(rep, in.Partners, obs)
	years := flows.years()
	if len(years) == 0 {
		return nil, Errorf(ENOTFOUND, "no goods trade figures (%s, %s) for %s", ExportsCode, ImportsCode, CountryName(rep))
	}
	year := in.Year
	if year == 0 {
		year = flows.defaultYear(years)
	}
	if !slices.Contains(years, year) {
		return nil, Errorf(ENOTFOUND, "year: no goods trade figures for %s in %d (years with figures: %s)", CountryName(rep), year, joinInts(years))
	}
	res := &TradeShareResult{Reporter: rep, Year: year, Selected: in.Partners}
	for _, y := range years {
		res.Over = append(res.Over, flows.combined(y, in.Partners))
	}
	res.Combined = res.Over[slices.Index(years, year)]
	res.Totals = res.Combined.Totals
	res.Total = flows.headlineTotal(year, res.Combined)
	if res.Combined.NoPartnerTable {
		res.Partners = flows.quotedShares(res.Combined, res.Total.Turnover)
	} else {
		res.Partners = flows.shares(year, res.Total.Turnover, in.Partners)
	}
	res.Coverage = flows.coverage(res)
	res.Sources, res.used = flows.sources.sorted(), flows.sources.used
	return res, nil
}

// flowCell holds one partner's two flows in a year, and the observations they
// come from (for flags and notes).
type flowCell struct {
	exp, imp *float64
	obs      []Observation
}

func (c *flowCell) set(o Observation, export bool) {
	if export {
		c.exp = ptr(o.Value)
	} else {
		c.imp = ptr(o.Value)
	}
	c.obs = append(c.obs, o)
}

type tradeData struct {
	rep   string
	cells map[int]map[string]*flowCell // DOTS, reporter-reported: year → partner → flows
	// alt holds the other bases: year → "basis|partner" (partner "" for the
	// total) → flows.
	alt     map[int]map[string]*flowCell
	sources sourceSet
}

// altCodes maps the indicator of an alternative basis figure to whether it is
// an export flow (turnover figures count as exports: one figure, complete).
var altCodes = map[string]bool{WTOExportsCode: true, WTOImportsCode: false, CustomsExportsCode: true, CustomsImportsCode: false}

func tradeFlows(rep string, selected []string, obs []Observation) *tradeData {
	d := &tradeData{rep: rep, cells: map[int]map[string]*flowCell{}, alt: map[int]map[string]*flowCell{}}
	for _, o := range obs {
		if o.Period.Freq != Annual {
			continue
		}
		basis, partner, export, turnover := classifyTrade(rep, selected, o)
		switch {
		case basis == "":
			continue
		case basis == BasisDOTS:
			d.cell(d.cells, o.Period.Year, partner).set(o, export)
		default:
			c := d.cell(d.alt, o.Period.Year, basis+"|"+partner)
			if turnover {
				c.exp, c.imp, c.obs = ptr(o.Value), ptr(0), append(c.obs, o)
			} else {
				c.set(o, export)
			}
		}
		d.sources.add(o)
	}
	return d
}

// classifyTrade places an observation on its basis: the partner it is about
// ("" for a total), whether it is an export flow, and whether it is a whole
// turnover. basis is "" for observations TradeShare does not use.
func classifyTrade(rep string, selected []string, o Observation) (basis, partner string, export, turnover bool) {
	isFlow := o.Indicator == ExportsCode || o.Indicator == ImportsCode
	switch {
	case isFlow && o.Country == rep && o.Partner != "":
		return BasisDOTS, o.Partner, o.Indicator == ExportsCode, false
	case isFlow && o.Partner == rep && o.Country == "WLD":
		// The partners' exports to the reporter are its imports, and the other way
		// round; the turnover is the same sum.
		return BasisMirror, "", o.Indicator == ImportsCode, false
	case isFlow && o.Partner == rep && slices.Contains(selected, o.Country):
		return BasisMirror, o.Country, o.Indicator == ImportsCode, false
	case o.Indicator == WTOExportsCode || o.Indicator == WTOImportsCode:
		if o.Country == rep && o.Partner == "" {
			return BasisWTO, "", altCodes[o.Indicator], false
		}
	case o.Indicator == CustomsExportsCode || o.Indicator == CustomsImportsCode:
		if o.Country == rep && (o.Partner == "WLD" || o.Partner == "") {
			return BasisCustoms + "-flows", "", altCodes[o.Indicator], false
		}
	case o.Indicator == CustomsTurnoverCode:
		if o.Country == rep && (o.Partner == "WLD" || o.Partner == "") {
			return BasisCustoms, "", true, true
		}
	case o.Indicator == TurnoverCode:
		if o.Country == rep && slices.Contains(selected, o.Partner) {
			return BasisRussianSide, o.Partner, true, true
		}
		if o.Partner == rep && slices.Contains(selected, o.Country) {
			return BasisPartnerSide, o.Country, true, true
		}
	}
	return "", "", false, false
}

func (d *tradeData) cell(m map[int]map[string]*flowCell, y int, partner string) *flowCell {
	if m[y] == nil {
		m[y] = map[string]*flowCell{}
	}
	c := m[y][partner]
	if c == nil {
		c = &flowCell{}
		m[y][partner] = c
	}
	return c
}

// defaultYear is the latest year with a World row, else the latest year with a
// partner table, else the latest year.
func (d *tradeData) defaultYear(years []int) int {
	var table []int
	for _, y := range years {
		if d.cells[y] != nil {
			table = append(table, y)
		}
	}
	for i := len(table) - 1; i >= 0; i-- {
		if d.total(table[i]).Basis == BasisWorld {
			return table[i]
		}
	}
	if len(table) > 0 {
		return table[len(table)-1]
	}
	return years[len(years)-1]
}

func (d *tradeData) years() []int {
	seen := map[int]bool{}
	for y := range d.cells {
		seen[y] = true
	}
	for y := range d.alt {
		seen[y] = true
	}
	var ys []int
	for y := range seen {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

func (c *flowCell) turnover() float64 {
	var t float64
	if c.exp != nil {
		t += *c.exp
	}
	if c.imp != nil {
		t += *c.imp
	}
	return t
}

func (d *tradeData) total(y int) TradeTotal {
	if w := d.cells[y]["WLD"]; w != nil && w.exp != nil && w.imp != nil {
		return TradeTotal{Year: y, Turnover: w.turnover(), Basis: BasisWorld, Flags: flagsOf(w.obs)}
	}
	var t float64
	var obs []Observation
	for p, c := range d.cells[y] {
		if !IsAggregate(p) || unallocated[p] {
			t += c.turnover()
			obs = append(obs, c.obs...)
		}
	}
	return TradeTotal{Year: y, Turnover: t, Basis: BasisSum, Flags: flagsOf(obs)}
}

// figure turns a cell into a TradeFigure; a cell with one flow only is a lower
// bound of the turnover.
func figure(partner, basis string, c *flowCell) TradeFigure {
	f := TradeFigure{Partner: partner, Basis: basis, Label: BasisLabel(basis), Value: c.turnover(),
		Complete: c.exp != nil && c.imp != nil, Flags: flagsOf(c.obs)}
	if !f.Complete {
		f.Flags = mergeFlags(f.Flags, []Flag{FlagLowerBound})
		f.Notes = append(f.Notes, "one flow only")
	}
	var src sourceSet
	for _, o := range c.obs {
		if o.Note != "" && !slices.Contains(f.Notes, o.Note) {
			f.Notes = append(f.Notes, o.Note)
		}
		src.add(o)
	}
	f.Sources = src.sorted()
	return f
}

// totals are the reporter's totals in year y on every basis, in order of
// preference: the DOTS partner table's, customs, WTO, the World mirror.
func (d *tradeData) totals(y int) []TradeFigure {
	var out []TradeFigure
	if d.cells[y] != nil {
		t := d.total(y)
		var obs []Observation
		if t.Basis == BasisWorld {
			obs = d.cells[y]["WLD"].obs
		}
		f := figure("", t.Basis, &flowCell{exp: ptr(t.Turnover), imp: ptr(0), obs: obs})
		f.Flags = t.Flags
		out = append(out, f)
	}
	alt := d.alt[y]
	fcs := alt[BasisCustoms+"|"]
	if fcs == nil {
		if c := alt[BasisCustoms+"-flows|"]; c != nil && c.exp != nil && c.imp != nil {
			fcs = c
		}
	}
	if fcs != nil {
		out = append(out, figure("", BasisCustoms, fcs))
	}
	for _, b := range []string{BasisWTO, BasisMirror} {
		if c := alt[b+"|"]; c != nil && c.exp != nil && c.imp != nil {
			out = append(out, figure("", b, c))
		}
	}
	return out
}

// partnerFigures are partner p's turnovers with the reporter in year y on every
// basis, in order of preference.
func (d *tradeData) partnerFigures(y int, p string) []TradeFigure {
	var out []TradeFigure
	if c := d.cells[y][p]; c != nil {
		out = append(out, figure(p, BasisDOTS, c))
	}
	for _, b := range []string{BasisRussianSide, BasisMirror, BasisPartnerSide} {
		if c := d.alt[y][b+"|"+p]; c != nil {
			out = append(out, figure(p, b, c))
		}
	}
	return out
}

// headlineTotal is the total the year's partner shares are over.
func (d *tradeData) headlineTotal(y int, c CombinedShare) TradeTotal {
	if !c.NoPartnerTable {
		return d.total(y)
	}
	for _, t := range c.Totals {
		if !slices.Contains(t.Flags, FlagLowerBound) {
			return TradeTotal{Year: y, Turnover: t.Value, Basis: t.Basis, Flags: t.Flags}
		}
	}
	return TradeTotal{Year: y, Basis: "none"}
}

// shares ranks the partners of year y; aggregates are left out unless selected.
func (d *tradeData) shares(y int, total float64, selected []string) []PartnerShare {
	var out []PartnerShare
	for p, c := range d.cells[y] {
		sel := slices.Contains(selected, p)
		if IsAggregate(p) && !sel {
			continue
		}
		ps := PartnerShare{Partner: p, Name: CountryName(p), Exports: c.exp, Imports: c.imp,
			Turnover: c.turnover(), Complete: c.exp != nil && c.imp != nil, Selected: sel, Basis: BasisDOTS, Flags: flagsOf(c.obs)}
		if total > 0 {
			ps.Share = 100 * ps.Turnover / total
		}
		out = append(out, ps)
	}
	sortShares(out)
	return out
}

// quotedShares are the selected partners' shares in a year without a partner
// table, each from its first figure.
func (d *tradeData) quotedShares(c CombinedShare, total float64) []PartnerShare {
	var out []PartnerShare
	for _, p := range c.Covered {
		i := slices.IndexFunc(c.Figures, func(f TradeFigure) bool { return f.Partner == p })
		f := c.Figures[i]
		ps := PartnerShare{Partner: p, Name: CountryName(p), Turnover: f.Value, Complete: f.Complete, Selected: true, Basis: f.Basis, Flags: f.Flags}
		if total > 0 {
			ps.Share = 100 * f.Value / total
		}
		out = append(out, ps)
	}
	sortShares(out)
	return out
}

func sortShares(s []PartnerShare) {
	slices.SortFunc(s, func(a, b PartnerShare) int {
		return cmp.Or(cmp.Compare(b.Turnover, a.Turnover), strings.Compare(a.Partner, b.Partner))
	})
}

// combined computes the selected partners' combined share in year y: the
// headline (the first figure of each partner over the first total) and its range
// over every combination of figures. The range's ends need no enumeration: the
// share is smallest with each partner's smallest figure over the largest total,
// and largest the other way round.
func (d *tradeData) combined(y int, selected []string) CombinedShare {
	cs := CombinedShare{Year: y, Covered: []string{}, Missing: []string{}, Figures: []TradeFigure{}, NoPartnerTable: d.cells[y] == nil}
	var usable []TradeFigure
	for _, t := range d.totals(y) {
		cs.Totals = append(cs.Totals, t)
		if slices.Contains(t.Flags, FlagLowerBound) {
			cs.ExcludedTotals = append(cs.ExcludedTotals, t)
		} else {
			usable = append(usable, t)
		}
	}
	if cs.Totals == nil {
		cs.Totals = []TradeFigure{}
	}
	var options [][]TradeFigure
	for _, p := range selected {
		figs := d.partnerFigures(y, p)
		if len(figs) == 0 {
			cs.Missing = append(cs.Missing, p)
			continue
		}
		cs.Covered = append(cs.Covered, p)
		cs.Figures = append(cs.Figures, figs...)
		options = append(options, figs)
	}
	if len(usable) > 0 {
		cs.Basis = usable[0].Basis
	}
	if len(options) == 0 || len(usable) == 0 {
		return cs
	}
	first := func(fs []TradeFigure) TradeFigure { return fs[0] }
	head := shareEnd(pick(options, first), usable[0])
	cs.Share, cs.Flags = ptr(head.Share), head.Flags
	byValue := func(a, b TradeFigure) int { return cmp.Compare(a.Value, b.Value) }
	smallest := func(fs []TradeFigure) TradeFigure { return slices.MinFunc(fs, byValue) }
	largest := func(fs []TradeFigure) TradeFigure { return slices.MaxFunc(fs, byValue) }
	lo, hi := shareEnd(pick(options, smallest), largest(usable)), shareEnd(pick(options, largest), smallest(usable))
	cs.Min, cs.Max = &lo, &hi
	cs.Combinations = len(usable)
	cs.InputFlags = nil
	for _, t := range usable {
		cs.InputFlags = mergeFlags(cs.InputFlags, t.Flags)
	}
	for _, o := range options {
		cs.Combinations *= len(o)
		for _, f := range o {
			cs.InputFlags = mergeFlags(cs.InputFlags, f.Flags)
		}
	}
	return cs
}

func pick(options [][]TradeFigure, choose func([]TradeFigure) TradeFigure) []TradeFigure {
	out := make([]TradeFigure, len(options))
	for i, o := range options {
		out[i] = choose(o)
	}
	return out
}

func shareEnd(partners []TradeFigure, total TradeFigure) ShareEnd {
	e := ShareEnd{Total: total, Partners: partners, Flags: total.Flags}
	var sum float64
	for _, p := range partners {
		sum += p.Value
		e.Flags = mergeFlags(e.Flags, p.Flags)
	}
	if total.Value != 0 {
		e.Share = 100 * sum / total.Value
	}
	return e
}

// coverage lists, in words, how the total was obtained and what is missing.
func (d *tradeData) coverage(r *TradeShareResult) []string {
	notes := []string{}
	for _, o := range r.Over {
		switch {
		case o.NoPartnerTable:
			notes = append(notes, fmt.Sprintf("%d: no partner table; only %s's figures exist, every other partner of %s is missing",
				o.Year, orNone(names(o.Covered)), CountryName(r.Reporter)))
		case o.Basis == BasisSum:
			notes = append(notes, fmt.Sprintf("%d: no World row for both flows; the total is the sum over partners", o.Year))
		}
		if o.Share == nil && len(o.Covered) > 0 {
			notes = append(notes, fmt.Sprintf("%d: no total of %s's trade, so no share", o.Year, CountryName(r.Reporter)))
		}
		if len(o.Missing) > 0 {
			notes = append(notes, fmt.Sprintf("%d: no trade figures for %s; the combined share covers %s only",
				o.Year, names(o.Missing), orNone(names(o.Covered))))
		}
		for _, t := range o.ExcludedTotals {
			notes = append(notes, fmt.Sprintf("%d: %s total %s is a lower bound and is left out of the range (it would bound the share from above)",
				o.Year, t.Label, FormatValue(t.Value, usd)))
		}
		if flagged := flagWords(o.InputFlags); flagged != "" && o.Share != nil {
			notes = append(notes, fmt.Sprintf("%d: some figures are %s (the range's ends say which)", o.Year, flagged))
		}
	}
	for _, p := range r.Selected {
		if c := d.cells[r.Year][p]; c != nil && (c.exp == nil || c.imp == nil) {
			notes = append(notes, fmt.Sprintf("%s: %s only in %d (no %s figure)", CountryName(p), onlyFlow(c), r.Year, missingFlow(c)))
		}
	}
	var partial []string
	for _, ps := range r.Partners {
		if !ps.Complete && !ps.Selected {
			partial = append(partial, ps.Name)
		}
	}
	if len(partial) > 0 {
		notes = append(notes, fmt.Sprintf("%d: %d partners with only one flow reported (their turnover counts that flow only): %s",
			r.Year, len(partial), strings.Join(partial, ", ")))
	}
	return notes
}

// flagWords lists flags in words: "derived, a lower bound or an official statement".
func flagWords(fs []Flag) string {
	words := map[Flag]string{FlagDerived: "derived", FlagLowerBound: "lower bounds", FlagStatement: "official statements", FlagEstimate: "estimates"}
	var out []string
	for _, f := range fs {
		out = append(out, cmp.Or(words[f], string(f)))
	}
	switch len(out) {
	case 0:
		return ""
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

func onlyFlow(c *flowCell) string {
	if c.exp != nil {
		return "exports"
	}
	return "imports"
}

func missingFlow(c *flowCell) string {
	if c.exp == nil {
		return "exports"
	}
	return "imports"
}

func orNone(s string) string { return cmp.Or(s, "no partner") }

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

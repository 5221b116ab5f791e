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
	Year     int      // 0: the latest year with a total
	Partners []string // the highlighted partners
}

// PartnerShare is one partner's part of the reporter's goods turnover in a year.
// A flow that is missing is nil, and the turnover holds only the flows present
// (Complete says whether both are).
type PartnerShare struct {
	Partner  string   `json:"partner"`
	Name     string   `json:"name"`
	Exports  *float64 `json:"exports"`  // US$, reporter's exports to partner
	Imports  *float64 `json:"imports"`  // US$, reporter's imports from partner
	Turnover float64  `json:"turnover"` // US$, exports + imports present
	Complete bool     `json:"complete"` // both flows present
	Share    float64  `json:"share_pct"`
	Selected bool     `json:"selected"`
}

// TradeTotal is the reporter's goods turnover in a year and how it was obtained.
type TradeTotal struct {
	Year     int     `json:"year"`
	Turnover float64 `json:"turnover"` // US$
	// Basis is "world" (the World row as reported: WLD exports + imports) or
	// "sum" (the sum over every partner and not-specified area, when the World
	// row is missing).
	Basis string `json:"basis"`
}

// CombinedShare is the highlighted partners' combined share in one year.
type CombinedShare struct {
	Year  int      `json:"year"`
	Share *float64 `json:"share_pct"` // nil if no total or no selected partner has data
	// Covered are the selected partners with figures that year; Missing those
	// without any (their trade is unknown, not zero, so Share is a lower bound).
	Covered []string `json:"covered"`
	Missing []string `json:"missing"`
	Basis   string   `json:"basis"`
}

// TradeShareResult is the outcome of TradeShare.
type TradeShareResult struct {
	Reporter string         `json:"reporter"`
	Year     int            `json:"year"`
	Total    TradeTotal     `json:"total"`
	Partners []PartnerShare `json:"partners"` // every partner with figures in Year, largest share first
	Selected []string       `json:"selected"`
	Combined CombinedShare  `json:"combined"`
	// Over is the combined share in every year with a total, ascending.
	Over      []CombinedShare `json:"over"`
	Threshold float64         `json:"threshold_pct"` // set by the chart
	Top       int             `json:"top"`           // set by the chart
	Coverage  []string        `json:"coverage"`
	Sources   []string        `json:"sources"`
}

// TradeShare computes each partner's share of the reporter's goods turnover
// (TXG_FOB_USD + TMG_CIF_USD with country = reporter, partner = X) in a year, the
// selected partners' combined share, and that combined share over every year with
// a total. The total is the World (WLD) row if both its flows are present, else the
// sum over partners (said in Total.Basis and the coverage notes). Missing figures
// are reported in Coverage, never counted as zero.
func TradeShare(in TradeShareInput, obs []Observation) (*TradeShareResult, error) {
	rep := cmp.Or(in.Reporter, Russia)
	flows := tradeFlows(rep, obs)
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
	res.Total = flows.total(year)
	res.Partners = flows.shares(year, res.Total.Turnover, in.Partners)
	for _, y := range years {
		res.Over = append(res.Over, flows.combined(y, in.Partners))
	}
	res.Combined = flows.combined(year, in.Partners)
	res.Coverage = flows.coverage(res)
	res.Sources = flows.sources.sorted()
	return res, nil
}

// flowCell holds one partner's two flows in a year.
type flowCell struct{ exp, imp *float64 }

type tradeData struct {
	rep     string
	cells   map[int]map[string]*flowCell // year → partner → flows
	sources sourceSet
}

func tradeFlows(rep string, obs []Observation) *tradeData {
	d := &tradeData{rep: rep, cells: map[int]map[string]*flowCell{}}
	for _, o := range obs {
		if o.Country != rep || o.Partner == "" || o.Period.Freq != Annual ||
			(o.Indicator != ExportsCode && o.Indicator != ImportsCode) {
			continue
		}
		y := o.Period.Year
		if d.cells[y] == nil {
			d.cells[y] = map[string]*flowCell{}
		}
		c := d.cells[y][o.Partner]
		if c == nil {
			c = &flowCell{}
			d.cells[y][o.Partner] = c
		}
		if o.Indicator == ExportsCode {
			c.exp = ptr(o.Value)
		} else {
			c.imp = ptr(o.Value)
		}
		d.sources.add(o)
	}
	return d
}

// defaultYear is the latest year with a World row, else the latest year.
func (d *tradeData) defaultYear(years []int) int {
	for i := len(years) - 1; i >= 0; i-- {
		if d.total(years[i]).Basis == "world" {
			return years[i]
		}
	}
	return years[len(years)-1]
}

func (d *tradeData) years() []int {
	var ys []int
	for y := range d.cells {
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
		return TradeTotal{Year: y, Turnover: w.turnover(), Basis: "world"}
	}
	var t float64
	for p, c := range d.cells[y] {
		if !IsAggregate(p) || unallocated[p] {
			t += c.turnover()
		}
	}
	return TradeTotal{Year: y, Turnover: t, Basis: "sum"}
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
			Turnover: c.turnover(), Complete: c.exp != nil && c.imp != nil, Selected: sel}
		if total > 0 {
			ps.Share = 100 * ps.Turnover / total
		}
		out = append(out, ps)
	}
	slices.SortFunc(out, func(a, b PartnerShare) int {
		return cmp.Or(cmp.Compare(b.Turnover, a.Turnover), strings.Compare(a.Partner, b.Partner))
	})
	return out
}

func (d *tradeData) combined(y int, selected []string) CombinedShare {
	tot := d.total(y)
	cs := CombinedShare{Year: y, Basis: tot.Basis, Covered: []string{}, Missing: []string{}}
	var sum float64
	for _, p := range selected {
		c := d.cells[y][p]
		if c == nil {
			cs.Missing = append(cs.Missing, p)
			continue
		}
		cs.Covered = append(cs.Covered, p)
		sum += c.turnover()
	}
	if len(cs.Covered) > 0 {
		cs.Share = percent(sum, tot.Turnover)
	}
	return cs
}

// coverage lists, in words, how the total was obtained and what is missing.
func (d *tradeData) coverage(r *TradeShareResult) []string {
	notes := []string{}
	for _, o := range r.Over {
		if o.Basis == "sum" {
			notes = append(notes, fmt.Sprintf("%d: no World row for both flows; the total is the sum over partners", o.Year))
		}
		if len(o.Missing) > 0 {
			notes = append(notes, fmt.Sprintf("%d: no trade figures for %s; the combined share covers %s only",
				o.Year, names(o.Missing), orNone(names(o.Covered))))
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

package importer

import (
	"math"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// imfMapper maps the IMF data portal report "Exports and Imports by Areas and
// Countries": title rows above the table give the flow ("Exports, FOB to Partner
// Countries"), the reporter ("Russian Federation") and the unit ("US Dollars,
// Millions"); the header row holds only years; each row is a partner, written in
// IMF spellings, with area aggregates mixed in and a "Memorandum Items" block of
// further aggregates at the bottom.
type imfMapper struct {
	label      int // partner-name column: the one left of the first year
	periods    []periodCol
	indicator  string
	reporter   string // as written above the table
	unitText   string
	reporterAt int // row of the reporter title, for errors
	scale      float64
	country    string // resolved reporter
	memo       bool   // inside the Memorandum Items block
	bad        bool   // the title rows could not be read: rows are not mapped
}

func detectIMFReport(h *header) (int, mapper) {
	periods := h.periods()
	if len(periods) < 2 {
		return 0, nil
	}
	for i, c := range h.cells {
		if trimSpace(c) != "" && !isPeriodCol(periods, i) {
			return 0, nil // a header with names belongs to another layout
		}
	}
	m := &imfMapper{label: periods[0].idx - 1, periods: periods, scale: 1}
	if m.label < 0 {
		return 0, nil
	}
	m.readTitles(h)
	if m.indicator == "" {
		return 0, nil
	}
	return 70, m
}

func isPeriodCol(pcs []periodCol, i int) bool {
	for _, pc := range pcs {
		if pc.idx == i {
			return true
		}
	}
	return false
}

// readTitles finds the flow, the unit and the reporter among the title rows.
func (m *imfMapper) readTitles(h *header) {
	m.flow(h.sheet)
	for i, row := range h.pre {
		for _, c := range row {
			t := trimSpace(c)
			lt := strings.ToLower(t)
			switch {
			case t == "":
			case strings.HasPrefix(lt, "exports") || strings.HasPrefix(lt, "imports"):
				m.flow(t)
			case strings.Contains(lt, "dollars") || strings.Contains(lt, "us$"):
				m.unitText = t
				m.scale = unitScale(lt)
			case m.reporter == "":
				m.reporter, m.reporterAt = t, h.preRows[i]
			}
		}
	}
}

func (m *imfMapper) flow(title string) {
	lt := strings.ToLower(trimSpace(title))
	switch {
	case strings.HasPrefix(lt, "exports"):
		m.indicator = indicators.ExportsCode
	case strings.HasPrefix(lt, "imports"):
		m.indicator = indicators.ImportsCode
	}
}

func unitScale(unit string) float64 {
	switch {
	case strings.Contains(unit, "billion"):
		return 1e9
	case strings.Contains(unit, "million"):
		return 1e6
	case strings.Contains(unit, "thousand"):
		return 1e3
	}
	return 1
}

func (m *imfMapper) start(r *run, headerRow int) {
	if m.reporter == "" {
		r.errorf(headerRow, -1, "no reporter country in the title rows above the table")
		m.bad = true
		return
	}
	code, ok := r.country(m.reporter, m.reporterAt, m.label)
	if !ok {
		m.bad = true
		return
	}
	m.country = code
	if m.unitText == "" {
		r.warnf(headerRow, -1, "no unit in the title rows: values taken as US$")
	} else if m.scale != 1 {
		r.count(headerRow, -1, "%d sheets in "+m.unitText+": values multiplied to US$")
	}
}

func (m *imfMapper) mapRow(r *run, row []string, n int) bool {
	name := trimSpace(cell(row, m.label))
	if m.bad || name == "" {
		return false
	}
	if strings.EqualFold(name, "Memorandum Items") {
		m.memo = true
		return false
	}
	partner, ok := m.partner(r, name, n)
	if !ok {
		return false
	}
	o := indicators.Observation{Indicator: m.indicator, Country: m.country, Partner: partner, Unit: "US$", Source: "IMF, Direction of Trade Statistics (data portal report)"}
	for _, pc := range m.periods {
		v, _, ok := r.value(cell(row, pc.idx), n, pc.idx)
		if !ok {
			continue
		}
		o.Value, o.Period = scaled(v, m.scale), pc.p
		r.emit(o, n, pc.idx)
	}
	return true
}

// partner resolves a partner row. World is the total (WLD); area aggregates are
// kept under the registry's aggregate codes (counted in a warning); areas the
// registry does not know are skipped and counted; an unknown name is an error with
// suggestions.
func (m *imfMapper) partner(r *run, name string, n int) (string, bool) {
	lname := strings.ToLower(name)
	if code, ok := imfOverrides[lname]; ok {
		return code, true
	}
	res, hit := r.countries[name]
	if !hit {
		res = r.resolve(name)
		r.countries[name] = res
	}
	switch {
	case res.err == "":
		return res.code, true
	case m.memo || imfAreas[lname] || strings.HasSuffix(lname, "not specified") || strings.HasSuffix(lname, "not included elsewhere"):
		r.count(n, m.label, "%d rows of IMF areas without a known code skipped")
		return "", false
	}
	r.errorf(n, m.label, "%s", res.err)
	return "", false
}

func (m *imfMapper) finish(*run) {}

// imfAreas are the IMF's area and analytical groups that appear as rows of its
// reports; they are sums of the countries listed with them.
var imfAreas = map[string]bool{
	"advanced economies": true, "euro area": true, "emerging and developing economies": true,
	"emerging and developing asia": true, "emerging and developing europe": true,
	"middle east and central asia": true, "sub-saharan africa": true, "western hemisphere": true,
	"other countries not included elsewhere": true, "special categories": true,
	"countries & areas not specified": true, "europe": true, "asia": true, "africa": true,
	"middle east": true, "european union": true, "cis": true,
	"emerging market and developing economies by source of export earnings: fuel":    true,
	"emerging market and developing economies by source of export earnings: nonfuel": true,
}

// imfOverrides are IMF area names whose plain reading would pick a different
// grouping: the IMF's Sub-Saharan Africa is not the World Bank's.
var imfOverrides = map[string]string{"world": "WLD", "sub-saharan africa": "XSF"}

// scaled multiplies v by a unit's scale. Figures in thousands, millions or
// billions carry at most whole-dollar precision, so the product is rounded: the
// float 9.9999999999999964 million is stored as 10000000, not 9999999.999999996.
func scaled(v, scale float64) float64 {
	if scale < 1e3 {
		return v * scale
	}
	return math.Round(v * scale)
}

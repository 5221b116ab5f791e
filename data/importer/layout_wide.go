package importer

import (
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// wideMapper unpivots a table with identifier columns and one column per period.
// The World Bank bulk CSV, DataBank exports and IMF DOTS exports are wide tables
// with their own identifier columns and quirks, so they share it.
type wideMapper struct {
	ind, indName, cty, ctyName, par, parName, unit, src, attr int
	periods                                                   []periodCol
	unitFor                                                   func(indicator string) string // default unit, may be nil
	source                                                    string                        // default source
	footnotes                                                 bool                          // DataBank: rows of notes below the table
}

func newWide() *wideMapper {
	return &wideMapper{ind: -1, indName: -1, cty: -1, ctyName: -1, par: -1, parName: -1, unit: -1, src: -1, attr: -1}
}

// detectWide matches identifier columns (indicator, country, optionally partner,
// unit, source) plus at least one period column.
func detectWide(h *header) (int, mapper) {
	m := newWide()
	m.ind, m.cty = h.find(indicatorAliases...), h.find(countryAliases...)
	m.par, m.unit, m.src = h.find(partnerAliases...), h.find(unitAliases...), h.find(sourceAliases...)
	m.periods = h.periods()
	if m.ind < 0 || m.cty < 0 || len(m.periods) == 0 {
		return 0, nil
	}
	if n := h.find("country name"); n >= 0 && n != m.cty {
		m.ctyName = n
	}
	return 40, m
}

// detectWorldBank matches the bulk download: Country Name, Country Code,
// Indicator Name, Indicator Code, 1960, 1961, ...
func detectWorldBank(h *header) (int, mapper) {
	want := []string{"country name", "country code", "indicator name", "indicator code"}
	if len(h.norm) < 5 {
		return 0, nil
	}
	for i, w := range want {
		if h.norm[i] != w {
			return 0, nil
		}
	}
	m := newWide()
	m.ctyName, m.cty, m.indName, m.ind = 0, 1, 2, 3
	m.periods = h.periods()
	m.source = "World Bank, World Development Indicators"
	if len(m.periods) == 0 {
		return 0, nil
	}
	return 90, m
}

// detectDataBank matches a DataBank export: Series Name, Series Code, Country
// Name, Country Code, 2000 [YR2000], ... (columns in any order).
func detectDataBank(h *header) (int, mapper) {
	m := newWide()
	m.ind, m.indName = h.find("series code"), h.find("series name", "series")
	m.cty, m.ctyName = h.find("country code", "economy code"), h.find("country name", "country", "economy")
	m.periods = h.periods()
	if m.ind < 0 || (m.cty < 0 && m.ctyName < 0) || len(m.periods) == 0 {
		return 0, nil
	}
	m.footnotes = true
	m.source = "World Bank, DataBank"
	return 85, m
}

// detectDOTS matches the IMF DOTS time-series export (Country Name, Country Code,
// Indicator Name, Indicator Code, Counterpart Country Name, Counterpart Country
// Code, Attribute, periods); only Attribute = Value rows carry figures.
func detectDOTS(h *header) (int, mapper) {
	m := newWide()
	m.attr = h.find("attribute")
	m.par, m.parName = h.find("counterpart country code"), h.find("counterpart country name")
	m.ind, m.indName = h.find("indicator code"), h.find("indicator name")
	m.cty, m.ctyName = h.find("country code"), h.find("country name")
	m.periods = h.periods()
	if m.attr < 0 || (m.par < 0 && m.parName < 0) || m.ind < 0 || (m.cty < 0 && m.ctyName < 0) || len(m.periods) == 0 {
		return 0, nil
	}
	m.source = "IMF, Direction of Trade Statistics"
	m.unitFor = func(ind string) string {
		if strings.HasSuffix(ind, "_USD") {
			return "US$"
		}
		return ""
	}
	return 90, m
}

func (m *wideMapper) mapRow(r *run, row []string, n int) bool {
	if m.attr >= 0 && !strings.EqualFold(trimSpace(cell(row, m.attr)), "value") {
		return false // DOTS: Status and other attribute rows
	}
	ind := trimSpace(cell(row, m.ind))
	if ind == "" {
		ind = trimSpace(cell(row, m.indName))
	}
	ctyRaw, ctyCol := pick(row, m.cty, m.ctyName)
	if ind == "" && ctyRaw == "" || m.footnotes && isFootnote(row) {
		return false // notes, "Data from database: ...", "Last Updated: ..."
	}
	if ind == "" {
		r.errorf(n, max(m.ind, m.indName), "indicator is empty")
		return true
	}
	o := indicators.Observation{Indicator: r.str(ind), Source: m.source}
	ok := true
	if o.Country, ok = r.countryOr(ctyRaw, cell(row, m.ctyName), n, ctyCol); !ok {
		return true
	}
	if parRaw, parCol := pick(row, m.par, m.parName); parRaw != "" {
		if o.Partner, ok = r.countryOr(parRaw, cell(row, m.parName), n, parCol); !ok {
			return true
		}
	}
	o.Unit = r.str(trimSpace(cell(row, m.unit)))
	if o.Unit == "" && m.unitFor != nil {
		o.Unit = m.unitFor(o.Indicator)
	}
	if s := trimSpace(cell(row, m.src)); s != "" {
		o.Source = r.str(s)
	}
	unit := o.Unit
	for _, pc := range m.periods {
		v, pct, ok := r.value(cell(row, pc.idx), n, pc.idx)
		if !ok {
			continue
		}
		o.Value, o.Period, o.Unit = v, pc.p, unit
		if pct {
			o.Unit = r.percentUnit(unit, n, pc.idx)
		}
		r.emit(o, n, pc.idx)
	}
	return true
}

func (m *wideMapper) finish(*run) {}

func (m *wideMapper) textColumns() [nTextFields]int {
	ind := m.ind
	if ind < 0 {
		ind = m.indName
	}
	return [nTextFields]int{textIndicator: ind, textUnit: m.unit, textSource: m.src, textNote: -1, textVintage: -1}
}

// pick returns the code cell if it has text, else the name cell, with its column.
func pick(row []string, code, name int) (string, int) {
	if s := trimSpace(cell(row, code)); s != "" {
		return s, code
	}
	return trimSpace(cell(row, name)), name
}

// countryOr resolves a code, falling back to the name column when the code is not
// known (an IMF numeric code the registry lacks, say); the error names the code.
func (r *run) countryOr(raw, name string, n, col int) (string, bool) {
	res, hit := r.countries[raw]
	if !hit {
		res = r.resolve(raw)
		if res.err != "" && trimSpace(name) != "" && trimSpace(name) != raw {
			if alt := r.resolve(name); alt.err == "" {
				res = alt
			}
		}
		r.countries[strings.Clone(raw)] = res
	}
	if res.err != "" {
		r.errorf(n, col, "%s", res.err)
		return "", false
	}
	return res.code, true
}

// isFootnote reports a DataBank note row: text in the first cell only, such as
// "Data from database: World Development Indicators" or "Last Updated: 05/10/2023".
func isFootnote(row []string) bool {
	first := strings.ToLower(trimSpace(cell(row, 0)))
	for _, p := range []string{"data from database", "last updated", "source:", "note", "footnote"} {
		if strings.HasPrefix(first, p) {
			return true
		}
	}
	for _, c := range row[1:] {
		if trimSpace(c) != "" {
			return false
		}
	}
	return first != ""
}

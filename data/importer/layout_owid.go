package importer

import (
	"fmt"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// owidMapper maps Our World in Data's grapher CSV: Entity, Code, Year, then one
// column per indicator. A column headed by an indicator code (as Clout's own
// OWID export writes it) keeps that code; a column headed by a title ("Share
// (%)") is stored under a code made from it (OWID.SHARE, unit %), said in the
// report. OWID's own regions without an ISO code ("Asia", "High-income
// countries") are skipped and counted unless Clout knows the name.
type owidMapper struct {
	entity, code, year int
	cols               []owidColumn
	entities           map[string]owidEntity
	skipped            string // the warning of skipped regions
}

type owidColumn struct {
	idx             int
	indicator, unit string
}

type owidEntity struct {
	code string
	skip bool
}

// owidAreas are OWID's codes for areas without an ISO code.
var owidAreas = areaCodes{"OWID_WRL": "WLD", "OWID_KOS": "XKX"}

func detectOWID(h *header) (int, mapper) {
	m := &owidMapper{entity: h.find("entity"), code: h.find("code"), year: h.find("year", "period"), entities: map[string]owidEntity{}}
	if m.entity < 0 || m.code < 0 || m.year < 0 {
		return 0, nil
	}
	for i, c := range h.cells {
		if i == m.entity || i == m.code || i == m.year || trimSpace(c) == "" {
			continue
		}
		ind, unit := owidIndicator(c)
		m.cols = append(m.cols, owidColumn{idx: i, indicator: ind, unit: unit})
	}
	if len(m.cols) == 0 {
		return 0, nil
	}
	return 88, m
}

// owidIndicator turns a column header into an indicator code and unit.
func owidIndicator(title string) (code, unit string) {
	t := trimSpace(title)
	if indicators.IsIndicatorCode(t) && strings.ContainsAny(t, "._") {
		return t, ""
	}
	name := t
	if open := strings.LastIndexByte(t, '('); open > 0 && strings.HasSuffix(t, ")") {
		name, unit = trimSpace(t[:open]), trimSpace(t[open+1:len(t)-1])
	}
	var b strings.Builder
	for _, w := range strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteString(w)
	}
	code = "OWID." + b.String()
	if len(code) > indicators.MaxCodeLen {
		code = code[:indicators.MaxCodeLen]
	}
	return code, unit
}

// start says which columns were named from their titles.
func (m *owidMapper) start(r *run, headerRow int) {
	var named []string
	for _, c := range m.cols {
		if strings.HasPrefix(c.indicator, "OWID.") {
			named = append(named, fmt.Sprintf("%q → %s", trimSpace(r.colName(c.idx)), c.indicator))
		}
	}
	if len(named) > 0 {
		r.warnf(headerRow, -1, "%d columns named by a title are stored under codes made from it: %s", len(named), strings.Join(named, ", "))
	}
}

func (m *owidMapper) mapRow(r *run, row []string, n int) bool {
	name, code := trimSpace(cell(row, m.entity)), trimSpace(cell(row, m.code))
	if name == "" && code == "" {
		return false
	}
	o := indicators.Observation{Source: "Our World in Data"}
	ok := true
	if o.Country, ok = m.country(r, name, code, n); !ok {
		return true
	}
	if o.Country == "" {
		if m.skipped == "" { // one warning, naming the first region as the example
			m.skipped = "%d rows of OWID regions and groups without an ISO code (" + strings.ReplaceAll(name, "%", "%%") + "...) skipped"
		}
		r.count(n, m.entity, m.skipped)
		return false
	}
	if o.Period, ok = r.period(cell(row, m.year), n, m.year); !ok {
		return true
	}
	for _, c := range m.cols {
		v, pct, ok := r.value(cell(row, c.idx), n, c.idx)
		if !ok {
			continue
		}
		o.Indicator, o.Unit, o.Value = r.str(c.indicator), r.str(c.unit), v
		if pct {
			o.Unit = r.percentUnit(o.Unit, n, c.idx)
		}
		r.emit(o, n, c.idx)
	}
	return true
}

// country resolves an entity: its OWID or ISO code, else its name; "" (no
// error) for an OWID region Clout does not know.
func (m *owidMapper) country(r *run, name, code string, n int) (string, bool) {
	if c, ok := owidAreas.lookup(code); ok {
		return c, true
	}
	if code != "" && !strings.HasPrefix(strings.ToUpper(code), "OWID_") {
		return r.countryOr(code, name, n, m.code)
	}
	e, hit := m.entities[name]
	if !hit {
		res := r.resolve(name)
		e = owidEntity{code: res.code, skip: res.err != ""}
		m.entities[strings.Clone(name)] = e
	}
	return e.code, true
}

func (m *owidMapper) finish(*run) {}

package importer

import (
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// oecdMapper maps OECD.Stat and IEA exports, whose dimensions come as code–label
// column pairs (ORIGIN,Origin,PRODUCT,Product,COUNTRY,Country,TIME,Time,Value,
// Flag Codes,Flags). Imports of natural gas by COUNTRY from ORIGIN become Clout's
// gas exports (NATGAS_EXP_MCM) of ORIGIN to COUNTRY: figures reported by the
// importer (mirror data), and the source says so. Exports by COUNTRY to
// DESTINATION are the same indicator as the exporter reports it. The IEA's
// aggregates (IEATOT, OECDEUR, EU28, OTO...) are kept under Clout's area codes.
type oecdMapper struct {
	country, origin, dest, period, value, unit pair
	parts                                      []pair // dimensions that make the indicator code
}

// pair is a code column and its label column (-1 when absent).
type pair struct{ code, label int }

var noPair = pair{-1, -1}

func detectOECD(h *header) (int, mapper) {
	m := &oecdMapper{country: noPair, origin: noPair, dest: noPair, period: noPair, value: noPair, unit: noPair}
	pairs := 0
	for i := 0; i < len(h.cells); i++ {
		p := pair{code: i, label: -1}
		if i+1 < len(h.cells) && h.norm[i] == h.norm[i+1] && h.norm[i] != "" {
			p.label = i + 1
			pairs++
		}
		switch h.norm[i] {
		case "location", "country", "cou", "ref area", "reporter":
			m.country = p
		case "origin", "partner", "counterpart", "counterpart area", "cou2":
			m.origin = p
		case "destination", "dest":
			m.dest = p
		case "time", "time period", "year", "period":
			m.period = p
		case "value", "obs value":
			m.value = pair{code: i, label: -1}
		case "unit", "unit code", "unit measure":
			m.unit = p
		case "product", "subject", "indicator", "measure", "flow", "variable", "var", "balance":
			m.parts = append(m.parts, p)
		}
		if p.label >= 0 {
			i++
		}
	}
	if pairs == 0 || m.country.code < 0 || m.period.code < 0 || m.value.code < 0 || len(m.parts) == 0 && m.origin.code < 0 && m.dest.code < 0 {
		return 0, nil
	}
	return 80, m
}

const (
	mirrorSource = "IEA/OECD: imports reported by the partner country (mirror data)"
	exportSource = "IEA/OECD: exports reported by the exporting country"
)

func (m *oecdMapper) mapRow(r *run, row []string, n int) bool {
	o := indicators.Observation{Indicator: m.indicator(r, row)}
	ok := true
	if o.Country, ok = m.area(r, row, m.country, n); !ok {
		return true
	}
	if o.Period, ok = r.period(cell(row, m.period.code), n, m.period.code); !ok {
		return true
	}
	unitCode, unitLabel := trimSpace(cell(row, m.unit.code)), trimSpace(cell(row, m.unit.label))
	o.Unit = r.str(firstNonEmpty(unitLabel, unitCode))
	if p := m.partnerPair(); p.code >= 0 {
		partner, ok := m.area(r, row, p, n)
		if !ok {
			return true
		}
		o.Partner = partner
		if o.Indicator == indicators.GasExportsCode {
			if o.Unit != "" && !isMCM(unitCode, unitLabel) {
				r.errorf(n, m.unit.code, "natural-gas flows must be in million m3, not %q", o.Unit)
				return true
			}
			o.Unit, o.Source = "million m3", exportSource
			if m.origin.code >= 0 { // imports by origin: the origin is the exporter
				o.Country, o.Partner, o.Source = partner, o.Country, mirrorSource
			}
		}
	}
	v, pct, ok := r.value(cell(row, m.value.code), n, m.value.code)
	if !ok {
		return true
	}
	o.Value = v
	if pct {
		o.Unit = r.percentUnit(o.Unit, n, m.value.code)
	}
	r.emit(o, n, m.value.code)
	return true
}

// indicator builds the indicator code from the dimension codes; gas imports by
// origin are NATGAS_EXP_MCM.
func (m *oecdMapper) indicator(r *run, row []string) string {
	var codes []string
	gas := false
	for _, p := range m.parts {
		code, label := trimSpace(cell(row, p.code)), strings.ToLower(cell(row, p.label))
		if isGas(code, label) {
			gas = true
		}
		if code != "" {
			codes = append(codes, code)
		}
	}
	if gas && m.partnerPair().code >= 0 {
		return indicators.GasExportsCode
	}
	if len(codes) == 1 {
		return r.str(codes[0])
	}
	return r.str(strings.Join(codes, "."))
}

func isGas(code, label string) bool {
	switch strings.ToUpper(code) {
	case "NATGAS", "NATURAL_GAS", "NG", "GAS", "NGAS":
		return true
	}
	return strings.Contains(label, "natural gas")
}

func isMCM(code, label string) bool {
	for _, s := range []string{code, label} {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "mcm", "mm3", "million m3", "million cubic metres", "million cubic meters", "millions of cubic metres", "mln m3":
			return true
		}
	}
	return false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func (m *oecdMapper) finish(*run) {}

// partnerPair is the ORIGIN columns of an imports file, else the DESTINATION
// columns of an exports file (noPair when neither).
func (m *oecdMapper) partnerPair() pair {
	if m.origin.code >= 0 {
		return m.origin
	}
	return m.dest
}

// area resolves a country or partner cell, reading the IEA's aggregate codes
// first: they are kept (as aggregates, said in the report), never refused.
func (m *oecdMapper) area(r *run, row []string, p pair, n int) (string, bool) {
	raw := trimSpace(cell(row, p.code))
	if code, ok := ieaAreas.lookup(raw); ok {
		return code, true
	}
	return r.countryOr(raw, cell(row, p.label), n, p.code)
}

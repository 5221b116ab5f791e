package importer

import (
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// databankRowsMapper maps a DataBank export laid out with time in rows: Time,
// Time Code, Country Name, Country Code, then one column per series whose header
// ends in its code in brackets ("Population, total [SP.POP.TOTL]").
type databankRowsMapper struct {
	time, timeCode, cty, ctyName int
	series                       []seriesCol
}

// seriesCol is a column holding one indicator's values.
type seriesCol struct {
	idx  int
	code string
}

func detectDataBankRows(h *header) (int, mapper) {
	m := &databankRowsMapper{time: h.find("time"), timeCode: h.find("time code"),
		cty: h.find("country code", "economy code"), ctyName: h.find("country name", "country", "economy")}
	if m.time < 0 || m.timeCode < 0 || (m.cty < 0 && m.ctyName < 0) {
		return 0, nil
	}
	for i, c := range h.cells {
		if code := bracketCode(c); code != "" && !strings.HasPrefix(code, "YR") {
			m.series = append(m.series, seriesCol{idx: i, code: code})
		}
	}
	if len(m.series) == 0 {
		return 0, nil
	}
	return 86, m
}

// bracketCode returns the code in a header's trailing brackets ("[SP.POP.TOTL]").
func bracketCode(s string) string {
	s = trimSpace(s)
	open := strings.LastIndexByte(s, '[')
	if open < 0 || !strings.HasSuffix(s, "]") {
		return ""
	}
	return trimSpace(s[open+1 : len(s)-1])
}

func (m *databankRowsMapper) mapRow(r *run, row []string, n int) bool {
	ctyRaw, ctyCol := pick(row, m.cty, m.ctyName)
	if ctyRaw == "" || isFootnote(row) {
		return false // "Data from database: ...", "Last Updated: ..."
	}
	o := indicators.Observation{Source: "World Bank, DataBank"}
	ok := true
	if o.Country, ok = r.countryOr(ctyRaw, cell(row, m.ctyName), n, ctyCol); !ok {
		return true
	}
	perRaw, perCol := pick(row, m.time, m.timeCode)
	if o.Period, ok = r.period(strings.TrimPrefix(perRaw, "YR"), n, perCol); !ok {
		return true
	}
	for _, s := range m.series {
		v, pct, ok := r.value(cell(row, s.idx), n, s.idx)
		if !ok {
			continue
		}
		o.Indicator, o.Value, o.Unit = r.str(s.code), v, ""
		if pct {
			o.Unit = r.percentUnit("", n, s.idx)
		}
		r.emit(o, n, s.idx)
	}
	return true
}

func (m *databankRowsMapper) finish(*run) {}

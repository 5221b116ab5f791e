package importer

import (
	"fmt"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// seriesMapper maps one indicator in long form, as the datasets/* data packages
// publish it: Country Name, Country Code, Year, Value. The rows do not say which
// indicator they hold, so it comes from the request (--indicator, indicator=) or
// from the file's name (population.csv, sp.pop.totl.csv), and the report says
// which.
type seriesMapper struct {
	cty, ctyName, year, val int
	indicator               string
}

func detectSeries(h *header) (int, mapper) {
	m := &seriesMapper{cty: h.find("country code", "iso3", "iso3 code", "code"), ctyName: h.find("country name", "country", "entity"),
		year: h.find("year", "period", "time", "date"), val: h.find(valueAliases...)}
	if (m.cty < 0 && m.ctyName < 0) || m.year < 0 || m.val < 0 || h.find(indicatorAliases...) >= 0 {
		return 0, nil
	}
	return 45, m
}

// start settles the indicator before any row: a file without one is refused at
// its header, not at each of its rows.
func (m *seriesMapper) start(r *run, headerRow int) {
	code, from := seriesIndicator(r.req)
	switch {
	case code == "":
		r.errorf(headerRow, m.val, "which indicator are these values? the file has no indicator column and its name %q names none: give --indicator CODE (indicator= in the API) or name the file after the indicator (sp.pop.totl.csv)", displayName(r.req.FileName))
	case !indicators.IsIndicatorCode(code):
		r.errorf(headerRow, m.val, "%s", indicators.ErrorMessage(indicators.CheckIndicatorCode(code)))
	default:
		m.indicator = r.str(code)
		r.warnf(headerRow, m.val, "indicator %s %s (the file has no indicator column)", code, from)
	}
}

// seriesNames are file names of the data packages that name a known indicator.
var seriesNames = map[string]string{
	"population": indicators.PopulationCode, "pop": indicators.PopulationCode,
	"gdp-ppp": indicators.GDPPPPCode, "gdp_ppp": indicators.GDPPPPCode, "gdpppp": indicators.GDPPPPCode,
	"gdp": indicators.GDPCode,
}

// seriesIndicator returns the indicator of a long single-series file and where
// it came from.
func seriesIndicator(req Request) (code, from string) {
	if s := trimSpace(req.Indicator); s != "" {
		return s, "as requested"
	}
	base := strings.ToLower(DatasetName(req.FileName))
	if code, ok := seriesNames[base]; ok {
		return code, fmt.Sprintf("recognised from the file name %q", req.FileName)
	}
	if strings.Contains(base, ".") && indicators.IsIndicatorCode(base) {
		return strings.ToUpper(base), fmt.Sprintf("taken from the file name %q", req.FileName)
	}
	return "", ""
}

func (m *seriesMapper) mapRow(r *run, row []string, n int) bool {
	ctyRaw, ctyCol := pick(row, m.cty, m.ctyName)
	if ctyRaw == "" && trimSpace(cell(row, m.val)) == "" {
		return false
	}
	if m.indicator == "" {
		return true // refused at the header
	}
	o := indicators.Observation{Indicator: m.indicator}
	ok := true
	if o.Country, ok = r.countryOr(ctyRaw, cell(row, m.ctyName), n, ctyCol); !ok {
		return true
	}
	if o.Period, ok = r.period(cell(row, m.year), n, m.year); !ok {
		return true
	}
	v, pct, ok := r.value(cell(row, m.val), n, m.val)
	if !ok {
		return true
	}
	o.Value = v
	if pct {
		o.Unit = r.percentUnit("", n, m.val)
	}
	r.emit(o, n, m.val)
	return true
}

func (m *seriesMapper) finish(*run) {}

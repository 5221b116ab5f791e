package importer

import (
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// tidyMapper maps Clout's own layout: one observation per row, with optional
// flag, note and vintage columns.
type tidyMapper struct {
	ind, cty, par, per, val, unit, src, flag, note, vin int
	flags                                               map[string][]indicators.Flag // parsed flag cells
}

func detectTidy(h *header) (int, mapper) {
	m := &tidyMapper{
		ind: h.find(indicatorAliases...), cty: h.find(countryAliases...), par: h.find(partnerAliases...),
		per: h.find(periodAliases...), val: h.find(valueAliases...), unit: h.find(unitAliases...), src: h.find(sourceAliases...),
		flag: h.find(flagAliases...), note: h.find(noteAliases...), vin: h.find(vintageAliases...),
		flags: map[string][]indicators.Flag{},
	}
	if m.ind < 0 || m.cty < 0 || m.per < 0 || m.val < 0 {
		return 0, nil
	}
	return 50, m
}

func (m *tidyMapper) mapRow(r *run, row []string, n int) bool {
	ind := trimSpace(cell(row, m.ind))
	if ind == "" && trimSpace(cell(row, m.cty)) == "" && trimSpace(cell(row, m.val)) == "" {
		return false // a note or a half-empty row below the table
	}
	o := indicators.Observation{Indicator: r.str(ind), Unit: r.str(trimSpace(cell(row, m.unit))), Source: r.str(trimSpace(cell(row, m.src)))}
	ok := true
	if o.Country, ok = r.country(cell(row, m.cty), n, m.cty); !ok {
		return true
	}
	if raw := cell(row, m.par); m.par >= 0 && trimSpace(raw) != "" {
		if o.Partner, ok = r.country(raw, n, m.par); !ok {
			return true
		}
	}
	if o.Period, ok = r.period(cell(row, m.per), n, m.per); !ok {
		return true
	}
	v, pct, ok := r.value(cell(row, m.val), n, m.val)
	if !ok {
		return true
	}
	o.Value = v
	if pct {
		o.Unit = r.percentUnit(o.Unit, n, m.val)
	}
	if o.Flags, ok = m.parseFlags(r, cell(row, m.flag), n); !ok {
		return true
	}
	o.Note, o.Vintage = r.str(trimSpace(cell(row, m.note))), r.str(NormalizeVintage(cell(row, m.vin)))
	if ind == "" {
		r.errorf(n, m.ind, "indicator is empty")
		return true
	}
	r.emit(o, n, m.val)
	return true
}

func (m *tidyMapper) finish(*run) {}

func (m *tidyMapper) textColumns() [nTextFields]int {
	return [nTextFields]int{textIndicator: m.ind, textUnit: m.unit, textSource: m.src, textNote: m.note, textVintage: m.vin}
}

// parseFlags reads a flag cell ("derived; lower_bound"), caching each distinct
// text; an unknown flag is an error at the cell. Observations share the cached
// slice, which nothing modifies.
func (m *tidyMapper) parseFlags(r *run, raw string, n int) ([]indicators.Flag, bool) {
	s := trimSpace(raw)
	if s == "" {
		return nil, true
	}
	if fs, ok := m.flags[s]; ok {
		return fs, true
	}
	fs, err := indicators.ParseFlags(s)
	if err != nil {
		r.errorf(n, m.flag, "%v", err)
		return nil, false
	}
	m.flags[strings.Clone(s)] = fs
	return fs, true
}

// percentUnit notes that a value was written with a % sign: the number is kept as
// written and the unit says "%".
func (r *run) percentUnit(unit string, n, col int) string {
	r.count(n, col, "%d values written with a percent sign: stored as percentages (unit %%)")
	if unit == "" {
		return "%"
	}
	return unit
}

package importer

import (
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// comtradeMapper maps UN Comtrade downloads, legacy (Year, Trade Flow, Reporter ISO,
// Partner ISO, Commodity Code, Trade Value (US$) among ~35 columns) and Comtrade+
// (refYear/period, flowCode X/M, reporterISO, partnerISO, cmdCode, primaryValue).
// Exports become TXG_FOB_USD and imports TMG_CIF_USD; partner World is WLD.
type comtradeMapper struct {
	per, year, flow, rep, repName, par, parName, parCode, cmd, val int
	sum                                                            bool
	sums                                                           map[indicators.Key]*commoditySum
	order                                                          []indicators.Key
	totals                                                         map[indicators.Key]bool
}

type commoditySum struct {
	o   indicators.Observation
	row int
}

func detectComtrade(h *header) (int, mapper) {
	m := &comtradeMapper{
		per: h.find("period"), year: h.find("year", "refyear"),
		flow: h.find("trade flow", "flowcode", "trade flow code", "flowdesc"),
		rep:  h.find("reporter iso", "reporteriso"), repName: h.find("reporter", "reporterdesc"),
		par: h.find("partner iso", "partneriso"), parName: h.find("partner", "partnerdesc"),
		parCode: h.find("partner code", "partnercode"),
		cmd:     h.find("commodity code", "cmdcode"), val: h.find("trade value (us$)", "primaryvalue", "trade value"),
	}
	if m.flow < 0 || m.val < 0 || (m.rep < 0 && m.repName < 0) || (m.par < 0 && m.parName < 0 && m.parCode < 0) || (m.per < 0 && m.year < 0) {
		return 0, nil
	}
	return 95, m
}

func (m *comtradeMapper) start(r *run, _ int) {
	m.sum = r.req.SumCommodities
	m.sums, m.totals = map[indicators.Key]*commoditySum{}, map[indicators.Key]bool{}
}

// comtradeFlows maps flow texts and codes to indicators; "" marks flows skipped.
var comtradeFlows = map[string]string{
	"export": indicators.ExportsCode, "exports": indicators.ExportsCode, "x": indicators.ExportsCode, "2": indicators.ExportsCode,
	"import": indicators.ImportsCode, "imports": indicators.ImportsCode, "m": indicators.ImportsCode, "1": indicators.ImportsCode,
	"re-export": "", "re-exports": "", "re-import": "", "re-imports": "", "rx": "", "rm": "", "3": "", "4": "",
}

func (m *comtradeMapper) mapRow(r *run, row []string, n int) bool {
	flow := strings.ToLower(trimSpace(cell(row, m.flow)))
	ind, known := comtradeFlows[flow]
	switch {
	case !known:
		r.errorf(n, m.flow, "trade flow %q is neither an export nor an import", cell(row, m.flow))
		return true
	case ind == "":
		r.count(n, m.flow, "%d re-export and re-import rows skipped")
		return false
	}
	o := indicators.Observation{Indicator: ind, Unit: "US$", Source: "UN Comtrade"}
	ok := true
	repRaw, repCol := pick(row, m.rep, m.repName)
	if o.Country, ok = r.countryOr(repRaw, cell(row, m.repName), n, repCol); !ok {
		return true
	}
	if o.Partner, ok = m.partner(r, row, n); !ok {
		return true
	}
	perRaw, perCol := pick(row, m.per, m.year)
	if o.Period, ok = r.period(perRaw, n, perCol); !ok {
		return true
	}
	v, _, ok := r.value(cell(row, m.val), n, m.val)
	if !ok {
		return true
	}
	o.Value = v
	cmd := trimSpace(cell(row, m.cmd))
	if cmd == "" || strings.EqualFold(cmd, "TOTAL") {
		if m.sum {
			m.totals[o.Key()] = true
		}
		r.emit(o, n, m.val)
		return true
	}
	if !m.sum {
		r.errorf(n, m.cmd, "commodity %q is not the total (TOTAL): download totals, or ask to sum commodities", cmd)
		return true
	}
	m.add(o, n)
	return true
}

// partner resolves the partner, with World (WLD, W00, code 0) as the total.
func (m *comtradeMapper) partner(r *run, row []string, n int) (string, bool) {
	raw, col := pick(row, m.par, m.parName)
	switch strings.ToUpper(raw) {
	case "WLD", "W00", "WORLD":
		return "WLD", true
	case "":
		if c := trimSpace(cell(row, m.parCode)); c == "0" {
			return "WLD", true
		}
	}
	return r.countryOr(raw, cell(row, m.parName), n, col)
}

func (m *comtradeMapper) add(o indicators.Observation, n int) {
	k := o.Key()
	if s := m.sums[k]; s != nil {
		s.o.Value += o.Value
		return
	}
	m.sums[k] = &commoditySum{o: o, row: n}
	m.order = append(m.order, k)
}

// finish emits the commodity sums, except where the file also gives the total.
func (m *comtradeMapper) finish(r *run) {
	for _, k := range m.order {
		s := m.sums[k]
		if m.totals[k] {
			r.count(s.row, m.cmd, "%d commodity sums not used because the file also gives the TOTAL")
			continue
		}
		r.count(s.row, m.cmd, "%d observations summed over commodities")
		r.emit(s.o, s.row, m.val)
	}
}

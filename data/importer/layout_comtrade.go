package importer

import (
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// comtradeMapper maps UN Comtrade downloads, legacy (Year, Trade Flow, Reporter ISO,
// Partner ISO, Commodity Code, Trade Value (US$) among ~35 columns) and Comtrade+
// (refYear/period, flowCode X/M, reporterISO, partnerISO, cmdCode, primaryValue).
// Exports become TXG_FOB_USD and imports TMG_CIF_USD; partner World is WLD.
// Rows of one commodity are stored under a commodity-specific code
// (TXG_FOB_USD.HS1007): a file of wheat is not a file of total goods. Special
// areas (areas n.e.s., bunkers, free zones, the EU-28 as reporter) are kept.
type comtradeMapper struct {
	per, year, flow, rep, repName, par, parName, parCode, cmd, class, val int
	sum                                                                   bool
	sums                                                                  map[indicators.Key]*commoditySum
	order                                                                 []indicators.Key
	totals                                                                map[indicators.Key]bool
	chapters                                                              map[string]bool // HS chapters (AG2) seen, to prove a sum is total goods
	cmds                                                                  map[string]bool // other commodity codes seen
	single                                                                string          // the warning of commodity-specific codes
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
		class: h.find("classification", "classificationcode"),
	}
	if m.flow < 0 || m.val < 0 || (m.rep < 0 && m.repName < 0) || (m.par < 0 && m.parName < 0 && m.parCode < 0) || (m.per < 0 && m.year < 0) {
		return 0, nil
	}
	return 95, m
}

func (m *comtradeMapper) start(r *run, _ int) {
	m.sum = r.req.SumCommodities
	m.sums, m.totals = map[indicators.Key]*commoditySum{}, map[indicators.Key]bool{}
	m.chapters, m.cmds = map[string]bool{}, map[string]bool{}
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
	if o.Country, ok = m.area(r, repRaw, cell(row, m.repName), n, repCol); !ok {
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
		o.Indicator = r.str(o.Indicator + "." + m.classPrefix(row) + cmd)
		if m.single == "" { // one warning, naming the first code as the example
			m.single = "%d observations of single commodities stored under commodity codes (" + o.Indicator + "...), not as total goods"
		}
		r.count(n, m.cmd, m.single)
		r.emit(o, n, m.val)
		return true
	}
	if isChapter(cmd) {
		m.chapters[cmd] = true
	} else {
		m.cmds[r.str(cmd)] = true
	}
	m.add(o, n)
	return true
}

// classPrefix names the classification of the commodity codes: HS unless the
// file says SITC or BEC.
func (m *comtradeMapper) classPrefix(row []string) string {
	c := strings.ToUpper(trimSpace(cell(row, m.class)))
	switch {
	case strings.HasPrefix(c, "S"):
		return "SITC"
	case strings.HasPrefix(c, "B"):
		return "BEC"
	}
	return "HS"
}

// hsChapters is how many chapters (AG2 codes 01–97, without the reserved 77) the
// HS has: a sum over all of them is total goods.
const hsChapters = 96

func isChapter(cmd string) bool {
	return len(cmd) == 2 && cmd >= "01" && cmd <= "97" && cmd != "77"
}

// allChapters reports whether the file holds every HS chapter and nothing else,
// the only case where a sum of commodity rows is provably total goods.
func (m *comtradeMapper) allChapters() bool {
	return len(m.chapters) == hsChapters && len(m.cmds) == 0
}

// area resolves a reporter or partner, reading Comtrade's special codes first.
func (m *comtradeMapper) area(r *run, raw, name string, n, col int) (string, bool) {
	if code, ok := comtradeAreas.lookup(raw); ok {
		r.count(n, col, "%d rows with Comtrade special areas (areas n.e.s., bunkers, free zones, EU-28) kept as areas")
		return code, true
	}
	return r.countryOr(raw, name, n, col)
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
	return m.area(r, raw, cell(row, m.parName), n, col)
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

// finish emits the commodity sums, except where the file also gives the total;
// a sum that is not provably total goods (some chapters missing) is an error.
func (m *comtradeMapper) finish(r *run) {
	refused := false
	for _, k := range m.order {
		s := m.sums[k]
		switch {
		case m.totals[k]:
			r.count(s.row, m.cmd, "%d commodity sums not used because the file also gives the TOTAL")
		case !m.allChapters():
			if !refused {
				refused = true
				r.errorf(s.row, m.cmd, "cannot sum commodities into total goods: the file holds %d of the %d HS chapters%s and no TOTAL for %s %s %s; download the TOTAL or every chapter (AG2), or import without sum-commodities to store each commodity under its own code",
					len(m.chapters), hsChapters, m.otherCodes(), s.o.Country, s.o.Partner, s.o.Period)
			}
		default:
			r.count(s.row, m.cmd, "%d observations summed over all HS chapters")
			r.emit(s.o, s.row, m.val)
		}
	}
}

// otherCodes lists some commodity codes that are not chapters, for the error.
func (m *comtradeMapper) otherCodes() string {
	if len(m.cmds) == 0 {
		return ""
	}
	return " (and commodities " + listSome(m.cmds, 5) + ")"
}

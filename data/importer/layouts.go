package importer

import (
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// layout is one spreadsheet layout: a name (as --format takes it), and a detector
// that looks at a candidate header row (and the rows above it) and, if the row is
// its header, returns a score (higher = more specific) and a mapper set up for it.
type layout struct {
	name    string
	aliases []string
	detect  func(h *header) (int, mapper)
}

// mapper turns the rows below a header into observations. mapRow returns false for
// a row that holds no data (footnotes, other attributes), which is counted as
// skipped.
type mapper interface {
	mapRow(r *run, row []string, n int) bool
	finish(r *run)
}

// starter is a mapper that checks its header once it has been chosen (and may
// record errors, e.g. an unknown reporter in an IMF report's title rows).
type starter interface {
	start(r *run, headerRow int)
}

// registry lists the layouts in detection order; on equal scores the earlier wins.
var registry = []*layout{
	{name: "comtrade", aliases: []string{"un-comtrade", "comtradeplus", "comtrade+"}, detect: detectComtrade},
	{name: "dots", aliases: []string{"imf", "imf-dots"}, detect: detectDOTS},
	{name: "worldbank", aliases: []string{"wb", "world-bank", "wdi"}, detect: detectWorldBank},
	{name: "databank", aliases: []string{"wb-databank"}, detect: detectDataBank},
	{name: "databank-rows", aliases: []string{"databank-time-rows"}, detect: detectDataBankRows},
	{name: "oecd", aliases: []string{"iea", "oecd.stat", "oecdstat"}, detect: detectOECD},
	{name: "imfreport", aliases: []string{"imf-report", "imf-portal"}, detect: detectIMFReport},
	{name: "tidy", aliases: []string{"long", "template"}, detect: detectTidy},
	{name: "owid", aliases: []string{"our-world-in-data", "grapher"}, detect: detectOWID},
	{name: "series", aliases: []string{"country-year-value", "datapackage"}, detect: detectSeries},
	{name: "wide", aliases: nil, detect: detectWide},
}

// Formats lists the layout names Request.Format accepts besides "auto".
func Formats() []string {
	out := make([]string, len(registry))
	for i, l := range registry {
		out[i] = l.name
	}
	return out
}

// CheckFormat returns nil for a Request.Format that Import accepts ("auto", a
// name of Formats or one of its aliases) and Import's EINVALID error otherwise.
func CheckFormat(format string) error {
	_, err := formatLayout(format)
	return err
}

// formatLayout returns the layout a --format value forces, nil for auto-detection.
func formatLayout(format string) (*layout, error) {
	f := strings.ToLower(strings.TrimSpace(format))
	if f == "" || f == "auto" {
		return nil, nil
	}
	for _, l := range registry {
		if f == l.name || contains(l.aliases, f) {
			return l, nil
		}
	}
	return nil, indicators.Errorf(indicators.EINVALID, "unknown format %q (use auto, %s)", format, strings.Join(Formats(), ", "))
}

// header is a candidate header row with its cells normalised for matching.
type header struct {
	cells   []string
	norm    []string
	pre     [][]string // non-blank rows above it
	preRows []int      // their row numbers
	sheet   string
}

func newHeader(row []string, pre [][]string, preRows []int, sheet string) *header {
	h := &header{cells: row, norm: make([]string, len(row)), pre: pre, preRows: preRows, sheet: sheet}
	for i, s := range row {
		h.norm[i] = normName(s)
	}
	return h
}

// normName lower-cases a header and folds "_", runs of spaces and a BOM, so that
// "OBS_VALUE", "Obs value" and "obs  value" match.
func normName(s string) string {
	s = strings.ToLower(trimSpace(s))
	s = strings.ReplaceAll(s, "_", " ")
	return strings.Join(strings.Fields(s), " ")
}

// find returns the index of the first alias present (aliases in priority order),
// or -1.
func (h *header) find(aliases ...string) int {
	for _, a := range aliases {
		for i, n := range h.norm {
			if n == a {
				return i
			}
		}
	}
	return -1
}

// periodCol is a column whose header is a period (wide layouts).
type periodCol struct {
	idx int
	p   indicators.Period
}

// periods returns the columns whose header is a plausible period (1800–2100).
func (h *header) periods() []periodCol {
	var out []periodCol
	for i, c := range h.cells {
		if p, ok := headerPeriod(c); ok {
			out = append(out, periodCol{idx: i, p: p})
		}
	}
	return out
}

func headerPeriod(s string) (indicators.Period, bool) {
	s = trimSpace(s)
	if len(s) < 4 || s[0] < '1' || s[0] > '2' {
		return indicators.Period{}, false
	}
	p, err := indicators.ParsePeriod(s)
	if err != nil || p.Year < 1800 || p.Year > 2100 {
		return indicators.Period{}, false
	}
	return p, true
}

// Header aliases, in priority order (codes before names).
var (
	indicatorAliases = []string{"indicator", "indicator code", "indicator id", "series code", "series", "seriescode", "series id", "variable", "indicator name", "series name"}
	countryAliases   = []string{"country", "iso3", "country code", "country iso3", "iso3 code", "iso", "reporter", "reporter iso", "reporter code", "ref area", "location", "geo", "economy", "economy code", "area", "country name"}
	partnerAliases   = []string{"partner", "partner iso", "partner code", "partner country", "counterpart", "counterpart country", "counterpart area", "counterpart country code", "destination", "partner name"}
	periodAliases    = []string{"period", "time period", "time", "year", "date", "ref period", "month", "quarter"}
	valueAliases     = []string{"value", "obs value", "observation value", "amount", "val"}
	unitAliases      = []string{"unit", "units", "unit of measure", "unit measure", "unit name"}
	sourceAliases    = []string{"source", "sources", "data source"}
	flagAliases      = []string{"flag", "flags"}
	noteAliases      = []string{"note", "notes", "derivation"}
	vintageAliases   = []string{"vintage", "release", "edition"}
)

// Command gen builds Clout's seed workbook (tidy layout) from the reference figures
// in ../shared/reference-data and its 2021-2025 folder. Every row keeps its source;
// rows also say how a figure falls short of a release (flags: derived,
// lower_bound, statement, estimate), what a derived one comes from (note) and the
// release of its source (vintage). Figures whose period Clout cannot represent
// (half-years "2019-H1", month ranges "2019-01..09") are left out and listed on
// stderr; derived trade totals (turnover, sums) are left out because Clout
// derives them itself.
//
//	go run ./data/seed/gen -ref ../shared/reference-data -out data/seed/seed.xlsx
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

// row is one tidy row of the seed.
type row struct {
	indicator, country, partner, period, value, unit, source string
	flags, note, vintage                                     string
}

// key is a row's identity in the store; two rows with one key would overwrite
// each other, so write keeps the first and logs the others.
func (r row) key() string {
	return strings.Join([]string{r.indicator, r.country, r.partner, r.period, r.vintage}, "|")
}

// sheet is one sheet of the seed workbook.
type sheet struct {
	name string
	rows []row
}

var representable = regexp.MustCompile(`^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$`)

func main() {
	ref := flag.String("ref", "../shared/reference-data", "reference-data directory")
	out := flag.String("out", "seed.xlsx", "workbook to write")
	flag.Parse()
	if err := run(*ref, *out, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ref, out string, log io.Writer) error {
	var sheets []sheet
	builders := []func(string, io.Writer) (sheet, error){wdi, wdi2026, tradeDOTS, tradeMirror, tradeTotals, tradeQuoted,
		gas, gas2021, news, news2021}
	for _, build := range builders {
		s, err := build(ref, log)
		if err != nil {
			return err
		}
		sheets = append(sheets, s)
	}
	return write(out, sheets, log)
}

func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, m)
	}
	return rows, nil
}

// releaseDate finds the date of the World Bank release a WDI source names.
var releaseDate = regexp.MustCompile(`(?:Last Updated Date|WB download|last_updated) (\d{4}-\d{2})`)

// wdi: population, GDP (PPP) and GDP of the 15 ex-Soviet states (World Bank WDI).
// Missing values stay empty: the importer counts them as missing. Each row's
// vintage is the release date its source names (GDP PPP: 2023-05; population:
// the 2026-03 download), so a newer release of the same figures stands beside it.
func wdi(ref string, _ io.Writer) (sheet, error) {
	recs, err := readCSV(filepath.Join(ref, "population_gdp.csv"))
	s := sheet{name: "WDI"}
	for _, r := range recs {
		m := releaseDate.FindStringSubmatch(r["source"])
		if m == nil {
			return s, fmt.Errorf("population_gdp.csv: %s %s %s: no release date in the source", r["indicator"], r["country_iso3"], r["year"])
		}
		s.rows = append(s.rows, row{indicator: r["indicator"], country: r["country_iso3"], period: r["year"], value: r["value"],
			unit: r["unit"], source: r["source"], vintage: m[1]})
	}
	return s, err
}

var flowCode = map[string]string{"export": "TXG_FOB_USD", "import": "TMG_CIF_USD"}

// tradeRows maps russia_trade_*.csv rows; turnover and WLD_SUM rows are derived and left out.
func tradeRows(path string) ([]row, error) {
	recs, err := readCSV(path)
	var rows []row
	for _, r := range recs {
		code, ok := flowCode[r["flow"]]
		if !ok || r["partner_iso3"] == "WLD_SUM" {
			continue
		}
		rows = append(rows, row{indicator: code, country: r["reporter_iso3"], partner: r["partner_iso3"], period: r["year"],
			value: r["value_usd"], unit: "US$", source: r["source"]})
	}
	return rows, err
}

// tradeDOTS: Russia's goods exports and imports by partner, as reported by Russia (IMF DOTS).
func tradeDOTS(ref string, _ io.Writer) (sheet, error) {
	rows, err := tradeRows(filepath.Join(ref, "russia_trade_full.csv"))
	return sheet{name: "Trade (IMF DOTS)", rows: rows}, err
}

// tradeMirror: the same flows as reported by Turkey, Azerbaijan and the IMF World aggregate.
func tradeMirror(ref string, _ io.Writer) (sheet, error) {
	rows, err := tradeRows(filepath.Join(ref, "russia_trade_mirror.csv"))
	return sheet{name: "Trade mirror", rows: rows}, err
}

// gas: Russia's natural-gas exports. Importer-reported IEA annual figures and the EPDK
// monthly Turkey points are NATGAS_EXP_MCM (partner-reported mirror data, as the
// source says); other figures for the same cells (Gazprom, FCS, EPDK annual) keep
// their own indicator codes so they can be compared with the series chart.
func gas(ref string, log io.Writer) (sheet, error) {
	recs, err := readCSV(filepath.Join(ref, "gas_exports.csv"))
	s := sheet{name: "Gas exports"}
	for _, r := range recs {
		ind, country, partner := r["indicator"], "RUS", r["country_iso3"]
		switch {
		case ind == "gas_imports_from_RUS_IEA":
			ind = "NATGAS_EXP_MCM"
		case ind == "epdk_imports_from_RUS" && len(r["year"]) == 7 && r["year"][4] == '-' && r["year"][5] != 'H':
			ind = "NATGAS_EXP_MCM"
		case ind == "epdk_total_gas_imports":
			country, partner = r["country_iso3"], ""
		}
		if !representable.MatchString(r["year"]) {
			fmt.Fprintf(log, "gen: left out %s %s %s (period not representable)\n", r["indicator"], r["country_iso3"], r["year"])
			continue
		}
		flags, note := flagsFromSource(r["source"])
		if ind == "NATGAS_EXP_MCM" && r["year"] == "2019-04" {
			// The April 2019 baseline of the April 2020 fall was back-calculated
			// from that fall: the change it gives is the published one restated.
			note = "back-calculated from April 2020 (470 million m3) and its published change of −68.57% year on year: " +
				"470 / (1 − 0.6857); not published directly"
		}
		s.rows = append(s.rows, row{indicator: ind, country: country, partner: partner, period: r["year"], value: r["value"],
			unit: r["unit"], source: partnerNote(ind, r["source"]), flags: flags, note: note})
	}
	return s, err
}

func partnerNote(ind, source string) string {
	if ind == "NATGAS_EXP_MCM" && !strings.Contains(strings.ToLower(source), "partner-reported") {
		return source + " [partner-reported mirror figure]"
	}
	return source
}

// news: trade figures quoted in news reports, each under its own indicator code
// (Russia's trade with the partner named, as the source reports it).
func news(ref string, log io.Writer) (sheet, error) {
	recs, err := readCSV(filepath.Join(ref, "russia_trade_partners.csv"))
	s := sheet{name: "Trade (news reports)"}
	for _, r := range recs {
		if !representable.MatchString(r["year"]) {
			fmt.Fprintf(log, "gen: left out %s %s %s (period not representable)\n", r["indicator"], r["country_iso3"], r["year"])
			continue
		}
		flags, note := flagsFromSource(r["source"])
		s.rows = append(s.rows, row{indicator: r["indicator"], country: "RUS", partner: r["country_iso3"], period: r["year"],
			value: r["value"], unit: r["unit"], source: r["source"], flags: join(flags, "statement"), note: note})
	}
	return s, err
}

func write(out string, sheets []sheet, log io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	readme := "README"
	f.SetSheetName("Sheet1", readme)
	lines := []string{
		"Clout seed workbook (tidy layout), generated by data/seed/gen from the project's reference data.",
		"Every row carries its source. Values marked DERIVED in the source are not published figures: they are flagged derived, and the note says from what.",
		"Columns: indicator, country (ISO3 reporter), partner (ISO3 counterpart), period, value, unit, source, flags, note, vintage.",
		"Flags: derived (computed from other figures), lower_bound (\"more than X\"), statement (an official's rounded quote), estimate.",
		"Vintage: the release of the source (WDI 2023-05, 2026-03, 2026-07...); releases of one figure stand side by side.",
		"Trade bases (Russia-reported, partner-reported, WTO, Russian customs, quoted turnover) have their own indicator codes: see indicators/basis.go.",
	}
	for i, l := range lines {
		if err := f.SetCellStr(readme, fmt.Sprintf("A%d", i+1), l); err != nil {
			return err
		}
	}
	seen := map[string]string{}
	for _, s := range sheets {
		if _, err := f.NewSheet(s.name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(s.name)
		if err != nil {
			return err
		}
		header := []any{"indicator", "country", "partner", "period", "value", "unit", "source", "flags", "note", "vintage"}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		i := 0
		for _, r := range s.rows {
			if first, dup := seen[r.key()]; dup {
				fmt.Fprintf(log, "gen: left out %s %s %s %s in sheet %s (already in sheet %s)\n", r.indicator, r.country, r.partner, r.period, s.name, first)
				continue
			}
			seen[r.key()] = s.name
			cells := []any{r.indicator, r.country, r.partner, r.period, nil, r.unit, r.source, r.flags, r.note, r.vintage}
			if r.value != "" {
				var v float64
				if _, err := fmt.Sscan(r.value, &v); err != nil {
					return fmt.Errorf("sheet %s row %d: value %q: %w", s.name, i+2, r.value, err)
				}
				cells[4] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
			i++
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.SaveAs(out)
}

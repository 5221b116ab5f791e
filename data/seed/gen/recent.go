package main

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// recent is the folder of figures for 2021 onward (read its README).
const recent = "2021-2025"

// wdiCommit names the World Bank pull the 2021-2025 figures come from.
const wdiCommit = "github datasets/world-development-indicators @4ebec5a2 (4ebec5a2273f531ba238a34dbe440394dc5a6c4b), committed 2026-07-01 by its monthly updater from api.worldbank.org"

// Flag words in the reference sources, checked in this order.
var (
	derivedWord  = regexp.MustCompile(`^DERIVED( approx)?:?\s*(.*)$`)
	lowerWords   = regexp.MustCompile(`(?i)lower bound|more than|exceeded|at least`)
	estimateWord = regexp.MustCompile(`(?i)\bestimate\b|approximate|\bapprox\b|forecast`)
)

// flagsFromSource reads the flags a reference source states in words, and for a
// DERIVED row the note of what it is derived from.
func flagsFromSource(src string) (flags, note string) {
	var fs []string
	if m := derivedWord.FindStringSubmatch(src); m != nil {
		fs, note = append(fs, "derived"), m[2]
		if m[1] != "" {
			fs = append(fs, "estimate")
		}
	}
	if lowerWords.MatchString(src) {
		fs = append(fs, "lower_bound")
	}
	if estimateWord.MatchString(src) && !slices.Contains(fs, "estimate") {
		fs = append(fs, "estimate")
	}
	return strings.Join(fs, ","), note
}

// join adds flags to a comma-separated flag list.
func join(flags string, more ...string) string {
	var fs []string
	if flags != "" {
		fs = strings.Split(flags, ",")
	}
	for _, m := range more {
		if !slices.Contains(fs, m) {
			fs = append(fs, m)
		}
	}
	return strings.Join(fs, ",")
}

// billions turns a figure in billion US$ into US$, the unit of the trade codes.
func billions(v string) (string, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return "", err
	}
	return strconv.FormatFloat(f*1e9, 'f', -1, 64), nil
}

// wdi2026: population, GDP per capita (PPP) and GDP (PPP) of Russia and the nine
// FSU-CORE members, 2019-2025, from the WDI release of 2026-07. No GDP (PPP)
// file of this release was found: it is derived as per-capita PPP × population
// from the same release (the World Bank defines the one as the other over
// population), and flagged.
func wdi2026(ref string, _ io.Writer) (sheet, error) {
	recs, err := readCSV(filepath.Join(ref, recent, "population_gdp_2019_2025.csv"))
	s := sheet{name: "WDI 2026-07"}
	for _, r := range recs {
		flags, note := flagsFromSource(r["source"])
		unit := r["unit"]
		if r["indicator"] == "NY.GDP.PCAP.PP.CD" {
			unit = "current international $ per person" // as the older release's rows say
		}
		s.rows = append(s.rows, row{indicator: r["indicator"], country: r["country_iso3"], period: r["year"], value: r["value"],
			unit: unit, source: r["source"], flags: flags, note: note, vintage: "2026-07"})
	}
	return s, err
}

// tradeTotals: Russia's total goods trade on the bases other than the IMF's
// partner table: the WTO's merchandise exports and imports (via WDI, 2017-2025)
// and the Russian customs service's (FCS) totals. The WTO figures come from one
// release only and carry no vintage: a vintage on a series held in one release
// would hide it whenever another vintage is chosen for the chart.
func tradeTotals(ref string, _ io.Writer) (sheet, error) {
	s := sheet{name: "Trade totals (WTO, FCS)"}
	for code, file := range map[string]string{"TX.VAL.MRCH.CD.WT": "tx.val.mrch.cd.wt", "TM.VAL.MRCH.CD.WT": "tm.val.mrch.cd.wt"} {
		recs, err := readCSV(filepath.Join(ref, recent, "raw", "wdi_"+file+"_4ebec5a2.csv"))
		if err != nil {
			return s, err
		}
		for _, r := range recs {
			if r["Country Code"] != "RUS" {
				continue
			}
			s.rows = append(s.rows, row{indicator: code, country: "RUS", period: r["Year"], value: r["Value"], unit: "US$",
				source: fmt.Sprintf("WTO merchandise trade (%s, Russia-reported data as compiled by WTO) via World Bank WDI, file indicators/%s/data.csv, %s; current US$", code, file, wdiCommit)})
		}
	}
	slices.SortFunc(s.rows, func(a, b row) int { return strings.Compare(a.indicator+a.period, b.indicator+b.period) })
	recs, err := readCSV(filepath.Join(ref, recent, "russia_trade_world_fcs_2022_2023.csv"))
	if err != nil {
		return s, err
	}
	codes := map[string]string{"export": "FCS_TXG_USD", "import": "FCS_TMG_USD", "turnover": "FCS_TRADE_USD"}
	for _, r := range recs {
		flags, note := flagsFromSource(r["source"])
		if r["flow"] == "turnover" && flags != "" {
			note = "the FCS's exports + imports, as Agenzia Nova reports them"
		}
		s.rows = append(s.rows, row{indicator: codes[r["flow"]], country: "RUS", partner: "WLD", period: r["year"],
			value: r["value_usd"], unit: "US$", source: r["source"], flags: flags, note: note})
	}
	partners, err := readCSV(filepath.Join(ref, recent, "russia_trade_partners_2021_2025.csv"))
	for _, r := range partners {
		if r["indicator"] != "fcs_turnover_forecast" {
			continue // the other World rows repeat russia_trade_world_fcs_2022_2023.csv
		}
		v, err := billions(r["value"])
		if err != nil {
			return s, fmt.Errorf("%s %s: %w", r["indicator"], r["year"], err)
		}
		s.rows = append(s.rows, row{indicator: "FCS_TRADE_USD", country: "RUS", partner: "WLD", period: r["year"], value: v, unit: "US$",
			source: r["source"], flags: "lower_bound,statement,estimate",
			note: "forecast by the FCS deputy head in November 2024: the year's turnover \"will exceed $700bn\""})
	}
	return s, err
}

// quote is the one turnover taken as the headline of a side of a pair in a year
// (TRADE_USD): which reference row, and how it falls short of a release. The
// other quotes stay in the news sheet under their own codes.
type quote struct {
	partner, indicator, period string
	side                       string // "russian" (country RUS) or "partner" (country = partner)
	flags, note                string
	// sum adds the values of other rows of the same partner and period (a
	// lower bound made of the flows found).
	sum []string
}

// quotes are the headline turnovers, chosen as the reference README's share
// table does: the Russian side from Russian officials or FCS, the partner's
// side from its officials or statistics office.
var quotes = []quote{
	{partner: "TUR", indicator: "fcs_turnover", period: "2021", side: "russian", flags: "statement"},
	{partner: "TUR", indicator: "kremlin_turnover", period: "2022", side: "russian", flags: "statement"},
	{partner: "TUR", indicator: "turkish_trade_minister_turnover", period: "2022", side: "partner", flags: "statement"},
	{partner: "TUR", indicator: "ria_sputnik_turnover", period: "2023", side: "russian", flags: "statement"},
	{partner: "TUR", indicator: "tuik_imports_from_RUS", period: "2023", side: "partner", flags: "lower_bound,statement",
		note: "TurkStat's imports from Russia only (\"more than 45 billion\"); Turkey's exports to Russia were not found"},
	{partner: "TUR", indicator: "tuik_imports_from_RUS", period: "2024", side: "partner", flags: "derived,lower_bound,statement",
		sum:  []string{"tuik_exports_to_RUS 2024-H1"},
		note: "TurkStat's full-year imports from Russia (44.02bn) + its exports to Russia in the first half only (4.16bn)"},
	{partner: "AZE", indicator: "russian_mfa_turnover", period: "2021", side: "russian", flags: "statement"},
	{partner: "AZE", indicator: "turnover_azerbaijani_statement", period: "2021", side: "partner", flags: "statement"},
	{partner: "AZE", indicator: "russian_dpm_turnover", period: "2022", side: "russian", flags: "statement"},
	{partner: "AZE", indicator: "russian_ambassador_turnover", period: "2023", side: "russian", flags: "statement"},
	{partner: "AZE", indicator: "turnover_azerbaijani_statement", period: "2023", side: "partner", flags: "statement"},
	{partner: "AZE", indicator: "turnover_lower_bound", period: "2024", side: "partner", flags: "derived,lower_bound,statement",
		note: "4.4bn (2023, both sides) × 1.10: the Azerbaijani Cabinet said the 2024 turnover grew \"by more than 10%\""},
	{partner: "AZE", indicator: "russian_dpm_turnover", period: "2025", side: "russian", flags: "statement,estimate",
		note: "\"almost $5bn\": an approximate upper value"},
}

// tradeQuoted: Turkey-Russia and Azerbaijan-Russia goods turnover for 2021 on,
// as each side quotes it (TRADE_USD; no partner table exists for those years).
func tradeQuoted(ref string, _ io.Writer) (sheet, error) {
	recs, err := readCSV(filepath.Join(ref, recent, "russia_trade_partners_2021_2025.csv"))
	s := sheet{name: "Trade quoted 2021-2025"}
	find := func(partner, indicatorPeriod string) (map[string]string, bool) {
		i := slices.IndexFunc(recs, func(r map[string]string) bool {
			return r["country_iso3"] == partner && r["indicator"]+" "+r["year"] == indicatorPeriod
		})
		if i < 0 {
			return nil, false
		}
		return recs[i], true
	}
	for _, q := range quotes {
		r, ok := find(q.partner, q.indicator+" "+q.period)
		if !ok {
			return s, fmt.Errorf("russia_trade_partners_2021_2025.csv: no %s %s %s", q.partner, q.indicator, q.period)
		}
		value, _ := strconv.ParseFloat(r["value"], 64)
		source := r["source"]
		for _, extra := range q.sum {
			e, ok := find(q.partner, extra)
			if !ok {
				return s, fmt.Errorf("russia_trade_partners_2021_2025.csv: no %s %s", q.partner, extra)
			}
			v, _ := strconv.ParseFloat(e["value"], 64)
			value += v
			source += "; " + e["source"]
		}
		usd, err := billions(strconv.FormatFloat(value, 'f', -1, 64))
		if err != nil {
			return s, err
		}
		country, partner := "RUS", q.partner
		if q.side == "partner" {
			country, partner = q.partner, "RUS"
		}
		s.rows = append(s.rows, row{indicator: "TRADE_USD", country: country, partner: partner, period: q.period, value: usd,
			unit: "US$", source: source, flags: q.flags, note: q.note})
	}
	return s, err
}

// gas2021: Turkey's imports of Russian gas 2021-2025 (importer-reported, EPDK),
// annual and monthly, as in gas: monthly EPDK figures, and annual ones after
// the IEA series ends (2021), are NATGAS_EXP_MCM; the rest keep their codes.
func gas2021(ref string, log io.Writer) (sheet, error) {
	recs, err := readCSV(filepath.Join(ref, recent, "gas_exports_2021_2025.csv"))
	s := sheet{name: "Gas exports 2021-2025"}
	annual := map[string]bool{}
	for _, r := range recs {
		ind, country, partner, year := r["indicator"], "RUS", r["country_iso3"], r["year"]
		monthly := len(year) == 7 && year[4] == '-'
		switch {
		case ind == "epdk_imports_from_RUS" && monthly:
			ind = "NATGAS_EXP_MCM"
		case (ind == "epdk_imports_from_RUS" || ind == "imports_from_RUS_approx") && !annual[year] && !strings.Contains(r["source"], "cross-check"):
			ind, annual[year] = "NATGAS_EXP_MCM", true
		case ind == "epdk_total_gas_imports":
			country, partner = r["country_iso3"], ""
		}
		if !representable.MatchString(year) {
			fmt.Fprintf(log, "gen: left out %s %s %s (period not representable)\n", r["indicator"], r["country_iso3"], year)
			continue
		}
		flags, note := flagsFromSource(r["source"])
		if ind == "imports_from_RUS_yoy_pct" || ind == "epdk_imports_from_RUS_yoy_pct" {
			flags = strings.ReplaceAll(flags, "lower_bound", "") // "at least this large" is about the fall, not the value
			flags = strings.Trim(strings.ReplaceAll(flags, ",,", ","), ",")
		}
		s.rows = append(s.rows, row{indicator: ind, country: country, partner: partner, period: year, value: r["value"],
			unit: r["unit"], source: partnerNote(ind, r["source"]), flags: flags, note: note})
	}
	return s, err
}

// news2021: every quoted trade figure of 2021 on under its own code (Russia's
// trade with the partner named, as the source reports it), as in news. Each is a
// quote: flagged statement.
func news2021(ref string, log io.Writer) (sheet, error) {
	recs, err := readCSV(filepath.Join(ref, recent, "russia_trade_partners_2021_2025.csv"))
	s := sheet{name: "Trade news 2021-2025"}
	for _, r := range recs {
		if r["country_iso3"] == "WLD" {
			continue // Russia's totals: in the trade totals sheet
		}
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

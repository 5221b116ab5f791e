package indicators

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Indicator describes one indicator code for readers: its name in titles, a
// short label for axes and legends, the unit of its figures, the magnitude
// its figures are best read in, and a one-line description. The catalogue
// covers every code Clout reads (WDI, IMF, IEA, Comtrade, customs) and its own.
type Indicator struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`        // "Population"
	Short       string   `json:"short"`       // "population"
	Unit        UnitSpec `json:"unit"`        // the unit stored figures are in
	Description string   `json:"description"` // one sentence, for tooltips and the catalogue page
	Known       bool     `json:"known"`       // false: a code not in the catalogue, described by the code itself
}

// UnitSpec is how a figure is measured and written: a currency, a count of
// something, a physical quantity or a percentage.
type UnitSpec struct {
	// Symbol is the unit as stored with observations ("persons", "US$",
	// "current international $", "million m3", "%").
	Symbol string `json:"symbol"`
	// Noun is what is counted, written after a number ("people", "m³");
	// empty for currencies and percentages.
	Noun string `json:"noun,omitempty"`
	// Currency is an ISO 4217 code for money ("USD"), empty otherwise;
	// International marks international (PPP) dollars.
	Currency      string `json:"currency,omitempty"`
	International bool   `json:"international,omitempty"`
	// Percent marks figures that are percentages (18.4 means 18.4%).
	Percent bool `json:"percent,omitempty"`
	// Base is the power of ten the stored figures are already scaled by
	// (6 for "million m3"), so formatting picks the magnitude of the real
	// quantity.
	Base int `json:"base,omitempty"`
}

// LookupIndicator returns the catalogue's entry for code, or an entry that
// names the code itself when the catalogue does not know it.
func LookupIndicator(code string) Indicator {
	if ind, ok := indicatorCatalogue[code]; ok {
		ind.Code, ind.Known = code, true
		return ind
	}
	return Indicator{Code: code, Name: code, Short: code}
}

// Indicators lists the catalogue, ordered by code.
func Indicators() []Indicator {
	out := make([]Indicator, 0, len(indicatorCatalogue))
	for _, code := range slices.Sorted(maps.Keys(indicatorCatalogue)) {
		out = append(out, LookupIndicator(code))
	}
	return out
}

// Label is the unit as a column header or axis name writes it: "people",
// "US$", "international $ (PPP)", "billion US$", "million m³", "%".
func (u UnitSpec) Label() string {
	if u.Percent {
		return strings.TrimSpace("% " + u.Noun)
	}
	var parts []string
	if u.Base != 0 {
		parts = append(parts, magnitudeWord(u.Base))
	}
	switch {
	case u.International:
		parts = append(parts, "international $ (PPP)")
	case u.Currency == "USD":
		parts = append(parts, "US$")
	case u.Currency != "":
		parts = append(parts, u.Currency)
	}
	if u.Noun != "" {
		parts = append(parts, u.Noun)
	}
	if len(parts) == 0 {
		return u.Symbol
	}
	return strings.Join(parts, " ")
}

// magnitudeWord names a power of ten ("million" for 6), or "×10^n" for one
// without a name.
func magnitudeWord(exp int) string {
	for _, m := range magnitudes {
		if m.Exp == exp {
			return m.Word
		}
	}
	return fmt.Sprintf("×10^%d", exp)
}

// UnitOf returns the unit of a figure stored under code with the unit text
// stored: the catalogue's when the text is the catalogue's (or missing),
// otherwise what the text says.
func UnitOf(code, stored string) UnitSpec {
	u := LookupIndicator(code).Unit
	if stored == "" || stored == u.Symbol {
		if u.Symbol == "" {
			u = ParseUnit(stored)
		}
		return u
	}
	return ParseUnit(stored)
}

// ParseUnit returns the unit a stored unit text names: one of the catalogue's
// units ("persons", "million m3", "percent y/y"), or for any other text a unit
// that writes the text itself after the number.
func ParseUnit(symbol string) UnitSpec {
	if u, ok := unitsBySymbol[symbol]; ok {
		return u
	}
	return UnitSpec{Symbol: symbol, Noun: symbol}
}

// The units of the catalogue's codes, by what the stored observations call them.
var (
	usd            = UnitSpec{Symbol: "US$", Currency: "USD"}
	currentUSD     = UnitSpec{Symbol: "current US$", Currency: "USD"}
	billionUSD     = UnitSpec{Symbol: "billion US$", Currency: "USD", Base: 9}
	intlUSD        = UnitSpec{Symbol: "current international $", Currency: "USD", International: true}
	intlUSDPP      = UnitSpec{Symbol: "current international $ per person", Noun: "per person", Currency: "USD", International: true}
	people         = UnitSpec{Symbol: "persons", Noun: "people"}
	gasVolume      = UnitSpec{Symbol: "million m3", Noun: "m³", Base: 6}
	percentUnit    = UnitSpec{Symbol: "percent", Percent: true}
	percentYoYUnit = UnitSpec{Symbol: "percent y/y", Noun: "year on year", Percent: true}
)

// unitsBySymbol finds the units above, and the short spellings of percentages
// and percentage points, by their stored text.
var unitsBySymbol = map[string]UnitSpec{
	usd.Symbol: usd, currentUSD.Symbol: currentUSD, billionUSD.Symbol: billionUSD, intlUSD.Symbol: intlUSD,
	intlUSDPP.Symbol: intlUSDPP, people.Symbol: people, gasVolume.Symbol: gasVolume, percentUnit.Symbol: percentUnit,
	percentYoYUnit.Symbol: percentYoYUnit, "%": {Symbol: "%", Percent: true}, "$": {Symbol: "$", Currency: "USD"}, "USD": {Symbol: "USD", Currency: "USD"}, "pp": {Symbol: "pp", Noun: "percentage points"},
}

// indicatorCatalogue is the one description of each known indicator code: the
// World Bank WDI series, the IMF DOTS flows (also what the Comtrade and IMF
// layouts import), the IEA gas trade, the customs and quoted trade bases, and
// the figures quoted in news reports that the seed keeps under their own codes.
var indicatorCatalogue = map[string]Indicator{
	PopulationCode: {Name: "Population", Short: "population", Unit: people,
		Description: "Total population: all residents regardless of legal status or citizenship, at mid-year (World Bank WDI)."},
	GDPPPPCode: {Name: "GDP (PPP)", Short: "GDP PPP", Unit: intlUSD,
		Description: "Gross domestic product at purchasing power parity, in current international dollars (World Bank WDI)."},
	GDPPerCapitaPPPCode: {Name: "GDP per person (PPP)", Short: "GDP per person PPP", Unit: intlUSDPP,
		Description: "Gross domestic product per person at purchasing power parity, in current international dollars (World Bank WDI)."},
	GDPCode: {Name: "GDP", Short: "GDP", Unit: currentUSD,
		Description: "Gross domestic product at market exchange rates, in current US dollars (World Bank WDI)."},
	ExportsCode: {Name: "Goods exports", Short: "exports", Unit: usd,
		Description: "Exports of goods, free on board, in US dollars, by partner (IMF Direction of Trade Statistics, UN Comtrade)."},
	ImportsCode: {Name: "Goods imports", Short: "imports", Unit: usd,
		Description: "Imports of goods, cost, insurance and freight, in US dollars, by partner (IMF Direction of Trade Statistics, UN Comtrade)."},
	GasExportsCode: {Name: "Natural gas exports", Short: "gas exports", Unit: gasVolume,
		Description: "Natural gas exported, in million cubic metres, by destination, as the importing country reports it (IEA and national statistics)."},
	WTOExportsCode: {Name: "Merchandise exports (WTO)", Short: "exports (WTO)", Unit: usd,
		Description: "A country's merchandise exports in current US dollars as compiled by the WTO, no partner (World Bank WDI)."},
	WTOImportsCode: {Name: "Merchandise imports (WTO)", Short: "imports (WTO)", Unit: usd,
		Description: "A country's merchandise imports in current US dollars as compiled by the WTO, no partner (World Bank WDI)."},
	CustomsTurnoverCode: {Name: "Goods trade turnover (customs)", Short: "turnover (customs)", Unit: usd,
		Description: "Exports plus imports of goods with the world, as the country's customs service publishes them (Russia: FCS)."},
	CustomsExportsCode: {Name: "Goods exports (customs)", Short: "exports (customs)", Unit: usd,
		Description: "Exports of goods to the world, as the country's customs service publishes them (Russia: FCS)."},
	CustomsImportsCode: {Name: "Goods imports (customs)", Short: "imports (customs)", Unit: usd,
		Description: "Imports of goods from the world, as the country's customs service publishes them (Russia: FCS)."},
	TurnoverCode: {Name: "Bilateral goods turnover (quoted)", Short: "turnover (quoted)", Unit: usd,
		Description: "Exports plus imports of goods between two countries, as one side's officials or statistics quote it."},

	"china_customs_turnover": quoted("Russia–China turnover (China customs, quoted)", "turnover (China customs)", billionUSD,
		"Russia's goods turnover with China as China's customs (GACC) publish it, quoted in the press."),
	"epdk_imports_from_RUS": quoted("Turkey's gas imports from Russia (EPDK)", "gas from Russia (EPDK)", gasVolume,
		"Natural gas Turkey imported from Russia, as Turkey's energy regulator EPDK reports it."),
	"epdk_imports_from_RUS_yoy_pct": quoted("Change in Turkey's gas imports from Russia (EPDK)", "change (EPDK)", percentYoYUnit,
		"Change on a year earlier of the natural gas Turkey imported from Russia, as EPDK reports it."),
	"epdk_total_gas_imports": quoted("Turkey's total gas imports (EPDK)", "gas imports (EPDK)", gasVolume,
		"All natural gas Turkey imported, from every origin, as EPDK reports it."),
	"fcs_exports": quoted("Russia's goods exports (FCS, quoted)", "exports (FCS)", billionUSD,
		"Russia's goods exports as its Federal Customs Service reports them, quoted in the press."),
	"fcs_exports_change_pct": quoted("Change in Russia's goods exports (FCS, quoted)", "change in exports (FCS)", percentYoYUnit,
		"Change on a year earlier of Russia's goods exports, as its Federal Customs Service reports it."),
	"fcs_gas_exports": quoted("Russia's gas exports (FCS, quoted)", "gas exports (FCS)", gasVolume,
		"Russia's natural gas exports to a destination as its Federal Customs Service reports them, quoted in the press."),
	"fcs_imports": quoted("Russia's goods imports (FCS, quoted)", "imports (FCS)", billionUSD,
		"Russia's goods imports as its Federal Customs Service reports them, quoted in the press."),
	"fcs_imports_change_pct": quoted("Change in Russia's goods imports (FCS, quoted)", "change in imports (FCS)", percentYoYUnit,
		"Change on a year earlier of Russia's goods imports, as its Federal Customs Service reports it."),
	"fcs_share_of_RUS_turnover": quoted("Partner's share of Russia's turnover (FCS, quoted)", "share of turnover (FCS)", percentUnit,
		"A partner's share of Russia's goods turnover, as Russia's Federal Customs Service reports it."),
	"fcs_turnover": quoted("Russia's goods turnover with a partner (FCS, quoted)", "turnover (FCS)", billionUSD,
		"Russia's goods exports plus imports with a partner as its Federal Customs Service reports them, quoted in the press."),
	"fcs_turnover_change_pct": quoted("Change in Russia's turnover with a partner (FCS, quoted)", "change in turnover (FCS)", percentYoYUnit,
		"Change on a year earlier of Russia's goods turnover with a partner, as its Federal Customs Service reports it."),
	"gazprom_gas_supplies": quoted("Gazprom's gas supplies", "Gazprom supplies", gasVolume,
		"Natural gas Gazprom supplied to a destination, from its annual reports as quoted in the press."),
	"imports_from_RUS_yoy_pct": quoted("Change in gas imports from Russia", "change in imports", percentYoYUnit,
		"Change on a year earlier of the natural gas a country imported from Russia, as reported."),
	"kremlin_imports": quoted("Russia's imports from a partner (Kremlin, quoted)", "imports (Kremlin)", billionUSD,
		"Russia's goods imports from a partner as the Kremlin's background materials give them."),
	"kremlin_turnover": quoted("Russia's turnover with a partner (Kremlin, quoted)", "turnover (Kremlin)", billionUSD,
		"Russia's goods turnover with a partner as the Kremlin or the President quotes it."),
	"ria_sputnik_turnover": quoted("Russia's turnover with a partner (RIA/Sputnik, quoted)", "turnover (RIA/Sputnik)", billionUSD,
		"Russia's goods turnover with a partner as RIA Novosti or Sputnik compute it from customs and national statistics."),
	"russian_ambassador_turnover": quoted("Russia's turnover with a partner (Russian ambassador, quoted)", "turnover (ambassador)", billionUSD,
		"Russia's goods turnover with a partner as Russia's ambassador quotes it."),
	"russian_consul_turnover": quoted("Russia's turnover with a partner (Russian consul, quoted)", "turnover (consul)", billionUSD,
		"Russia's goods turnover with a partner as a Russian consul general quotes it."),
	"russian_dpm_turnover": quoted("Russia's turnover with a partner (Russian deputy PM, quoted)", "turnover (deputy PM)", billionUSD,
		"Russia's goods turnover with a partner as a Russian deputy prime minister quotes it."),
	"russian_mfa_turnover": quoted("Russia's turnover with a partner (Russian MFA, quoted)", "turnover (MFA)", billionUSD,
		"Russia's goods turnover with a partner as Russia's foreign ministry quotes it."),
	"share_RUS_in_TUR_gas_imports": quoted("Russia's share of Turkey's gas imports", "Russia's share of gas imports", percentUnit,
		"The share of Turkey's natural gas imports that came from Russia, as reported."),
	"tuik_imports_from_RUS": quoted("Turkey's imports from Russia (TurkStat, quoted)", "imports (TurkStat)", billionUSD,
		"Turkey's goods imports from Russia as Turkey's statistics office TurkStat (TÜİK) publishes them, quoted in the press."),
	"turkish_trade_minister_turnover": quoted("Turkey's turnover with Russia (Turkish trade minister, quoted)", "turnover (Turkish minister)", billionUSD,
		"Turkey's goods turnover with Russia as Turkey's trade minister quotes it."),
	"turkish_trade_minister_turnover_estimate": quoted("Turkey's turnover with Russia (Turkish trade minister's estimate)", "turnover estimate (Turkish minister)", billionUSD,
		"An estimate of Turkey's goods turnover with Russia made by Turkey's trade minister during the year."),
	"turnover_azerbaijani_cabinet": quoted("Azerbaijan's turnover with Russia (Azerbaijani cabinet, quoted)", "turnover (Azerbaijani cabinet)", billionUSD,
		"Azerbaijan's goods turnover with Russia as Azerbaijan's Cabinet of Ministers quotes it."),
	"turnover_azerbaijani_cabinet_change_pct": quoted("Change in Azerbaijan's turnover with Russia (Azerbaijani cabinet)", "change (Azerbaijani cabinet)", percentYoYUnit,
		"Change on a year earlier of Azerbaijan's goods turnover with Russia, as Azerbaijan's Cabinet of Ministers quotes it."),
	"turnover_azerbaijani_statement": quoted("Azerbaijan's turnover with Russia (Azerbaijani officials, quoted)", "turnover (Azerbaijani officials)", billionUSD,
		"Azerbaijan's goods turnover with Russia as Azerbaijani officials quote it."),
	"turnover_azerbaijani_statement_change_pct": quoted("Change in Azerbaijan's turnover with Russia (Azerbaijani officials)", "change (Azerbaijani officials)", percentYoYUnit,
		"Change on a year earlier of Azerbaijan's goods turnover with Russia, as Azerbaijani officials quote it."),
	"turnover_azerbaijani_stats": quoted("Azerbaijan's turnover with Russia (Azerbaijani statistics, quoted)", "turnover (Azerbaijani statistics)", billionUSD,
		"Azerbaijan's goods turnover with Russia as Azerbaijan's statistics give it, quoted by an official."),
	"turnover_lower_bound": quoted("Turnover with Russia (lower bound)", "turnover (lower bound)", billionUSD,
		"A lower bound of a goods turnover with Russia, derived from a quoted growth rate ('more than 10%')."),
}

// quoted describes a figure quoted in the press, kept under its own code.
func quoted(name, short string, u UnitSpec, description string) Indicator {
	return Indicator{Name: name, Short: short, Unit: u, Description: description}
}

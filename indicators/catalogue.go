package indicators

import (
	"maps"
	"slices"
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

var (
	usd       = UnitSpec{Symbol: "US$", Currency: "USD"}
	intlUSD   = UnitSpec{Symbol: "current international $", Currency: "USD", International: true}
	people    = UnitSpec{Symbol: "persons", Noun: "people"}
	gasVolume = UnitSpec{Symbol: "million m3", Noun: "m³", Base: 6}
)

// indicatorCatalogue is the one description of each known indicator code.
var indicatorCatalogue = map[string]Indicator{
	PopulationCode: {Name: "Population", Short: "population", Unit: people,
		Description: "Total population: all residents regardless of legal status or citizenship, at mid-year (World Bank WDI)."},
	GDPPPPCode: {Name: "GDP (PPP)", Short: "GDP PPP", Unit: intlUSD,
		Description: "Gross domestic product at purchasing power parity, in current international dollars (World Bank WDI)."},
	GDPCode: {Name: "GDP", Short: "GDP", Unit: usd,
		Description: "Gross domestic product at market exchange rates, in current US dollars (World Bank WDI)."},
	ExportsCode: {Name: "Goods exports", Short: "exports", Unit: usd,
		Description: "Exports of goods, free on board, in US dollars, by partner (IMF Direction of Trade Statistics)."},
	ImportsCode: {Name: "Goods imports", Short: "imports", Unit: usd,
		Description: "Imports of goods, cost, insurance and freight, in US dollars, by partner (IMF Direction of Trade Statistics)."},
	GasExportsCode: {Name: "Natural gas exports", Short: "gas exports", Unit: gasVolume,
		Description: "Natural gas exported, in million cubic metres, by destination (IEA and national statistics)."},
}

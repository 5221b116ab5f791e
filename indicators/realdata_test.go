package indicators_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// mustReadTidy reads a tidy CSV kept in testdata/ (a hand-copied subset of Clout's
// reference figures, each row with its source).
func mustReadTidy(tb testing.TB, name string) []indicators.Observation {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	var out []indicators.Observation
	for i, r := range recs[1:] {
		v, err := strconv.ParseFloat(r[4], 64)
		if err != nil {
			tb.Fatalf("%s row %d: %v", name, i+2, err)
		}
		out = append(out, indicators.Observation{Indicator: r[0], Country: r[1], Partner: r[2],
			Period: indicators.MustPeriod(r[3]), Value: v, Unit: r[5], Source: r[6]})
	}
	return out
}

// The World Bank WDI figures of 2019 for Russia and FSU-CORE: the bloc's population
// is 68.87% of Russia's and its GDP (PPP) 30.60% (the ratios published alongside
// the reference data, computed there independently of this code).
func TestIntegrationGainRealFigures(t *testing.T) {
	data := mustReadTidy(t, "fsu_core_2019_2020.csv")
	res := mustCompute(t, "integration-gain", indicators.Params{}, data)
	ig := res.Detail.(*indicators.IntegrationGainResult)
	if ig.Year != 2019 {
		t.Fatalf("default year %d, want 2019 (Turkmenistan has no GDP PPP for 2020)", ig.Year)
	}
	pop, _ := ig.Measures[0].At(2019)
	gdp, _ := ig.Measures[1].At(2019)
	if pop.Ratio == nil || gdp.Ratio == nil || *pop.Ratio < 68.8 || *pop.Ratio > 69.0 || *gdp.Ratio < 30.5 || *gdp.Ratio > 30.7 {
		t.Errorf("2019 ratios population %v GDP PPP %v, want 68.9±0.1 and 30.6±0.1", pop.Ratio, gdp.Ratio)
	}
	if want := "FSU-CORE adds 68.9% to Russia's population and 30.6% to its GDP (PPP) in 2019"; res.Statement != want {
		t.Errorf("statement %q, want %q", res.Statement, want)
	}
	if !hasNote(res.Coverage, "Turkmenistan: no GDP PPP for 2020") {
		t.Errorf("coverage %q does not name Turkmenistan's 2020 GDP PPP", res.Coverage)
	}
	if len(res.Sources) < 2 || !strings.Contains(strings.Join(res.Sources, "|"), "World Bank WDI") {
		t.Errorf("sources %v", res.Sources)
	}
}

// EPDK: Turkey imported 470 million m3 of Russian gas in April 2020 against 1,495
// in April 2019: −68.56%.
func TestGasExportsRealFigures(t *testing.T) {
	data := mustReadTidy(t, "fsu_core_2019_2020.csv")
	res := mustCompute(t, "gas-exports", indicators.Params{"destinations": "TUR", "freq": "monthly"}, data)
	g := res.Detail.(*indicators.GasExportsResult)
	for i, p := range g.Periods {
		if p.String() == "2020-04" {
			mustNear(t, "April 2020 YoY", g.Series[0].Points[i].YoY, 100*(470.0/1495-1))
			return
		}
	}
	t.Fatalf("no 2020-04 in %v", g.Periods)
}

// IMF DOTS, Russia-reported, 2020 (US$): World 337,884,789,154 + 231,429,507,465;
// Turkey 15,759,968,692 + 5,110,286,393; Azerbaijan 2,048,144,250 + 813,720,675.
func TestTradeShareRealFigures(t *testing.T) {
	data := mustReadTidy(t, "russia_trade_tur_aze.csv")
	res := mustCompute(t, "trade-share", indicators.Params{}, data)
	ts := res.Detail.(*indicators.TradeShareResult)
	world := 337884789154.0 + 231429507465.0
	want := 100 * (15759968692.0 + 5110286393.0 + 2048144250.0 + 813720675.0) / world
	if ts.Year != 2020 {
		t.Fatalf("year %d, want 2020", ts.Year)
	}
	mustNear(t, "TUR+AZE share 2020", ts.Combined.Share, want)
	if *ts.Combined.Share >= 5 || len(ts.Over) != 4 {
		t.Errorf("combined %v (want < 5%%), %d years (want 2017–2020)", *ts.Combined.Share, len(ts.Over))
	}
	if !strings.HasPrefix(res.Statement, "Turkey and Azerbaijan: 4.2% of Russia's goods trade in 2020 (below the 5% line)") {
		t.Errorf("statement %q", res.Statement)
	}
}

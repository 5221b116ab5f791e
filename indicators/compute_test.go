package indicators_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// obs builds an observation; period is parsed.
func obs(ind, country, partner, period string, v float64) indicators.Observation {
	return indicators.Observation{Indicator: ind, Country: country, Partner: partner,
		Period: indicators.MustPeriod(period), Value: v, Source: "test " + ind}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func mustNear(tb testing.TB, what string, got *float64, want float64) {
	tb.Helper()
	if got == nil {
		tb.Fatalf("%s = nil, want %v", what, want)
	}
	if !near(*got, want) {
		tb.Errorf("%s = %v, want %v", what, *got, want)
	}
}

func mustNil(tb testing.TB, what string, got *float64) {
	tb.Helper()
	if got != nil {
		tb.Errorf("%s = %v, want nil (missing)", what, *got)
	}
}

func hasNote(notes []string, parts ...string) bool {
	return slices.ContainsFunc(notes, func(n string) bool {
		for _, p := range parts {
			if !strings.Contains(n, p) {
				return false
			}
		}
		return true
	})
}

const (
	X = indicators.ExportsCode
	M = indicators.ImportsCode
)

// tradeFixture: 2020 has a World row (600 + 400 = 1000); 2019 has none, so its
// total is the sum over partners and not-specified areas (40 + 200 + 10 = 250).
func tradeFixture() []indicators.Observation {
	return []indicators.Observation{
		obs(X, "RUS", "WLD", "2020", 600), obs(M, "RUS", "WLD", "2020", 400),
		obs(X, "RUS", "TUR", "2020", 30), obs(M, "RUS", "TUR", "2020", 14),
		obs(X, "RUS", "AZE", "2020", 12), obs(M, "RUS", "AZE", "2020", 4),
		obs(X, "RUS", "CHN", "2020", 100), obs(M, "RUS", "CHN", "2020", 150),
		obs(X, "RUS", "DEU", "2020", 80), // no imports figure
		obs(X, "RUS", "EUU", "2020", 200), obs(M, "RUS", "EUU", "2020", 200),
		obs(X, "RUS", "TUR", "2019", 20), obs(M, "RUS", "TUR", "2019", 20),
		obs(X, "RUS", "CHN", "2019", 100), obs(M, "RUS", "CHN", "2019", 100),
		obs(X, "RUS", "XXN", "2019", 10),
		obs(X, "RUS", "EUU", "2019", 100),
		obs(X, "TUR", "RUS", "2020", 999), // Turkey's report: not Russia's trade
	}
}

func TestTradeShare(t *testing.T) {
	r, err := indicators.TradeShare(indicators.TradeShareInput{Partners: []string{"TUR", "AZE"}}, tradeFixture())
	if err != nil {
		t.Fatal(err)
	}
	if r.Year != 2020 || r.Total.Basis != "world" || !near(r.Total.Turnover, 1000) {
		t.Fatalf("year %d total %+v, want 2020, world, 1000", r.Year, r.Total)
	}
	var order []string
	share := map[string]float64{}
	for _, p := range r.Partners {
		order = append(order, p.Partner)
		share[p.Partner] = p.Share
	}
	if want := []string{"CHN", "DEU", "TUR", "AZE"}; !slices.Equal(order, want) {
		t.Errorf("partners %v, want %v (aggregates left out)", order, want)
	}
	for p, want := range map[string]float64{"CHN": 25, "DEU": 8, "TUR": 4.4, "AZE": 1.6} {
		if !near(share[p], want) {
			t.Errorf("share %s = %v, want %v", p, share[p], want)
		}
	}
	mustNear(t, "combined 2020", r.Combined.Share, 6)
	if len(r.Over) != 2 {
		t.Fatalf("over %d years, want 2", len(r.Over))
	}
	o19 := r.Over[0]
	mustNear(t, "combined 2019 (Turkey only, sum basis)", o19.Share, 100*40.0/250)
	if o19.Basis != "sum" || !slices.Equal(o19.Missing, []string{"AZE"}) {
		t.Errorf("2019 = %+v, want sum basis and AZE missing", o19)
	}
	for _, n := range [][]string{
		{"2019", "no World row"},
		{"2019", "Azerbaijan", "Turkey only"},
		{"2020", "only one flow", "Germany"},
	} {
		if !hasNote(r.Coverage, n...) {
			t.Errorf("coverage %q lacks a note with %q", r.Coverage, n)
		}
	}
	if len(r.Sources) != 2 {
		t.Errorf("sources %v, want the two trade sources", r.Sources)
	}
}

func TestTradeShareYearAndPartialPartner(t *testing.T) {
	data := append(tradeFixture(), obs(X, "RUS", "GEO", "2019", 5))
	r, err := indicators.TradeShare(indicators.TradeShareInput{Year: 2019, Partners: []string{"GEO"}}, data)
	if err != nil {
		t.Fatal(err)
	}
	mustNear(t, "combined 2019", r.Combined.Share, 100*5.0/255)
	if !hasNote(r.Coverage, "Georgia", "exports only", "2019") {
		t.Errorf("coverage %q does not name Georgia's missing imports", r.Coverage)
	}
	if _, err := indicators.TradeShare(indicators.TradeShareInput{Year: 2005}, data); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("year without figures: err = %v, want ENOTFOUND", err)
	}
}

func gasFixture() []indicators.Observation {
	g := indicators.GasExportsCode
	return withUnit("million m3", []indicators.Observation{
		obs(g, "RUS", "TUR", "2019-04", 1495), obs(g, "RUS", "TUR", "2020-04", 470), obs(g, "RUS", "TUR", "2020-05", 339),
		obs(g, "RUS", "DEU", "2019-04", 2500), obs(g, "RUS", "DEU", "2020-04", 2000),
		obs(g, "RUS", "TUR", "2019", 15196), obs(g, "RUS", "TUR", "2020", 16178),
		obs(g, "RUS", "ITA", "2020", 28716),
	})
}

func withUnit(unit string, data []indicators.Observation) []indicators.Observation {
	for i := range data {
		data[i].Unit = unit
	}
	return data
}

func TestGasExportsMonthly(t *testing.T) {
	r, err := indicators.GasExports(indicators.GasExportsInput{
		Destinations: []string{"TUR", "DEU"}, Freq: indicators.Monthly, From: indicators.MustPeriod("2020-01"),
	}, gasFixture())
	if err != nil {
		t.Fatal(err)
	}
	if got := periodsString(r.Periods); got != "2020-04,2020-05" {
		t.Fatalf("periods %s, want 2020-04,2020-05 (2019 only as the base)", got)
	}
	tur, deu := r.Series[0], r.Series[1]
	mustNear(t, "TUR 2020-04 YoY", tur.Points[0].YoY, 100*(470.0/1495-1))
	mustNil(t, "TUR 2020-05 YoY (no 2019-05)", tur.Points[1].YoY)
	mustNear(t, "DEU 2020-04 YoY", deu.Points[0].YoY, -20)
	mustNil(t, "DEU 2020-05 value", deu.Points[1].Value)
	if !hasNote(r.Coverage, "Germany", "2020-05") {
		t.Errorf("coverage %q does not name Germany's missing 2020-05", r.Coverage)
	}
}

func TestGasExportsMonthlyGapsStayGaps(t *testing.T) {
	r, err := indicators.GasExports(indicators.GasExportsInput{Destinations: []string{"TUR"}, Freq: indicators.Monthly}, gasFixture())
	if err != nil {
		t.Fatal(err)
	}
	// 2019-04 … 2020-05 is 14 months; only 3 have figures.
	if len(r.Periods) != 14 || r.Periods[1].String() != "2019-05" {
		t.Fatalf("periods %s, want every month from 2019-04 to 2020-05", periodsString(r.Periods))
	}
	mustNil(t, "2019-05 (no figure)", r.Series[0].Points[1].Value)
	if !hasNote(r.Coverage, "Turkey: 11 of 14 periods missing", "2019-05") {
		t.Errorf("coverage %q", r.Coverage)
	}
}

func TestGasExportsAnnual(t *testing.T) {
	r, err := indicators.GasExports(indicators.GasExportsInput{Destinations: []string{"TUR", "ITA"}}, gasFixture())
	if err != nil {
		t.Fatal(err)
	}
	if got := periodsString(r.Periods); got != "2019,2020" {
		t.Fatalf("periods %s, want 2019,2020", got)
	}
	mustNil(t, "TUR 2019 YoY", r.Series[0].Points[0].YoY)
	mustNear(t, "TUR 2020 YoY", r.Series[0].Points[1].YoY, 100*(16178.0/15196-1))
	mustNil(t, "ITA 2019", r.Series[1].Points[0].Value)
	mustNil(t, "ITA 2020 YoY", r.Series[1].Points[1].YoY)
	r, err = indicators.GasExports(indicators.GasExportsInput{Destinations: []string{"DEU", "ITA"}}, gasFixture())
	if err != nil {
		t.Fatal(err)
	}
	if !hasNote(r.Coverage, "Germany: no annual figures (monthly figures exist: freq=monthly)") {
		t.Errorf("coverage %q does not point to Germany's monthly figures", r.Coverage)
	}
	_, err = indicators.GasExports(indicators.GasExportsInput{Destinations: []string{"FRA"}}, gasFixture())
	if indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("no data: err = %v, want ENOTFOUND", err)
	}
}

func periodsString(ps []indicators.Period) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// blocFixture: Russia 100 people and 1000 GDP; members 30+20+10 people (60%) and
// 100+150+50 GDP (30%) in 2019; Turkmenistan's 2020 GDP is missing.
func blocFixture() []indicators.Observation {
	p, g := indicators.PopulationCode, indicators.GDPPPPCode
	return []indicators.Observation{
		obs(p, "RUS", "", "2019", 100), obs(p, "BLR", "", "2019", 30), obs(p, "KAZ", "", "2019", 20), obs(p, "TKM", "", "2019", 10),
		obs(g, "RUS", "", "2019", 1000), obs(g, "BLR", "", "2019", 100), obs(g, "KAZ", "", "2019", 150), obs(g, "TKM", "", "2019", 50),
		obs(p, "RUS", "", "2020", 100), obs(p, "BLR", "", "2020", 30), obs(p, "KAZ", "", "2020", 25), obs(p, "TKM", "", "2020", 10),
		obs(g, "RUS", "", "2020", 1000), obs(g, "BLR", "", "2020", 100), obs(g, "KAZ", "", "2020", 150),
	}
}

func TestIntegrationGain(t *testing.T) {
	in := indicators.IntegrationGainInput{Bloc: "test bloc", Members: []string{"BLR", "KAZ", "TKM", "RUS"}}
	r, err := indicators.IntegrationGain(in, blocFixture())
	if err != nil {
		t.Fatal(err)
	}
	if r.Year != 2019 || !r.Complete {
		t.Fatalf("year %d complete %v, want 2019 (latest full coverage), true", r.Year, r.Complete)
	}
	if !slices.Equal(r.Members, []string{"BLR", "KAZ", "TKM"}) {
		t.Errorf("members %v: Russia must be left out of its own bloc", r.Members)
	}
	pop, gdp := r.Measures[0], r.Measures[1]
	p19, _ := pop.At(2019)
	g19, _ := gdp.At(2019)
	mustNear(t, "population ratio 2019", p19.Ratio, 60)
	mustNear(t, "GDP ratio 2019", g19.Ratio, 30)
	mustNear(t, "KAZ GDP contribution", g19.Contributions[1].Pct, 15)
	g20, _ := gdp.At(2020)
	mustNil(t, "GDP ratio 2020 (Turkmenistan missing)", g20.Ratio)
	mustNear(t, "GDP partial ratio 2020", g20.PartialRatio, 25)
	p20, _ := pop.At(2020)
	mustNear(t, "population ratio 2020", p20.Ratio, 65)
	if !hasNote(r.Coverage, "Turkmenistan: no GDP PPP for 2020") {
		t.Errorf("coverage %q does not name Turkmenistan's missing 2020 GDP PPP", r.Coverage)
	}

	in.Measures = []string{"population"}
	r, err = indicators.IntegrationGain(in, blocFixture())
	if err != nil || r.Year != 2020 {
		t.Fatalf("population only: year %v err %v, want 2020", r.Year, err)
	}
	in.Measures, in.Year = nil, 2020
	r, err = indicators.IntegrationGain(in, blocFixture())
	if err != nil || r.Year != 2020 || r.Complete {
		t.Fatalf("year 2020 asked: year %d complete %v err %v, want 2020 incomplete", r.Year, r.Complete, err)
	}
}

func TestIntegrationGainMissingReference(t *testing.T) {
	data := []indicators.Observation{obs(indicators.PopulationCode, "BLR", "", "2019", 9)}
	r, err := indicators.IntegrationGain(indicators.IntegrationGainInput{Bloc: "b", Members: []string{"BLR"}, Measures: []string{"population"}}, data)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := r.Measures[0].At(2019)
	mustNil(t, "ratio without Russia", b.Ratio)
	mustNil(t, "partial ratio without Russia", b.PartialRatio)
	if !hasNote(r.Coverage, "Russia: no population for 2019") {
		t.Errorf("coverage %q does not name Russia's missing population", r.Coverage)
	}
}

func TestSeries(t *testing.T) {
	data := blocFixture()
	r, err := indicators.Series(indicators.SeriesInput{Indicator: indicators.GDPPPPCode, Countries: []string{"KAZ", "TKM", "UZB"}}, data)
	if err != nil {
		t.Fatal(err)
	}
	if periodsString(r.Periods) != "2019,2020" || len(r.Lines) != 3 {
		t.Fatalf("periods %s lines %d", periodsString(r.Periods), len(r.Lines))
	}
	mustNear(t, "KAZ 2020", r.Lines[0].Values[1], 150)
	mustNil(t, "TKM 2020", r.Lines[1].Values[1])
	if !hasNote(r.Coverage, "Turkmenistan", "2020") || !hasNote(r.Coverage, "Uzbekistan: no") {
		t.Errorf("coverage %q", r.Coverage)
	}
	_, err = indicators.Series(indicators.SeriesInput{Indicator: indicators.GDPPPPCode, Countries: []string{"KAZ"}, From: indicators.Year(2021)}, data)
	if indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("empty range: err = %v, want ENOTFOUND", err)
	}
}

func TestMapData(t *testing.T) {
	m, err := indicators.MapData(indicators.MapInput{Metric: indicators.MapBloc, Bloc: "b", Members: []string{"BLR", "KAZ", "TKM"}, Measure: "population"}, blocFixture())
	if err != nil {
		t.Fatal(err)
	}
	if m.Year != 2020 || len(m.Regions) != 4 || !m.Regions[0].Reference || m.Regions[0].Numeric != "643" {
		t.Fatalf("bloc map %+v", m)
	}
	mustNear(t, "KAZ % of Russia", m.Regions[2].Value, 25)
	if m.Min != 10 || m.Max != 30 {
		t.Errorf("scale %v..%v, want 10..30", m.Min, m.Max)
	}

	m, err = indicators.MapData(indicators.MapInput{Metric: indicators.MapTradeShare, Partners: []string{"TUR"}}, tradeFixture())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, r := range m.Regions {
		got[r.Code] = *r.Value
		if r.Highlight != (r.Code == "TUR") {
			t.Errorf("%s highlight = %v", r.Code, r.Highlight)
		}
	}
	if len(got) != 4 || !near(got["CHN"], 25) || !near(got["TUR"], 4.4) {
		t.Errorf("trade map values %v", got)
	}
	if _, err := indicators.MapData(indicators.MapInput{Metric: "gdp"}, nil); indicators.ErrorCode(err) != indicators.EINVALID {
		t.Errorf("bad metric: err = %v", err)
	}
}

// TestGasExportsNamesBlankDestinationsTogether: destinations without a single
// figure at the chosen frequency are one note, so a chart can leave them out
// of its legend and still say why.
func TestGasExportsNamesBlankDestinationsTogether(t *testing.T) {
	g := indicators.GasExportsCode
	data := append(gasFixture(), withUnit("million m3", []indicators.Observation{
		obs(g, "RUS", "AUT", "2020", 6000), obs(g, "RUS", "FRA", "2020", 9000)})...)
	r, err := indicators.GasExports(indicators.GasExportsInput{Destinations: []string{"TUR", "ITA", "AUT", "FRA"}, Freq: indicators.Monthly}, data)
	if err != nil {
		t.Fatal(err)
	}
	want := "Italy, Austria and France: no monthly figures (annual figures exist: freq=annual)"
	if !slices.Contains(r.Coverage, want) {
		t.Fatalf("coverage %q, want %q", r.Coverage, want)
	}
	for _, note := range r.Coverage {
		if strings.HasPrefix(note, "Italy:") || strings.HasPrefix(note, "Austria:") {
			t.Errorf("blank destination noted on its own as well: %q", note)
		}
	}
}

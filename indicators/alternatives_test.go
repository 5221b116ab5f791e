package indicators_test

import (
	"context"
	"slices"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func flagged(o indicators.Observation, note string, fs ...indicators.Flag) indicators.Observation {
	o.Flags, o.Note = fs, note
	return o
}

func vintage(o indicators.Observation, v string) indicators.Observation {
	o.Vintage = v
	return o
}

func TestSelectVintage(t *testing.T) {
	g := indicators.GDPPPPCode
	data := []indicators.Observation{
		vintage(obs(g, "RUS", "", "2019", 1), "2023-05"), vintage(obs(g, "RUS", "", "2019", 2), "2026-07"),
		obs(g, "RUS", "", "2019", 3), obs(g, "KAZ", "", "2019", 4), vintage(obs(g, "ARM", "", "2019", 5), "2023-05"),
		vintage(obs(indicators.PopulationCode, "RUS", "", "2019", 6), "2026-03"),
	}
	tests := []struct {
		name, vintage string
		want          []float64
	}{
		{"newest", indicators.NewestVintage, []float64{2, 4, 5, 6}},
		{"one vintage, else none; population has none of it: newest", "2023-05", []float64{1, 4, 5, 6}},
		{"other vintage", "2026-07", []float64{2, 4, 6}},
		{"population's vintage", "2026-03", []float64{2, 4, 5, 6}},
		{"all", indicators.AllVintages, []float64{1, 2, 3, 4, 5, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []float64
			for _, o := range indicators.SelectVintage(data, tt.vintage) {
				got = append(got, o.Value)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// altFixture: 2020 has the partner table (Russia-reported) and the partners' own
// reports; 2022 has no table, only totals and quoted turnovers, one of them a
// lower bound, and a customs total that is itself a lower bound.
func altFixture() []indicators.Observation {
	T, W := indicators.TurnoverCode, indicators.WTOExportsCode
	return []indicators.Observation{
		obs(X, "RUS", "WLD", "2020", 600), obs(M, "RUS", "WLD", "2020", 400),
		obs(X, "RUS", "TUR", "2020", 30), obs(M, "RUS", "TUR", "2020", 10),
		obs(X, "TUR", "RUS", "2020", 5), obs(M, "TUR", "RUS", "2020", 45), // Turkey reports 50
		obs(X, "WLD", "RUS", "2020", 380), obs(M, "WLD", "RUS", "2020", 620), // mirror total 1000
		obs(W, "RUS", "", "2020", 500), obs(indicators.WTOImportsCode, "RUS", "", "2020", 300), // WTO total 800
		obs(W, "RUS", "", "2022", 600), obs(indicators.WTOImportsCode, "RUS", "", "2022", 400), // WTO 1000
		flagged(obs(indicators.CustomsTurnoverCode, "RUS", "WLD", "2022", 900), "", indicators.FlagLowerBound, indicators.FlagEstimate),
		obs(indicators.CustomsExportsCode, "RUS", "WLD", "2023", 500), obs(indicators.CustomsImportsCode, "RUS", "WLD", "2023", 300),
		flagged(obs(T, "RUS", "TUR", "2022", 60), "", indicators.FlagStatement),
		flagged(obs(T, "TUR", "RUS", "2022", 70), "", indicators.FlagStatement, indicators.FlagLowerBound),
		flagged(obs(T, "RUS", "AZE", "2023", 8), "", indicators.FlagStatement),
	}
}

func TestTradeShareAlternativeSources(t *testing.T) {
	r, err := indicators.TradeShare(indicators.TradeShareInput{Partners: []string{"TUR", "AZE"}}, altFixture())
	if err != nil {
		t.Fatal(err)
	}
	if r.Year != 2020 || len(r.Over) != 3 {
		t.Fatalf("year %d with %d years, want 2020 (the partner table's) and 2020, 2022, 2023", r.Year, len(r.Over))
	}
	y20, y22, y23 := r.Over[0], r.Over[1], r.Over[2]
	// 2020: Turkey 40 (Russia) or 50 (Turkey); totals 1000 (World row), 800 (WTO), 1000 (mirror).
	mustNear(t, "2020 headline (DOTS over DOTS)", y20.Share, 4)
	if y20.Combinations != 6 || !near(y20.Min.Share, 4) || !near(y20.Max.Share, 100*50.0/800) {
		t.Errorf("2020 range %v–%v over %d, want 4–6.25 over 6", y20.Min.Share, y20.Max.Share, y20.Combinations)
	}
	if y20.Max.Total.Basis != indicators.BasisWTO || y20.Max.Partners[0].Basis != indicators.BasisMirror {
		t.Errorf("2020 max from %s over %s, want mirror over wto", y20.Max.Partners[0].Basis, y20.Max.Total.Basis)
	}
	// 2022: no table; the customs lower bound is left out; Turkey 60 (statement)
	// or at least 70 (statement, lower bound) over WTO 1000.
	if !y22.NoPartnerTable || y22.Basis != indicators.BasisWTO || len(y22.ExcludedTotals) != 1 {
		t.Errorf("2022 = %+v, want no partner table, WTO basis, the customs bound excluded", y22)
	}
	mustNear(t, "2022 headline", y22.Share, 6)
	if !near(y22.Min.Share, 6) || !near(y22.Max.Share, 7) || y22.Combinations != 2 {
		t.Errorf("2022 range %v–%v over %d", y22.Min.Share, y22.Max.Share, y22.Combinations)
	}
	if !slices.Equal(y22.Max.Flags, []indicators.Flag{indicators.FlagLowerBound, indicators.FlagStatement}) ||
		!slices.Equal(y22.Flags, []indicators.Flag{indicators.FlagStatement}) {
		t.Errorf("2022 flags: max %v headline %v", y22.Max.Flags, y22.Flags)
	}
	if !slices.Equal(y22.Missing, []string{"AZE"}) {
		t.Errorf("2022 missing %v, want AZE", y22.Missing)
	}
	// 2023: customs flows sum to the total; Azerbaijan only.
	mustNear(t, "2023", y23.Share, 1)
	for _, n := range [][]string{
		{"2022", "no partner table", "every other partner"},
		{"2022", "Russian customs", "lower bound", "left out"},
		{"2022", "official statements"},
	} {
		if !hasNote(r.Coverage, n...) {
			t.Errorf("coverage %q lacks %q", r.Coverage, n)
		}
	}

	r22, err := indicators.TradeShare(indicators.TradeShareInput{Year: 2022, Partners: []string{"TUR", "AZE"}}, altFixture())
	if err != nil {
		t.Fatalf("a year without a partner table: %v", err)
	}
	if len(r22.Partners) != 1 || r22.Partners[0].Partner != "TUR" || r22.Partners[0].Basis != indicators.BasisRussianSide ||
		!near(r22.Partners[0].Share, 6) || r22.Total.Basis != indicators.BasisWTO || len(r22.Totals) != 2 {
		t.Errorf("2022 partners %+v total %+v totals %d", r22.Partners, r22.Total, len(r22.Totals))
	}
}

func TestTradeShareChartFlagsAndStatement(t *testing.T) {
	res := mustCompute(t, "trade-share", indicators.Params{"year": "2022"}, altFixture())
	want := "Turkey and Azerbaijan: 6.0% of Russia's goods trade in 2022 (at or above the 5% line); " +
		"6.0–7.0% across 2 combinations of sources, at or above the line under every one; no figures for Azerbaijan"
	if res.Statement != want {
		t.Errorf("statement %q, want %q", res.Statement, want)
	}
	if !slices.Equal(res.Flags, []indicators.Flag{indicators.FlagLowerBound, indicators.FlagStatement, indicators.FlagEstimate}) {
		t.Errorf("result flags %v", res.Flags)
	}
	if len(res.Flagged) != 4 {
		t.Errorf("flagged figures %d, want the 4 flagged observations", len(res.Flagged))
	}
}

func TestGasExportsFlagsDerivedBaseline(t *testing.T) {
	g := indicators.GasExportsCode
	data := []indicators.Observation{
		flagged(obs(g, "RUS", "TUR", "2019-04", 1495), "back-calculated from April 2020 and its change", indicators.FlagDerived),
		obs(g, "RUS", "TUR", "2020-04", 470),
	}
	res := mustCompute(t, "gas-exports", indicators.Params{"destinations": "TUR", "freq": "monthly"}, data)
	gr := res.Detail.(*indicators.GasExportsResult)
	pt := gr.Series[0].Points[len(gr.Periods)-1]
	if !slices.Equal(pt.Flags, []indicators.Flag{indicators.FlagDerived}) || len(pt.Notes) != 1 {
		t.Errorf("April 2020 point %+v: want the baseline's derived flag and note", pt)
	}
	if !slices.Equal(res.Flags, []indicators.Flag{indicators.FlagDerived}) || len(res.Flagged) != 1 {
		t.Errorf("result flags %v flagged %v", res.Flags, res.Flagged)
	}
}

// memReader serves observations from memory with a store's vintage rule.
type memReader []indicators.Observation

func (m memReader) Observations(_ context.Context, q indicators.Query) ([]indicators.Observation, error) {
	return indicators.SelectVintage(m, q.Vintage), nil
}

func (memReader) DataVersion(context.Context) (int64, error) { return 1, nil }

func TestIntegrationGainVintages(t *testing.T) {
	p, g := indicators.PopulationCode, indicators.GDPPPPCode
	data := memReader{
		obs(p, "RUS", "", "2019", 100), obs(p, "KAZ", "", "2019", 20),
		vintage(obs(g, "RUS", "", "2019", 100), "2023-05"), vintage(obs(g, "KAZ", "", "2019", 30), "2023-05"),
		vintage(obs(g, "RUS", "", "2019", 100), "2026-07"), vintage(obs(g, "KAZ", "", "2019", 32), "2026-07"),
	}
	compute := func(params indicators.Params) *indicators.Result {
		t.Helper()
		res, err := indicators.ComputeChart(context.Background(), data, mustChart(t, "integration-gain"), params, 0)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	params := indicators.Params{"bloc": "KAZ"}
	newest := compute(params)
	gdp, _ := newest.Detail.(*indicators.IntegrationGainResult).Measures[1].At(2019)
	mustNear(t, "newest GDP ratio", gdp.Ratio, 32)
	if newest.Vintage != "" || !slices.Equal(newest.Vintages, []string{"2026-07"}) || !slices.Equal(newest.VintagesAvailable, []string{"2023-05", "2026-07"}) {
		t.Errorf("vintage %q shown %v available %v", newest.Vintage, newest.Vintages, newest.VintagesAvailable)
	}
	if len(newest.VintageDiffs) != 1 || !near(newest.VintageDiffs[0].Spread, 2) || newest.VintageDiffs[0].Period != "2019" {
		t.Fatalf("vintage diffs %+v, want the 2019 GDP ratio 2 points apart", newest.VintageDiffs)
	}
	if !hasNote(newest.Coverage, "2019", "30.0% in vintage 2023-05", "32.0% in vintage 2026-07") {
		t.Errorf("coverage %q does not say how far the vintages are apart", newest.Coverage)
	}
	params["vintage"] = "2023-05"
	old := compute(params)
	gdp, _ = old.Detail.(*indicators.IntegrationGainResult).Measures[1].At(2019)
	mustNear(t, "2023-05 GDP ratio", gdp.Ratio, 30)
	if old.Params["vintage"] != "2023-05" || !slices.Equal(old.Vintages, []string{"2023-05"}) {
		t.Errorf("params %v vintages %v", old.Params, old.Vintages)
	}
	params["vintage"] = "1999-01"
	if res := compute(params); !hasNote(res.Coverage, "vintage 1999-01", "newest") {
		t.Errorf("a vintage none of the figures has: coverage %q", res.Coverage)
	}
	params["vintage"] = "2023/05"
	if _, err := mustChart(t, "integration-gain").Query(params); indicators.ErrorCode(err) != indicators.EINVALID {
		t.Errorf("a malformed vintage: %v, want EINVALID", err)
	}
}

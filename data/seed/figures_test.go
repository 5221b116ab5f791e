package seed_test

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/seed"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// MustSeededStore opens a SQLite file in a temporary directory and imports the
// embedded seed into it, as a fresh install does.
func MustSeededStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "clout.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	imp := importer.New(st, importer.Options{Countries: indicators.DefaultCountries()})
	if rep, err := seed.ImportIfEmpty(ctx, st, imp); err != nil {
		tb.Fatalf("seed: %v (%+v)", err, rep)
	}
	return st
}

// mustChart computes a built-in chart from the store, as the dashboard does.
func mustChart(tb testing.TB, st indicators.ObservationReader, id string, p indicators.Params) *indicators.Result {
	tb.Helper()
	c, err := indicators.ChartByID(id)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := indicators.ComputeChart(context.Background(), st, c, p, 0)
	if err != nil {
		tb.Fatalf("%s %v: %v", id, p, err)
	}
	return res
}

func within(v, lo, hi float64) bool { return v >= lo && v <= hi }

// The article's "Turkey and Azerbaijan are under 5% of Russia's trade": true
// under every source to 2021, false under every source in 2022-2024, and not
// computable for 2025 (no Turkey figure).
func TestSeedTradeShareFlipsIn2022(t *testing.T) {
	st := MustSeededStore(t)
	res := mustChart(t, st, indicators.ChartTradeShare, indicators.Params{})
	ts := res.Detail.(*indicators.TradeShareResult)
	if ts.Year != 2020 {
		t.Errorf("default year %d, want 2020 (the last partner table)", ts.Year)
	}
	over := map[int]indicators.CombinedShare{}
	for _, o := range ts.Over {
		over[o.Year] = o
	}
	for y := 2017; y <= 2025; y++ {
		o, ok := over[y]
		if !ok {
			t.Errorf("%d: no combined share", y)
			continue
		}
		switch {
		case y == 2025:
			if !slices.Equal(o.Missing, []string{"TUR"}) {
				t.Errorf("2025: missing %v, want Turkey (untestable)", o.Missing)
			}
			continue
		case o.Share == nil || o.Min == nil || len(o.Missing) > 0:
			t.Errorf("%d: share %v, missing %v", y, o.Share, o.Missing)
			continue
		}
		t.Logf("%d: %.2f%% (%s), %.2f–%.2f%% over %d combinations, min %v", y, *o.Share, o.Basis, o.Min.Share, o.Max.Share, o.Combinations, o.Min.Flags)
		if y <= 2021 && o.Max.Share >= 5 {
			t.Errorf("%d: highest share %.2f%% (%s over %s), want under 5%% under every source", y, o.Max.Share, o.Max.Partners[0].Basis, o.Max.Total.Basis)
		}
		if y >= 2022 && o.Min.Share < 5 {
			t.Errorf("%d: lowest share %.2f%%, want 5%% or more under every source", y, o.Min.Share)
		}
		if y >= 2021 && !o.NoPartnerTable {
			t.Errorf("%d: a partner table, want none after 2020", y)
		}
		if y >= 2021 && y <= 2023 && o.Combinations < 2 {
			t.Errorf("%d: %d combinations of sources, want several", y, o.Combinations)
		}
	}
	y22 := over[2022]
	if !within(y22.Min.Share, 7.55, 7.65) || !within(y22.Max.Share, 8.55, 8.7) {
		t.Errorf("2022 range %.2f–%.2f%%, want about 7.6–8.6%%", y22.Min.Share, y22.Max.Share)
	}
	if !slices.Contains(y22.InputFlags, indicators.FlagStatement) {
		t.Errorf("2022 input flags %v: the quoted turnovers are statements", y22.InputFlags)
	}
	// 2024: only lower bounds of the numerator (TurkStat's half-year exports),
	// and the customs total, itself a lower bound, is left out.
	if y24 := over[2024]; !slices.Contains(y24.Min.Flags, indicators.FlagLowerBound) || len(y24.ExcludedTotals) != 1 ||
		y24.ExcludedTotals[0].Basis != indicators.BasisCustoms {
		t.Errorf("2024 lowest share flags %v, excluded totals %+v", y24.Min.Flags, y24.ExcludedTotals)
	}
	// A year without a partner table shows what exists instead of refusing.
	r22 := mustChart(t, st, indicators.ChartTradeShare, indicators.Params{"year": "2022"})
	d22 := r22.Detail.(*indicators.TradeShareResult)
	if len(d22.Partners) != 2 || len(d22.Totals) != 3 || !slices.ContainsFunc(r22.Coverage, func(s string) bool {
		return s == "2022: no partner table; only Turkey and Azerbaijan's figures exist, every other partner of Russia is missing"
	}) {
		t.Errorf("2022: partners %+v, totals %d, coverage %q", d22.Partners, len(d22.Totals), r22.Coverage)
	}
	if !slices.Contains(r22.Flags, indicators.FlagStatement) || len(r22.Flagged) == 0 {
		t.Errorf("2022 result flags %v (%d flagged figures), want the statements shown", r22.Flags, len(r22.Flagged))
	}
}

// "FSU-CORE adds ~32% to GDP (PPP) and ~69% to population": GDP PPP fits in
// the newest vintage; population has drifted; the old vintage gives 30.6%.
func TestSeedIntegrationGainVintages(t *testing.T) {
	st := MustSeededStore(t)
	res := mustChart(t, st, indicators.ChartIntegrationGain, indicators.Params{})
	ig := res.Detail.(*indicators.IntegrationGainResult)
	ratio := func(ig *indicators.IntegrationGainResult, measure, year int) float64 {
		t.Helper()
		b, ok := ig.Measures[measure].At(year)
		if !ok || b.Ratio == nil {
			t.Fatalf("%s %d: no ratio (missing %v)", ig.Measures[measure].ID, year, b.Missing)
		}
		return *b.Ratio
	}
	for y := 2019; y <= 2024; y++ {
		if g := ratio(ig, 1, y); !within(g, 30.55, 32.65) {
			t.Errorf("GDP PPP ratio %d = %.2f%%, want 30.6–32.6%%", y, g)
		}
	}
	for y, want := range map[int]float64{2022: 72.3, 2023: 73.4, 2024: 74.5} {
		if p := ratio(ig, 0, y); math.Abs(p-want) > 0.1 {
			t.Errorf("population ratio %d = %.2f%%, want %.1f%%", y, p, want)
		}
	}
	if res.Vintage != "" || !slices.Contains(res.Vintages, "2026-07") || !slices.Contains(res.VintagesAvailable, "2023-05") {
		t.Errorf("vintage %q, shown %v, available %v", res.Vintage, res.Vintages, res.VintagesAvailable)
	}
	i := slices.IndexFunc(res.VintageDiffs, func(d indicators.VintageDiff) bool {
		return d.Period == "2019" && d.What == "FSU-CORE GDP PPP as % of Russia's"
	})
	if i < 0 {
		t.Fatalf("vintage diffs %+v: no 2019 GDP PPP", res.VintageDiffs)
	}
	d := res.VintageDiffs[i]
	if len(d.Values) != 2 || d.Values[0].Vintage != "2023-05" || math.Abs(d.Values[0].Value-30.6) > 0.05 ||
		d.Values[1].Vintage != "2026-07" || math.Abs(d.Values[1].Value-32.5) > 0.05 {
		t.Errorf("2019 GDP PPP by vintage %+v, want 30.6%% (2023-05) and 32.5%% (2026-07)", d.Values)
	}
	if !slices.Contains(res.Flags, indicators.FlagDerived) {
		t.Errorf("flags %v: the 2026-07 GDP PPP is derived from per-capita PPP × population", res.Flags)
	}

	old := mustChart(t, st, indicators.ChartIntegrationGain, indicators.Params{"vintage": "2023-05", "measure": "gdp-ppp", "year": "2019"})
	if g := ratio(old.Detail.(*indicators.IntegrationGainResult), 0, 2019); math.Abs(g-30.6) > 0.05 {
		t.Errorf("2023-05 vintage: GDP PPP ratio 2019 = %.2f%%, want 30.6%%", g)
	}
	if old.Vintage != "2023-05" || !slices.Equal(old.Vintages, []string{"2023-05"}) {
		t.Errorf("2023-05 result: vintage %q, shown %v", old.Vintage, old.Vintages)
	}
}

// "Gas exports to Turkey fell ~70% year on year": single months only, and the
// April 2019 baseline of the April 2020 fall is derived.
func TestSeedGasFalls(t *testing.T) {
	st := MustSeededStore(t)
	res := mustChart(t, st, indicators.ChartGasExports, indicators.Params{"destinations": "TUR", "freq": "monthly"})
	g := res.Detail.(*indicators.GasExportsResult)
	point := func(p string) indicators.GasPoint {
		i := slices.IndexFunc(g.Periods, func(x indicators.Period) bool { return x.String() == p })
		if i < 0 || g.Series[0].Points[i].YoY == nil {
			t.Fatalf("%s: no year-on-year change", p)
		}
		return g.Series[0].Points[i]
	}
	apr20, apr24 := point("2020-04"), point("2024-04")
	if math.Abs(*apr20.YoY - -68.6) > 0.05 || math.Abs(*apr24.YoY - -76.0) > 0.1 {
		t.Errorf("April 2020 %.2f%%, April 2024 %.2f%%; want −68.6%% and −76%%", *apr20.YoY, *apr24.YoY)
	}
	if !slices.Contains(apr20.Flags, indicators.FlagDerived) || len(apr20.Notes) == 0 {
		t.Errorf("April 2020 point %+v: its April 2019 baseline is derived, and the note must say from what", apr20)
	}
	annual := mustChart(t, st, indicators.ChartGasExports, indicators.Params{"destinations": "TUR", "from": "2021"})
	for _, pt := range annual.Detail.(*indicators.GasExportsResult).Series[0].Points {
		if pt.YoY != nil && *pt.YoY <= -30 {
			t.Errorf("%s: annual change %.1f%%, no full year fell anywhere near 70%%", pt.Period, *pt.YoY)
		}
	}
}

// Every observation keeps its source, and both WDI vintages of GDP PPP are there.
func TestSeedSourcesAndVintages(t *testing.T) {
	st := MustSeededStore(t)
	ctx := context.Background()
	obs, err := st.Observations(ctx, indicators.Query{Vintage: indicators.AllVintages})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obs {
		if o.Source == "" {
			t.Fatalf("%s %s %s %s %s has no source", o.Indicator, o.Country, o.Partner, o.Period, o.Vintage)
		}
		if o.HasFlag(indicators.FlagDerived) && o.Note == "" {
			t.Errorf("%s %s %s %s: derived without a note", o.Indicator, o.Country, o.Partner, o.Period)
		}
	}
	vs, err := st.Vintages(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(vs, func(v indicators.IndicatorVintages) bool { return v.Indicator == indicators.GDPPPPCode })
	if i < 0 || !slices.Equal(vs[i].Vintages, []string{"2023-05", "2026-07"}) {
		t.Errorf("vintages %+v, want GDP PPP in 2023-05 and 2026-07", vs)
	}
}

package claims_test

import (
	"reflect"
	"testing"

	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/indicators"
)

func f(v float64) *float64 { return &v }

func claimByID(tb testing.TB, id string) indicators.Claim {
	tb.Helper()
	c, err := indicators.ClaimByID(indicators.BuiltinClaims(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// point is what the tests compare of a MetricPoint: figures as plain numbers
// (-1 for none), flags and missing inputs.
type point struct {
	Period                            string
	Value, Low, High, AtLeast, AtMost float64
	Flags                             []indicators.Flag
	Missing                           []string
}

func flat(ps []indicators.MetricPoint) []point {
	num := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	out := []point{}
	for _, p := range ps {
		out = append(out, point{p.Period.String(), num(p.Value), num(p.Low), num(p.High), num(p.AtLeast), num(p.AtMost), p.Flags, p.Missing})
	}
	return out
}

func TestMetricPoints(t *testing.T) {
	lb := []indicators.Flag{indicators.FlagLowerBound}
	st := []indicators.Flag{indicators.FlagStatement}
	end := func(share float64, flags []indicators.Flag) *indicators.ShareEnd {
		return &indicators.ShareEnd{Share: share, Flags: flags}
	}
	tests := []struct {
		name  string
		claim string
		res   *indicators.Result
		want  []point
	}{
		{
			name:  "trade share: a figure with its range across sources",
			claim: indicators.ClaimTradeShare,
			res: &indicators.Result{Chart: indicators.ChartTradeShare, Detail: &indicators.TradeShareResult{Reporter: "RUS", Over: []indicators.CombinedShare{
				{Year: 2019, Share: f(4.4), Min: end(4.39, nil), Max: end(4.65, nil), Covered: []string{"TUR", "AZE"}},
			}}},
			want: []point{{"2019", 4.4, 4.39, 4.65, -1, -1, nil, []string{}}},
		},
		{
			name:  "trade share: lower-bound ends bound the share from below",
			claim: indicators.ClaimTradeShare,
			res: &indicators.Result{Chart: indicators.ChartTradeShare, Detail: &indicators.TradeShareResult{Reporter: "RUS", Over: []indicators.CombinedShare{
				{Year: 2023, Share: f(7.9), Flags: st, Min: end(7.2, append(lb, st...)), Max: end(8.6, st), InputFlags: append(lb, st...), Covered: []string{"TUR", "AZE"}},
			}}},
			want: []point{{"2023", 7.9, -1, 8.6, 7.2, -1, append(lb, st...), []string{}}},
		},
		{
			name:  "trade share: a missing partner makes the share a floor and is named",
			claim: indicators.ClaimTradeShare,
			res: &indicators.Result{Chart: indicators.ChartTradeShare, Detail: &indicators.TradeShareResult{Reporter: "RUS", Over: []indicators.CombinedShare{
				{Year: 2024, Share: f(6.1), Min: end(5.9, nil), Max: end(6.3, nil), Covered: []string{"TUR"}, Missing: []string{"AZE"}},
			}}},
			want: []point{{"2024", -1, -1, -1, 5.9, -1, nil, []string{"Azerbaijan–Russia turnover 2024"}}},
		},
		{
			name:  "trade share: no partner figures at all",
			claim: indicators.ClaimTradeShare,
			res: &indicators.Result{Chart: indicators.ChartTradeShare, Detail: &indicators.TradeShareResult{Reporter: "RUS", Over: []indicators.CombinedShare{
				{Year: 2025, Missing: []string{"TUR", "AZE"}},
			}}},
			want: []point{{"2025", -1, -1, -1, -1, -1, nil, []string{"Turkey–Russia turnover 2025", "Azerbaijan–Russia turnover 2025"}}},
		},
		{
			name:  "gas: the change per period; a missing baseline is named; gaps are no points",
			claim: indicators.ClaimGasFall,
			res: &indicators.Result{Chart: indicators.ChartGasExports, Detail: &indicators.GasExportsResult{Series: []indicators.GasSeries{{Name: "Turkey", Points: []indicators.GasPoint{
				{Period: indicators.Month(2020, 3), Value: f(100), Previous: f(400), YoY: f(-75), Flags: []indicators.Flag{indicators.FlagDerived}},
				{Period: indicators.Month(2020, 4), Value: f(470)},
				{Period: indicators.Month(2020, 5)},
			}}}}},
			want: []point{
				{"2020-03", -75, -1, -1, -1, -1, []indicators.Flag{indicators.FlagDerived}, []string{}},
				{"2020-04", -1, -1, -1, -1, -1, nil, []string{"gas exports to Turkey in 2019-04"}},
			},
		},
		{
			name:  "integration gain: the claim's measure, a partial year as a floor, other vintages as the range",
			claim: indicators.ClaimGDPGain,
			res: &indicators.Result{Chart: indicators.ChartIntegrationGain,
				VintageDiffs: []indicators.VintageDiff{{What: "FSU-CORE GDP PPP as % of Russia's", Period: "2019", Unit: "%",
					Values: []indicators.VintageValue{{Vintage: "2023-05", Value: 30.6}, {Vintage: "2026-07", Value: 32.5}}}},
				Detail: &indicators.IntegrationGainResult{Reference: "RUS", Measures: []indicators.IntegrationMeasure{
					{Measure: indicators.Measure{ID: "population", Short: "population"}, Years: []indicators.BlocYear{{Year: 2019, Ratio: f(68.9)}}},
					{Measure: indicators.Measure{ID: "gdp-ppp", Short: "GDP PPP"}, Years: []indicators.BlocYear{
						{Year: 2019, Ratio: f(32.5), Reference: f(1)},
						{Year: 2020, PartialRatio: f(28.4), Reference: f(1), Missing: []string{"TKM"}},
					}},
				}}},
			want: []point{
				{"2019", 32.5, 30.6, 32.5, -1, -1, nil, []string{}},
				{"2020", -1, -1, -1, 28.4, -1, nil, []string{"Turkmenistan GDP PPP 2020"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := claims.MetricPoints(claimByID(t, tt.claim), tt.res)
			if err != nil {
				t.Fatal(err)
			}
			if g := flat(got); !reflect.DeepEqual(g, tt.want) {
				t.Errorf("MetricPoints =\n%+v\nwant\n%+v", g, tt.want)
			}
		})
	}
}

func TestMetricPoints_otherChart(t *testing.T) {
	_, err := claims.MetricPoints(claimByID(t, indicators.ClaimTradeShare), &indicators.Result{Chart: indicators.ChartSeries, Detail: &indicators.SeriesResult{}})
	if indicators.ErrorCode(err) != indicators.EINVALID {
		t.Errorf("series result: %v, want EINVALID", err)
	}
}

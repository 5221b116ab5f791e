package indicators_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func mustChart(tb testing.TB, id string) indicators.Chart {
	tb.Helper()
	c, err := indicators.ChartByID(id)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// mustCompute runs a chart the way ComputeChart does: Query validates, Compute
// computes; the observations are filtered by the query as a store would.
func mustCompute(tb testing.TB, id string, p indicators.Params, data []indicators.Observation) *indicators.Result {
	tb.Helper()
	c := mustChart(tb, id)
	q, err := c.Query(p)
	if err != nil {
		tb.Fatalf("%s Query(%v): %v", id, p, err)
	}
	res, err := c.Compute(p, filter(q, data))
	if err != nil {
		tb.Fatalf("%s Compute(%v): %v", id, p, err)
	}
	if _, err := json.Marshal(res); err != nil {
		tb.Fatalf("%s result does not marshal: %v", id, err)
	}
	return res
}

// filter applies a Query as the store does (inclusive period bounds compared by
// Period order).
func filter(q indicators.Query, data []indicators.Observation) []indicators.Observation {
	var out []indicators.Observation
	in := func(list []string, s string) bool { return len(list) == 0 || slices.Contains(list, s) }
	for _, o := range data {
		if !in(q.Indicators, o.Indicator) || !in(q.Countries, o.Country) || !in(q.Partners, o.Partner) {
			continue
		}
		if (!q.From.IsZero() && o.Period.Before(q.From)) || (!q.To.IsZero() && q.To.Before(o.Period)) {
			continue
		}
		out = append(out, o)
	}
	return out
}

func TestChartCatalogue(t *testing.T) {
	var ids []string
	for _, c := range indicators.Charts() {
		ids = append(ids, c.ID())
		if c.Title() == "" || len(c.Params()) == 0 {
			t.Errorf("%s: empty title or params", c.ID())
		}
	}
	if want := []string{"trade-share", "gas-exports", "integration-gain", "series", "map"}; !slices.Equal(ids, want) {
		t.Errorf("chart ids %v, want %v", ids, want)
	}
	_, err := indicators.ChartByID("pie")
	if indicators.ErrorCode(err) != indicators.ENOTFOUND || !strings.Contains(err.Error(), "trade-share") {
		t.Errorf("unknown chart: err = %v, want ENOTFOUND listing the ids", err)
	}
}

func TestChartQueryRejectsBadParams(t *testing.T) {
	tests := []struct {
		name, chart string
		params      indicators.Params
		want        string // the message must start with the parameter name and contain this
	}{
		{"year not a year", "trade-share", indicators.Params{"year": "20x9"}, `year: "20x9" is not a year`},
		{"unknown partner", "trade-share", indicators.Params{"partners": "TUR,Azerbajan"}, "partners: unknown country \"Azerbajan\"; did you mean Azerbaijan"},
		{"threshold out of range", "trade-share", indicators.Params{"threshold": "150"}, `threshold: "150"`},
		{"top not an int", "trade-share", indicators.Params{"top": "many"}, `top: "many"`},
		{"bad freq", "gas-exports", indicators.Params{"freq": "weekly"}, `freq: "weekly" is not one of annual, monthly`},
		{"bad from", "gas-exports", indicators.Params{"from": "April"}, `from: "April" is not a period`},
		{"to before from", "gas-exports", indicators.Params{"from": "2020", "to": "2019"}, "to: 2019 is before from"},
		{"unknown destination", "gas-exports", indicators.Params{"destinations": "Turkye"}, "destinations: unknown country"},
		{"bad bloc", "integration-gain", indicators.Params{"bloc": "FSU-CORPS"}, "bloc: unknown country"},
		{"bloc of Russia only", "integration-gain", indicators.Params{"bloc": "RUS"}, "bloc: the bloc needs members"},
		{"bad measure", "integration-gain", indicators.Params{"measure": "gdp"}, `measure: "gdp" is not one of`},
		{"bad indicator", "series", indicators.Params{"indicator": "SP POP;DROP"}, "indicator: "},
		{"bad partner", "series", indicators.Params{"partner": "Narnia"}, `partner: unknown country "Narnia"`},
		{"bad metric", "map", indicators.Params{"metric": "gdp"}, `metric: "gdp" is not one of`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mustChart(t, tt.chart).Query(tt.params)
			if indicators.ErrorCode(err) != indicators.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestChartQueries(t *testing.T) {
	q, err := mustChart(t, "gas-exports").Query(indicators.Params{"destinations": "Türkiye,DEU", "freq": "monthly", "from": "2020-01", "to": "2020"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(q.Partners, []string{"TUR", "DEU"}) || q.From.String() != "2019-01" || q.To.String() != "2020-12" {
		t.Errorf("gas query %+v: want partners TUR,DEU, from 2019-01 (a year back for YoY), to 2020-12", q)
	}
	q, err = mustChart(t, "integration-gain").Query(indicators.Params{"measure": "population"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(q.Indicators, []string{indicators.PopulationCode}) || len(q.Countries) != 10 || q.Countries[0] != "RUS" {
		t.Errorf("integration query %+v: want population for Russia + 9 members", q)
	}
}

func TestTradeShareChart(t *testing.T) {
	res := mustCompute(t, "trade-share", indicators.Params{"partners": "Türkiye, Azerbaijan", "top": "2", "v": "ignored"}, tradeFixture())
	if res.Params["year"] != "2020" || res.Params["partners"] != "TUR,AZE" || res.Params["threshold"] != "5" {
		t.Errorf("resolved params %v", res.Params)
	}
	// Turkey's own report of its exports to Russia is a second basis for Turkey's
	// figure (one flow only, so a lower bound): the statement gives the range.
	if want := "Turkey and Azerbaijan: 6.0% of Russia's goods trade in 2020 (at or above the 5% line); " +
		"6.0–101.5% across 2 combinations of sources, at or above the line under every one"; res.Statement != want {
		t.Errorf("statement %q, want %q", res.Statement, want)
	}
	// Top 2 (CHN, DEU) + the highlighted TUR and AZE outside it + 2 combined rows.
	var partners []string
	for _, r := range res.Table.Rows {
		partners = append(partners, r[2].(string))
	}
	if want := []string{"CHN", "DEU", "TUR", "AZE", "TUR+AZE", "TUR+AZE"}; !slices.Equal(partners, want) {
		t.Errorf("table codes %v, want %v", partners, want)
	}
	if deuImports := res.Table.Rows[1][5]; deuImports != nil {
		t.Errorf("Germany's missing imports shown as %v, want nil", deuImports)
	}
	if d, ok := res.Detail.(*indicators.TradeShareResult); !ok || d.Threshold != 5 || d.Top != 2 {
		t.Errorf("detail %T %+v", res.Detail, res.Detail)
	}
	if len(res.Sources) == 0 || len(res.Coverage) == 0 {
		t.Errorf("sources %v coverage %v", res.Sources, res.Coverage)
	}
	res = mustCompute(t, "trade-share", indicators.Params{"year": "2019", "partners": "TUR,AZE", "threshold": "20"}, tradeFixture())
	if want := "Turkey and Azerbaijan: 16.0% of Russia's goods trade in 2019 (below the 20% line); no figures for Azerbaijan"; res.Statement != want {
		t.Errorf("statement %q, want %q", res.Statement, want)
	}
}

func TestGasExportsChart(t *testing.T) {
	res := mustCompute(t, "gas-exports", indicators.Params{"destinations": "TUR", "freq": "monthly"}, gasFixture())
	if want := "Gas exports to Turkey: −68.6% year on year in 2020-04 (470 million m³, from 1.5 billion m³)"; res.Statement != want {
		t.Errorf("statement %q, want %q", res.Statement, want)
	}
	if !strings.Contains(res.Subtitle, "million m³") || strings.Contains(res.Subtitle, "m3") {
		t.Errorf("subtitle %q: want the unit written for readers", res.Subtitle)
	}
	var apr []any
	for _, r := range res.Table.Rows {
		if r[0] == "2020-04" {
			apr = r
		}
	}
	if apr == nil || !near(apr[4].(float64), 100*(470.0/1495-1)) {
		t.Errorf("2020-04 row %v", apr)
	}
	if res.Params["freq"] != "monthly" || res.Params["destinations"] != "TUR" {
		t.Errorf("params %v", res.Params)
	}
	res = mustCompute(t, "gas-exports", indicators.Params{}, gasFixture())
	if !strings.HasPrefix(res.Statement, "Gas exports to Turkey: +6.5% year on year in 2020") {
		t.Errorf("annual statement %q", res.Statement)
	}
}

func TestIntegrationGainChart(t *testing.T) {
	res := mustCompute(t, "integration-gain", indicators.Params{"bloc": "BLR,KAZ,TKM"}, blocFixture())
	if want := "BLR,KAZ,TKM adds 60.0% to Russia's population and 30.0% to its GDP (PPP) in 2019"; res.Statement != want {
		t.Errorf("statement %q, want %q", res.Statement, want)
	}
	if res.Params["year"] != "2019" || res.Params["measure"] != "both" {
		t.Errorf("params %v", res.Params)
	}
	res = mustCompute(t, "integration-gain", indicators.Params{"bloc": "BLR,KAZ,TKM", "year": "2020"}, blocFixture())
	if want := "BLR,KAZ,TKM adds 65.0% to Russia's population and at least 25.0% to its GDP (PPP) (no figure for Turkmenistan) in 2020"; res.Statement != want {
		t.Errorf("statement %q, want %q", res.Statement, want)
	}
	// The GDP ratio row of 2020 is a gap, not a number.
	for _, r := range res.Table.Rows {
		if r[0] == "2020" && r[1] == "GDP (PPP)" && r[3] == "BLR,KAZ,TKM" && r[6] != nil {
			t.Errorf("2020 GDP ratio plotted as %v with Turkmenistan missing", r[6])
		}
	}
	if !hasNote(res.Coverage, "Turkmenistan: no GDP PPP for 2020") {
		t.Errorf("coverage %q", res.Coverage)
	}
}

func TestSeriesAndMapCharts(t *testing.T) {
	res := mustCompute(t, "series", indicators.Params{"indicator": indicators.PopulationCode, "countries": "KAZ,BLR", "to": "2019"}, blocFixture())
	if res.Statement != "Kazakhstan, population: 20 people in 2019" || len(res.Table.Rows) != 2 {
		t.Errorf("series statement %q rows %v", res.Statement, res.Table.Rows)
	}
	if res.Title != "Population by country" || !strings.HasSuffix(res.Subtitle, ", people") || res.Table.Columns[3] != (indicators.Column{Name: "Population", Unit: "people"}) {
		t.Errorf("series title %q subtitle %q columns %v: want the catalogue's name and unit, not the code", res.Title, res.Subtitle, res.Table.Columns)
	}
	res = mustCompute(t, "map", indicators.Params{"bloc": "BLR,KAZ,TKM"}, blocFixture())
	if res.Statement != "Belarus: 30.0% of Russia's population in 2020, the largest in BLR,KAZ,TKM" {
		t.Errorf("map statement %q", res.Statement)
	}
	if _, ok := res.Detail.(*indicators.MapResult); !ok {
		t.Errorf("map detail %T", res.Detail)
	}
	res = mustCompute(t, "map", indicators.Params{"metric": "trade-share"}, tradeFixture())
	if res.Statement != "China: 25.0% of Russia's goods trade in 2020, the largest partner" {
		t.Errorf("trade map statement %q", res.Statement)
	}
}

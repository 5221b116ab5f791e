package storetest

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// planner is what the plan test needs of a store beyond data.Store.
type planner interface {
	ObservationsPlan(ctx context.Context, q indicators.Query) ([]string, error)
	SQL() *sql.DB
}

// fullScan matches a plan step that reads the observations table whole: SQLite's
// "SCAN o" (with or without an index: either way every row) and PostgreSQL's
// sequential scan.
var fullScan = regexp.MustCompile(`^SCAN (o|o2|observations)\b|Seq Scan on observations`)

// testObservations_planReadsByKey checks that the reads charts and the API make
// seek the current versions' observations by key instead of scanning the table,
// so their time does not grow with the rest of the store: here, 40,000 rows of an
// unrelated dataset and an older version of the dataset read. The plan is checked
// as the store is after imports (unless the backend plans by statistics only) and
// again with the database's statistics.
func testObservations_planReadsByKey(t *testing.T, b Backend) {
	ctx := context.Background()
	db := b.MustOpen(t)
	p, ok := db.(planner)
	if !ok {
		t.Fatalf("%T has no ObservationsPlan", db)
	}
	if _, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: "unrelated"}, Source(40_000)); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"", "2026-07"} {
		MustSave(t, db, "trade", "trade.csv",
			indicators.Observation{Indicator: "TRADE", Country: "DEU", Partner: "RUS", Period: indicators.Year(2020), Value: 1, Vintage: v},
			indicators.Observation{Indicator: "TRADE", Country: "FRA", Partner: "RUS", Period: indicators.Year(2021), Value: 2})
	}
	queries := map[string]indicators.Query{
		"chart": {Indicators: []string{"TRADE"}, Countries: []string{"DEU", "FRA"}, From: indicators.Year(2000), To: indicators.Year(2030)},
		// Two indicators, one of them absent: reading a whole indicator of the
		// unrelated dataset (1,000 of its 40,000 rows) is a sequential scan
		// PostgreSQL may rightly prefer at this size.
		"indicator":    {Indicators: []string{"TRADE", "NO.SUCH"}},
		"as-of":        {Indicators: []string{"TRADE"}, Countries: []string{"DEU"}, AsOf: 2},
		"vintage":      {Indicators: []string{"TRADE"}, Countries: []string{"DEU"}, Vintage: "2026-07"},
		"all vintages": {Indicators: []string{"TRADE"}, Vintage: indicators.AllVintages},
	}
	check := func(when string) {
		for name, q := range queries {
			plan, err := p.ObservationsPlan(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(plan) == 0 {
				t.Fatalf("%s: empty plan", name)
			}
			for _, step := range plan {
				if fullScan.MatchString(strings.TrimSpace(step)) {
					t.Errorf("%s (%s): the plan scans every observation (%q):\n%s", name, when, step, strings.Join(plan, "\n"))
				}
			}
		}
	}
	if !b.PlansNeedStatistics {
		check("after imports")
	}
	if _, err := p.SQL().ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	check("with statistics")
	// The plans answer what Observations returns.
	got := MustObservations(t, db, queries["vintage"])
	if len(got) != 1 || got[0].Vintage != "2026-07" {
		t.Errorf("vintage read = %+v", got)
	}
}

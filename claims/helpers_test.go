package claims_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/internal/testkit"
)

// newService builds a claims service over db with a chart service that re-reads
// the data version on every request.
func newService(tb testing.TB, db *sqlite.DB, cfg claims.Config) *claims.Service {
	tb.Helper()
	charts, err := chart.New(chart.Config{VersionTTL: time.Nanosecond}, chart.Deps{Store: db})
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := claims.New(cfg, claims.Deps{Charts: charts, Store: db, Logger: testkit.DiscardLogger(),
		Client: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(svc.Close)
	return svc
}

// mustEvaluate judges every claim.
func mustEvaluate(tb testing.TB, svc *claims.Service) *claims.Report {
	tb.Helper()
	rep, err := svc.Evaluate(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

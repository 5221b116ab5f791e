package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/jobs"
)

// discard is the logger of the tests; failures show in assertions, not logs.
var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// testNow is the fixed clock of the tests: Wednesday 25 November 2026, 10:00 UTC.
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// MustOpenDB opens a real SQLite store in a temporary directory.
func MustOpenDB(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.WithLogger(discard))
	if err != nil {
		tb.Fatalf("sqlite.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// sleeps records the backoff waits instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// harness is a scheduler over a real store and importer.
type harness struct {
	tb     testing.TB
	db     *sqlite.DB
	sched  *jobs.Scheduler
	reg    *prometheus.Registry
	sleeps *sleeps
	// changed counts the scheduler's DataChanged calls.
	changed atomic.Int64
}

// realImporter adapts data/importer to jobs.Importer, as cmd/clout does.
func realImporter(db *sqlite.DB) jobs.Importer {
	im := importer.New(db, importer.Options{Countries: indicators.DefaultCountries()})
	return jobs.ImporterFunc(func(ctx context.Context, r jobs.ImportRequest) (*indicators.ImportReport, error) {
		return im.Import(ctx, importer.Request{Dataset: r.Dataset, FileName: r.FileName, Data: r.Data, Format: r.Format, Who: r.Who, AllowOlder: r.AllowOlder})
	})
}

// MustScheduler parses config (YAML) and builds a scheduler over db with the real
// importer, an injected clock and recorded sleeps; snap may be nil.
func MustScheduler(tb testing.TB, db *sqlite.DB, config string, snap jobs.Snapshotter) *harness {
	tb.Helper()
	cfg, err := jobs.ParseConfig([]byte(config))
	if err != nil {
		tb.Fatalf("ParseConfig: %v", err)
	}
	h := &harness{tb: tb, db: db, reg: prometheus.NewRegistry(), sleeps: &sleeps{}}
	h.sched, err = jobs.New(cfg, jobs.Deps{
		Runs: db, Datasets: db, Settings: db, Importer: realImporter(db), Snapshotter: snap,
		Known: known, Registerer: h.reg, Now: func() time.Time { return testNow },
		Sleep: h.sleeps.sleep, Logger: discard, DataChanged: func() { h.changed.Add(1) },
	})
	if err != nil {
		tb.Fatalf("jobs.New: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.sched.Stop(ctx)
	})
	return h
}

// run runs the job now and fails the test on an error.
func (h *harness) run(name string) indicators.JobRun {
	h.tb.Helper()
	r, err := h.sched.RunNow(context.Background(), name)
	if err != nil {
		h.tb.Fatalf("RunNow(%s): %v", name, err)
	}
	return r
}

// runs returns the job's recorded runs, newest first.
func (h *harness) runs(name string) []indicators.JobRun {
	h.tb.Helper()
	rs, err := h.sched.Runs(context.Background(), name, 0)
	if err != nil {
		h.tb.Fatalf("Runs(%s): %v", name, err)
	}
	return rs
}

// versions returns how many versions the dataset has (0 if none).
func (h *harness) versions(dataset string) int {
	h.tb.Helper()
	ds, err := h.db.Dataset(context.Background(), dataset)
	if indicators.ErrorCode(err) == indicators.ENOTFOUND {
		return 0
	}
	if err != nil {
		h.tb.Fatal(err)
	}
	return len(ds.Versions)
}

// statuses lists the statuses of runs, oldest first ("failed/1 ok/2").
func statuses(runs []indicators.JobRun) string {
	var s []string
	for i := len(runs) - 1; i >= 0; i-- {
		s = append(s, fmt.Sprintf("%s/%d", runs[i].Status, runs[i].Attempt))
	}
	return strings.Join(s, " ")
}

// metric returns the value of a counter or gauge series, or a histogram's count.
func (h *harness) metric(name string, labels map[string]string) float64 {
	h.tb.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		h.tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return 0
}

// tidyCSV is a small file in Clout's tidy layout: population of the given countries.
func tidyCSV(values ...float64) []byte {
	var b strings.Builder
	b.WriteString("indicator,country,period,value\n")
	for i, v := range values {
		fmt.Fprintf(&b, "SP.POP.TOTL,%s,2023,%g\n", []string{"RUS", "TUR", "AZE", "KAZ"}[i%4], v)
	}
	return []byte(b.String())
}

func dbPath(tb testing.TB) string { return filepath.Join(tb.TempDir(), "clout.db") }

package sqlite_test

import (
	"context"
	"log/slog"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// clock is a test clock that advances one second per reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// MustOpen opens a fresh database file in a temporary directory with a test clock.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	return MustOpenPath(tb, filepath.Join(tb.TempDir(), "clout.db"))
}

// MustOpenPath opens the database at path and closes it when the test ends.
func MustOpenPath(tb testing.TB, path string, opts ...sqlite.Option) *sqlite.DB {
	tb.Helper()
	c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	opts = append([]sqlite.Option{sqlite.WithClock(c.now), sqlite.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	db, err := sqlite.Open(context.Background(), path, opts...)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// sliceSource yields obs in batches of 3, so batching paths are exercised.
func sliceSource(obs []indicators.Observation) indicators.ObservationSource {
	return func(yield func([]indicators.Observation) error) error {
		for i := 0; i < len(obs); i += 3 {
			if err := yield(obs[i:min(i+3, len(obs))]); err != nil {
				return err
			}
		}
		return nil
	}
}

// MustSave imports obs as the next version of dataset with file contents file.
func MustSave(tb testing.TB, db *sqlite.DB, dataset, file string, obs ...indicators.Observation) indicators.Version {
	tb.Helper()
	v, err := db.SaveVersion(context.Background(), indicators.NewVersion{
		Dataset: dataset, FileName: dataset + ".csv", File: []byte(file), Who: "test",
		Report: &indicators.ImportReport{Layout: "tidy", Observations: len(obs)},
	}, sliceSource(obs))
	if err != nil {
		tb.Fatalf("save %s: %v", dataset, err)
	}
	return v
}

// MustObservations reads observations matching q.
func MustObservations(tb testing.TB, db *sqlite.DB, q indicators.Query) []indicators.Observation {
	tb.Helper()
	obs, err := db.Observations(context.Background(), q)
	if err != nil {
		tb.Fatalf("observations %+v: %v", q, err)
	}
	return obs
}

// pop is a population observation of country in year.
func pop(country string, year int, value float64) indicators.Observation {
	return indicators.Observation{Indicator: indicators.PopulationCode, Country: country,
		Period: indicators.Year(year), Value: value, Unit: "persons", Source: "WDI"}
}

// values maps "COUNTRY PERIOD" to value, for compact expectations.
func values(obs []indicators.Observation) map[string]float64 {
	m := make(map[string]float64, len(obs))
	for _, o := range obs {
		k := o.Indicator + " " + o.Country + " " + o.Partner + " " + o.Period.String()
		if o.Indicator == indicators.PopulationCode {
			k = o.Country + " " + o.Period.String()
		}
		m[k] = o.Value
	}
	return m
}

func nan() float64 { return math.NaN() }

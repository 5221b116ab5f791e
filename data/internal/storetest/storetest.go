// Package storetest is the behaviour every Clout store must show, run against a
// real database by each implementation's tests (data/sqlite always, data/postgres
// when a server is configured): versions, rollback, as-of reads, overlaps,
// atomic imports, diffs, original files, parallel imports, job runs, settings.
package storetest

import (
	"bytes"
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/clout-dev/clout/data"
	"github.com/clout-dev/clout/data/internal/sqlstore"
	"github.com/clout-dev/clout/indicators"
)

// Store is what the suite exercises.
type Store = data.Store

// Backend opens stores of one implementation for the suite.
type Backend struct {
	// New creates a fresh, empty database and returns its name (a path or DSN).
	New func(tb testing.TB) string
	// Open opens a store on the named database with the given clock and options
	// and registers its Close with tb.Cleanup. Several stores may be open on one
	// database.
	Open func(tb testing.TB, name string, now func() time.Time, opts ...sqlstore.Option) Store
	// PlansNeedStatistics: the database plans by the statistics its autovacuum
	// gathers (PostgreSQL), so query plans are checked after ANALYZE only.
	PlansNeedStatistics bool
}

// MustOpen opens a store on a fresh database with a test clock.
func (b Backend) MustOpen(tb testing.TB) Store {
	tb.Helper()
	return b.Open(tb, b.New(tb), NewClock().Now)
}

// Run runs the whole suite.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"ReopenKeepsData", testReopenKeepsData},
		{"SaveVersion/replacesPreviousVersion", testSaveVersion_replacesPreviousVersion},
		{"SaveVersion/failureChangesNothing", testSaveVersion_failureChangesNothing},
		{"SaveVersion/duplicateNamesTheKey", testSaveVersion_duplicateNamesTheKey},
		{"SaveVersion/parallel", testSaveVersion_parallel},
		{"Rollback/restoresValuesAsNewVersion", testRollback_restoresValuesAsNewVersion},
		{"Rollback/errors", testRollback_errors},
		{"Observations/asOfReadsThePast", testObservations_asOfReadsThePast},
		{"Observations/filtersAndOrder", testObservations_filtersAndOrder},
		{"Observations/roundTripsEveryField", testObservations_roundTripsEveryField},
		{"Observations/seesSnapshotDuringImport", testObservations_seesSnapshotDuringImport},
		{"Observations/vintages", testObservations_vintages},
		{"Observations/planReadsByKey", testObservations_planReadsByKey},
		{"Observations/flagsSurviveRollbackAndOverlap", testObservations_flagsSurviveRollbackAndOverlap},
		{"SaveVersion/rejectsUnknownFlag", testSaveVersion_rejectsUnknownFlag},
		{"Vintages", testVintages},
		{"Overlaps", testOverlaps},
		{"Overlaps/perVintage", testOverlaps_perVintage},
		{"Diff/vintagesAndFlags", testDiff_vintagesAndFlags},
		{"Overlaps/manyKeys", testOverlaps_manyKeys},
		{"VersionFile/bytesIdentical", testVersionFile_bytesIdentical},
		{"Dataset/unknown", testDataset_unknown},
		{"Diff", testDiff},
		{"JobRuns/roundTripAndSurviveReopen", testJobRuns_roundTripAndSurviveReopen},
		{"JobRuns/interruptOnlyWhatWasJudged", testJobRuns_interruptOnlyWhatWasJudged},
		{"Settings", testSettings},
		{"Sessions", testSessions},
		{"StagedUploads", testStagedUploads},
		{"StagedUploads/oneTakeAcrossStores", testStagedUploads_oneTakeAcrossStores},
		{"ImportOperations", testImportOperations},
		{"ImportOperations/oneKeyAcrossStores", testImportOperations_oneKeyAcrossStores},
		{"SaveVersion/onlyIfEmptySeedsOnce", testSaveVersion_onlyIfEmptySeedsOnce},
		{"Claims/judgingsRecordChangesOnce", testClaims_judgingsRecordChangesOnce},
		{"Claims/userClaims", testClaims_userClaims},
		{"WriteLock/storesTakeTurns", testWriteLock_storesTakeTurns},
		{"WriteLock/busyAfterTheWaitChangesNothing", testWriteLock_busyAfterTheWaitChangesNothing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, b) })
	}
}

// Clock is a test clock that advances one second per reading.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock starting on 2 January 2026.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

// Now advances the clock by a second and returns it.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
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
func MustSave(tb testing.TB, db Store, dataset, file string, obs ...indicators.Observation) indicators.Version {
	tb.Helper()
	v, err := db.SaveVersion(context.Background(), indicators.NewVersion{
		Dataset: dataset, FileName: dataset + ".csv", File: bytes.NewReader([]byte(file)), Who: "test",
		Report: &indicators.ImportReport{Layout: "tidy", Observations: len(obs)},
	}, sliceSource(obs))
	if err != nil {
		tb.Fatalf("save %s: %v", dataset, err)
	}
	return v
}

// MustObservations reads observations matching q.
func MustObservations(tb testing.TB, db Store, q indicators.Query) []indicators.Observation {
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

// values maps "COUNTRY PERIOD" (population) or "INDICATOR COUNTRY PARTNER PERIOD"
// to value, for compact expectations.
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

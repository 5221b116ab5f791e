package sqlite_test

import (
	"reflect"
	"testing"

	"github.com/clout-dev/clout/data/internal/storetest"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// TestInsert_plainAndFullBatches: batches whose rows have no vintage, flags or
// note are inserted by a statement with those as constants, the others bind
// every column; an import mixing both shapes (and a last, shorter batch) reads
// back exactly.
func TestInsert_plainAndFullBatches(t *testing.T) {
	db := MustOpenPath(t, t.TempDir()+"/clout.db", sqlite.WithBatchRows(2))
	obs := []indicators.Observation{
		{Indicator: "A", Country: "DEU", Period: indicators.Year(2001), Value: 1, Unit: "t", Source: "s"},
		{Indicator: "A", Country: "DEU", Period: indicators.Year(2002), Value: 2},
		{Indicator: "A", Country: "FRA", Period: indicators.Year(2001), Value: 3, Vintage: "2026-07", Note: "revised"},
		{Indicator: "A", Country: "FRA", Period: indicators.Year(2002), Value: 4, Flags: []indicators.Flag{indicators.KnownFlags()[0]}},
		{Indicator: "A", Country: "ITA", Partner: "RUS", Period: indicators.Year(2001), Value: 5, Unit: "t"},
		{Indicator: "A", Country: "ITA", Partner: "RUS", Period: indicators.Year(2002), Value: 6, Source: "s"},
		{Indicator: "B", Country: "DEU", Period: indicators.Month(2001, 3), Value: 7, Vintage: "2025-01"},
	}
	storetest.MustSave(t, db, "mixed", "f", obs...)
	got := storetest.MustObservations(t, db, indicators.Query{Vintage: indicators.AllVintages})
	if !reflect.DeepEqual(got, obs) {
		t.Errorf("read back:\n%+v\nwant\n%+v", got, obs)
	}
}

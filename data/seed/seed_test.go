package seed_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/seed"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

func TestImportIfEmpty(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "clout.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	imp := importer.New(st, importer.Options{Countries: indicators.DefaultCountries()})

	report, err := seed.ImportIfEmpty(ctx, st, imp)
	if err != nil {
		t.Fatalf("seed: %v (report errors: %v)", err, report)
	}
	if report == nil {
		t.Fatal("seed: no report for an empty store")
	}
	if report.Observations < 2000 {
		t.Fatalf("seed imported %d observations, want thousands", report.Observations)
	}
	for _, code := range []string{indicators.PopulationCode, indicators.GDPPPPCode, indicators.ExportsCode, indicators.ImportsCode, indicators.GasExportsCode} {
		obs, err := st.Observations(ctx, indicators.Query{Indicators: []string{code}})
		if err != nil || len(obs) == 0 {
			t.Errorf("%s: %d observations, err %v", code, len(obs), err)
		}
		for _, o := range obs {
			if o.Source == "" {
				t.Fatalf("%s %s %s %s has no source", o.Indicator, o.Country, o.Partner, o.Period)
			}
		}
	}
	again, err := seed.ImportIfEmpty(ctx, st, imp)
	if err != nil || again != nil {
		t.Fatalf("second ImportIfEmpty = %v, %v; want nothing done", again, err)
	}
	if v, _ := st.DataVersion(ctx); v != 1 {
		t.Fatalf("data version %d after seeding twice, want 1", v)
	}
}

// TestImportIfEmpty_concurrentStarts opens three stores on one file, as three
// processes starting together would, and seeds through all of them at once: the
// store's write lock lets exactly one import.
func TestImportIfEmpty_concurrentStarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "clout.db")
	reports := make(chan *indicators.ImportReport, 3)
	errs := make(chan error, 3)
	for range 3 {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		imp := importer.New(st, importer.Options{Countries: indicators.DefaultCountries()})
		go func() {
			rep, err := seed.ImportIfEmpty(ctx, st, imp)
			reports <- rep
			errs <- err
		}()
	}
	seeded := 0
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("seed: %v", err)
		}
		if <-reports != nil {
			seeded++
		}
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.Dataset(ctx, seed.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := st.DataVersion(ctx); seeded != 1 || v != 1 || len(ds.Versions) != 1 {
		t.Fatalf("%d replicas seeded, data version %d, %d seed versions; want 1, 1, 1", seeded, v, len(ds.Versions))
	}
}

// Package testkit holds the fixtures that the tests of several packages share: a
// real SQLite store in a temporary directory, imports through the real importer,
// the seeded store and tidy workbooks written with excelize. Only tests import it.
package testkit

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/seed"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/browser"
)

// DiscardLogger drops every record.
func DiscardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// OpenStore opens a fresh SQLite store in a temporary directory.
func OpenStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "clout.db"), sqlite.WithLogger(DiscardLogger()))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Import imports a file through the real importer and fails on any error.
func Import(tb testing.TB, store indicators.Store, dataset, fileName string, data []byte) *indicators.ImportReport {
	tb.Helper()
	im := importer.New(store, importer.Options{Countries: indicators.DefaultCountries()})
	rep, err := im.Import(context.Background(), importer.Request{Dataset: dataset, FileName: fileName, Data: data})
	if err != nil {
		if rep != nil {
			tb.Fatalf("import %s: %v (errors: %v)", fileName, err, rep.Errors)
		}
		tb.Fatalf("import %s: %v", fileName, err)
	}
	return rep
}

// SeededStore returns a store holding the embedded seed workbook, imported
// through the real importer.
func SeededStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db := OpenStore(tb)
	Import(tb, db, seed.Dataset, seed.FileName, seed.Workbook())
	return db
}

// TidyWorkbook writes a tidy-layout workbook (Clout's own layout) with excelize;
// each row is indicator, country, partner, period, value, unit, source.
func TidyWorkbook(tb testing.TB, rows [][]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Data"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		tb.Fatal(err)
	}
	header := []any{"indicator", "country", "partner", "period", "value", "unit", "source"}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		tb.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Reliability marks a test of the hostile-input and fault suite (`make reliability`):
// it runs only when CLOUT_RELIABILITY=1, which that target sets, because it builds
// binaries, kills processes and measures memory, which `make test` under -race must
// not.
func Reliability(tb testing.TB) {
	tb.Helper()
	if os.Getenv("CLOUT_RELIABILITY") != "1" {
		tb.Skip("part of the reliability suite: run `make reliability` (CLOUT_RELIABILITY=1)")
	}
}

// ChromiumPath returns the browser the browser tests and benchmarks drive:
// $CLOUT_CHROMIUM, or Chromium (or Chrome) on PATH; "" when there is none.
func ChromiumPath() string { return browser.Path() }

// Chromium returns ChromiumPath for a browser test; without a browser the test
// skips, or fails when CLOUT_REQUIRE_BROWSER=1 (as in CI).
func Chromium(tb testing.TB) string {
	tb.Helper()
	p := ChromiumPath()
	if p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CLOUT_REQUIRE_BROWSER") == "1" {
		tb.Fatalf("no Chromium found (%q) and CLOUT_REQUIRE_BROWSER=1 (apt-get install chromium, or set CLOUT_CHROMIUM)", p)
	}
	tb.Skip("no Chromium found (set CLOUT_CHROMIUM, or install Debian's chromium); set CLOUT_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// VersionFile reads a version's original file whole from the store.
func VersionFile(tb testing.TB, store indicators.Store, dataset string, number int) []byte {
	tb.Helper()
	f, err := store.VersionFile(context.Background(), dataset, number)
	if err != nil {
		tb.Fatalf("file of %s version %d: %v", dataset, number, err)
	}
	data, err := io.ReadAll(io.NewSectionReader(f.Content, 0, f.Content.Size()))
	if err != nil {
		tb.Fatalf("read file of %s version %d: %v", dataset, number, err)
	}
	return data
}

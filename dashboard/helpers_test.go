package dashboard

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/seed"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// MustOpenStore opens a fresh SQLite store in a temporary directory.
func MustOpenStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "clout.db"), sqlite.WithLogger(discardLogger()))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustImport imports a file through the real importer and fails on any error.
func MustImport(tb testing.TB, store indicators.Store, dataset, fileName string, data []byte) *indicators.ImportReport {
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

// MustSeededStore returns a store holding the embedded seed workbook, imported
// through the real importer.
func MustSeededStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db := MustOpenStore(tb)
	MustImport(tb, db, seed.Dataset, seed.FileName, seed.Workbook())
	return db
}

// MustServer builds a Server over store with logs discarded.
func MustServer(tb testing.TB, store indicators.Store, cfg Config) *Server {
	tb.Helper()
	s, err := New(cfg, Deps{Store: store, Logger: discardLogger()})
	if err != nil {
		tb.Fatalf("new server: %v", err)
	}
	return s
}

// MustTidyWorkbook writes a tidy-layout workbook (Clout's own layout) with excelize.
func MustTidyWorkbook(tb testing.TB, rows [][]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Data"
	f.SetSheetName("Sheet1", sheet)
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

// get performs a request through the server's real router.
func get(tb testing.TB, h http.Handler, url string, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// hostile is a label that would execute if a page or option builder let it reach
// the browser as code or markup.
const hostile = `</script><script>alert(1)</script> __f__alert(2)__f__ <img src=x onerror=alert(3)>`

func containsAll(s string, subs ...string) (string, bool) {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return sub, false
		}
	}
	return "", true
}

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

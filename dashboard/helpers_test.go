package dashboard

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
	"github.com/clout-dev/clout/render"
)

// MustOpenStore opens a fresh SQLite store in a temporary directory.
func MustOpenStore(tb testing.TB) *sqlite.DB { tb.Helper(); return testkit.OpenStore(tb) }

// MustImport imports a file through the real importer and fails on any error.
func MustImport(tb testing.TB, store indicators.Store, dataset, fileName string, data []byte) *indicators.ImportReport {
	tb.Helper()
	return testkit.Import(tb, store, dataset, fileName, data)
}

// MustSeededStore returns a store holding the embedded seed workbook, imported
// through the real importer.
func MustSeededStore(tb testing.TB) *sqlite.DB { tb.Helper(); return testkit.SeededStore(tb) }

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
	return testkit.TidyWorkbook(tb, rows)
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

func discardLogger() *slog.Logger { return testkit.DiscardLogger() }

// renderingServer is a server on the seeded store with the real exporter and
// renderer, so snapshot routes draw real images.
func renderingServer(t *testing.T) *Server {
	t.Helper()
	r, err := render.New(render.Options{Runtimes: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	store := MustSeededStore(t)
	charts, err := chart.New(chart.Config{}, chart.Deps{Store: store, Exporter: export.New(r)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(testConfig(), Deps{Store: store, Logger: discardLogger(), Charts: charts})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

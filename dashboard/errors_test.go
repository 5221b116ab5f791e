package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// TestBusyStoreIs503WithRetryAfter: a write that cannot get the store's write
// lock, held by another process's import on the same SQLite file, is answered
// 503 with Retry-After and the store's message, not 500.
func TestBusyStoreIs503WithRetryAfter(t *testing.T) {
	other, store := twoStores(t)
	defer holdWriteLock(t, other)()

	s := MustServer(t, store, testConfig())
	write := func(c echo.Context) error {
		if err := store.SetSetting(c.Request().Context(), "k", "v"); err != nil {
			return err
		}
		return c.String(200, "stored")
	}
	s.Echo().GET("/api/write", write)
	s.Echo().GET("/write", write)
	for _, url := range []string{"/api/write", "/write"} {
		res := get(t, s.Handler(), url)
		if res.Code != 503 {
			t.Fatalf("GET %s while another process writes: %d %s, want 503", url, res.Code, res.Body)
		}
		if ra := res.Header().Get("Retry-After"); ra != "1" {
			t.Errorf("GET %s: Retry-After %q, want 1", url, ra)
		}
		if _, ok := containsAll(res.Body.String(), "another import is writing; try again in 1 s"); !ok {
			t.Errorf("GET %s: body lacks the store's message: %s", url, res.Body)
		}
	}
}

// TestBusyImportOperationKeepsRetryAfter: an upload admitted as an operation
// whose import then finds the write lock held by another process is answered
// 503 with the store's Retry-After, in the header and in the kept answer's
// body, like any other busy write.
func TestBusyImportOperationKeepsRetryAfter(t *testing.T) {
	other, store := twoStores(t)
	g := &gatedImporter{real: importerAdapter{importer.New(store, importer.Options{Countries: indicators.DefaultCountries()})},
		gate: make(chan struct{}), started: make(chan struct{}, 1)}
	cfg := testConfig()
	cfg.AdminToken, cfg.VersionTTL = testAdminToken, 1
	s, err := New(cfg, Deps{Store: store, Logger: quietLogger(), Importer: g})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.data.ops.wait(context.Background()) })
	c := newTestClient(t, serve(t, s))

	answer := make(chan response, 1)
	go func() {
		answer <- c.upload(map[string]string{"dataset": "pop"}, "pop.csv", popCSV("1"), bearerHeader(testAdminToken)...)
	}()
	<-g.started // the operation is recorded; its import waits at the gate
	release := holdWriteLock(t, other)
	close(g.gate)
	res := <-answer
	release()
	var body ErrorResponse
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") != "1" ||
		json.Unmarshal(res.body, &body) != nil || body.RetryAfter != 1 || !strings.Contains(body.Error, "try again in 1 s") {
		t.Fatalf("upload while another process writes: %d, Retry-After %q, %s; want 503, 1 and retry_after 1",
			res.status, res.header.Get("Retry-After"), res.body)
	}
}

// twoStores opens two stores on one SQLite file, as two processes would: other
// with the default write wait, store with a short one (100 ms).
func twoStores(t *testing.T) (other, store *sqlite.DB) {
	path := filepath.Join(t.TempDir(), "clout.db")
	open := func(opts ...sqlite.Option) *sqlite.DB {
		db, err := sqlite.Open(context.Background(), path, append([]sqlite.Option{sqlite.WithLogger(discardLogger())}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	return open(), open(sqlite.WithWriteWait(100 * time.Millisecond))
}

// holdWriteLock starts an import on db that holds the write lock until the
// returned release is called; release waits for the import to end.
func holdWriteLock(t *testing.T, db *sqlite.DB) (release func()) {
	holding, stop, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		_, err := db.SaveVersion(context.Background(), indicators.NewVersion{Dataset: "long", FileName: "long.csv"},
			func(yield func([]indicators.Observation) error) error {
				close(holding)
				<-stop
				return nil
			})
		done <- err
	}()
	<-holding
	return func() {
		close(stop)
		if err := <-done; err != nil {
			t.Errorf("the holding import: %v", err)
		}
	}
}

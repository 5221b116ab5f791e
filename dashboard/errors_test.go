package dashboard

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// TestBusyStoreIs503WithRetryAfter: a write that cannot get the store's write
// lock, held by another process's import on the same SQLite file, is answered
// 503 with Retry-After and the store's message, not 500.
func TestBusyStoreIs503WithRetryAfter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clout.db")
	open := func(opts ...sqlite.Option) *sqlite.DB {
		db, err := sqlite.Open(context.Background(), path, append([]sqlite.Option{sqlite.WithLogger(discardLogger())}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	other, store := open(), open(sqlite.WithWriteWait(100*time.Millisecond))

	holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		_, err := other.SaveVersion(context.Background(), indicators.NewVersion{Dataset: "long", FileName: "long.csv"},
			func(yield func([]indicators.Observation) error) error {
				close(holding)
				<-release
				return nil
			})
		done <- err
	}()
	<-holding
	defer func() {
		close(release)
		if err := <-done; err != nil {
			t.Errorf("the holding import: %v", err)
		}
	}()

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

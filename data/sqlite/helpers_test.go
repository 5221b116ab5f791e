package sqlite_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/internal/storetest"
	"github.com/clout-dev/clout/data/sqlite"
)

// backend runs the shared store suite on SQLite files in temporary directories.
var backend = storetest.Backend{
	New: func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "clout.db") },
	Open: func(tb testing.TB, path string, now func() time.Time, opts ...sqlite.Option) storetest.Store {
		return MustOpenPath(tb, path, append([]sqlite.Option{sqlite.WithClock(now)}, opts...)...)
	},
}

// MustOpenPath opens the database at path (quietly, with a test clock unless opts
// set one) and closes it when the test ends.
func MustOpenPath(tb testing.TB, path string, opts ...sqlite.Option) *sqlite.DB {
	tb.Helper()
	opts = append([]sqlite.Option{sqlite.WithClock(storetest.NewClock().Now), sqlite.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	db, err := sqlite.Open(context.Background(), path, opts...)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

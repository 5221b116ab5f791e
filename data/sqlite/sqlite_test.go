package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/clout-dev/clout/data/internal/storetest"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

func TestStore(t *testing.T) { storetest.Run(t, backend) }

func TestOpen_migrationsRecordedOnceAndWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clout.db")
	for range 3 {
		MustOpenPath(t, path).Close()
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("migrations/*.sql")
	if len(files) == 0 || n != len(files) {
		t.Errorf("schema_migrations has %d rows, want one per migration file (%d)", n, len(files))
	}
	var mode string
	if err := raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
}

func TestOpen_emptyPath(t *testing.T) {
	_, err := sqlite.Open(context.Background(), " ")
	if code := indicators.ErrorCode(err); code != indicators.EINVALID {
		t.Fatalf("error %v (code %q), want EINVALID", err, code)
	}
}

func TestTryLock_alwaysSucceeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clout.db")
	a, b := MustOpenPath(t, path), MustOpenPath(t, path)
	for _, db := range []*sqlite.DB{a, b} {
		unlock, ok, err := db.TryLock(context.Background(), "job")
		if err != nil || !ok || unlock == nil {
			t.Fatalf("TryLock: ok %v, %v", ok, err)
		}
		defer unlock()
	}
}

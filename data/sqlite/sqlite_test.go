package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
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
	raw, err := sql.Open("sqlite3", path)
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
	var pageSize int
	if err := raw.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil || pageSize != 16384 {
		t.Errorf("page_size = %d (%v), want 16384 for a new store", pageSize, err)
	}
}

// A store created with SQLite's default 4 KiB pages keeps them, in WAL mode.
func TestOpen_existingStoreKeepsItsPageSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`PRAGMA page_size = 4096; CREATE TABLE before_clout (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db := MustOpenPath(t, path)
	var pageSize int
	var mode string
	if err := db.SQL().QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil || pageSize != 4096 {
		t.Errorf("page_size = %d (%v), want the store's own 4096", pageSize, err)
	}
	if err := db.SQL().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	storetest.MustSave(t, db, "pop", "pop.csv", indicators.Observation{Indicator: "SP.POP.TOTL", Country: "RUS", Period: indicators.Year(2019), Value: 1})
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

// A database created before vintages and flags keeps its observations when
// migration 0002 rebuilds the table: they read back without vintage or flags.
func TestOpen_migratesObservationsOfVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{string(schema),
		`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES ('migrations/0001_init.sql', '')`,
		`INSERT INTO files VALUES ('x', 1, 'x')`,
		`INSERT INTO datasets VALUES (1, 'pop', '')`,
		`INSERT INTO versions (id, dataset_id, number, data_version, obs_version_id, file_sha256, file_name, observations, created_at)
			VALUES (1, 1, 1, 1, 1, 'x', 'pop.csv', 1, '')`,
		`INSERT INTO labels VALUES (7, 'WDI')`,
		// 2019 as a period key: (2019*12)*4 + indicators.Annual (1)
		`INSERT INTO observations VALUES (1, 'SP.POP.TOTL', 'RUS', '', 96913, 144.5, NULL, 7)`,
	} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%.60s: %v", stmt, err)
		}
	}
	raw.Close()
	db := MustOpenPath(t, path)
	got := storetest.MustObservations(t, db, indicators.Query{})
	want := indicators.Observation{Indicator: "SP.POP.TOTL", Country: "RUS", Period: indicators.Year(2019), Value: 144.5, Source: "WDI"}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("after migrating: %+v, want %+v", got, want)
	}
}

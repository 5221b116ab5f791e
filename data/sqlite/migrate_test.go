package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// Migrations are applied by name, not by the highest number applied: a store
// migrated with 0001 and 0004 still applies a 0002 that arrives later (branches
// merge their migrations in any order).
func TestMigrate_gapFilledLater(t *testing.T) {
	db := MustOpenPath(t, filepath.Join(t.TempDir(), "clout.db"))
	defer db.Close()
	ctx := context.Background()
	fsys := fstest.MapFS{
		"m/0001_a.sql": {Data: []byte(`CREATE TABLE gap_a (x INTEGER)`)},
		"m/0004_d.sql": {Data: []byte(`CREATE TABLE gap_d (x INTEGER)`)},
	}
	if err := db.Migrate(ctx, fsys, "m"); err != nil {
		t.Fatal(err)
	}
	fsys["m/0002_b.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE gap_b (x INTEGER)`)}
	if err := db.Migrate(ctx, fsys, "m"); err != nil {
		t.Fatalf("migration filling the gap: %v", err)
	}
	for _, table := range []string{"gap_a", "gap_b", "gap_d"} {
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
}

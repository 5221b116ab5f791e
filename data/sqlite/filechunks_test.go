package sqlite_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clout-dev/clout/data/internal/storetest"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// A store of before migration 0009 kept each original file as one BLOB; the
// migration cuts it into chunks, and the file reads back byte for byte.
func TestMigrate_fileBlobBecomesChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clout.db")
	db := MustOpenPath(t, path)
	file, hexSum := randomFile(9<<20 + 777) // three chunks
	execAll(t, db,
		// Back to the schema of 0008: one BLOB per file.
		`DROP TABLE file_chunks`,
		`ALTER TABLE files ADD COLUMN content BLOB NOT NULL DEFAULT x''`,
		`DELETE FROM schema_migrations WHERE name LIKE '%0009_file_chunks.sql'`,
		`DELETE FROM schema_migrations WHERE name LIKE '%0012_file_chunk_encoding.sql'`,
	)
	if _, err := db.SQL().Exec(`INSERT INTO files (sha256, size, content) VALUES (?, ?, ?)`, hexSum, len(file), file); err != nil {
		t.Fatal(err)
	}
	addOldVersion(t, db, hexSum, "old.xlsx")
	db.Close()

	db = MustOpenPath(t, path) // applies 0009
	var chunks int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM file_chunks WHERE sha256 = ?`, hexSum).Scan(&chunks); err != nil || chunks != 3 {
		t.Fatalf("%d chunks (%v), want 3", chunks, err)
	}
	name, sum, got, err := readOldVersion(db)
	if err != nil || name != "old.xlsx" || sum != hexSum || !bytes.Equal(got, file) {
		t.Fatalf("migrated file %q: %d bytes, sha %s, err %v; want %d bytes", name, len(got), sum, err, len(file))
	}
}

// Migration 0011 moves the chunks of a store of before it into a rowid table;
// the files read back byte for byte.
func TestMigrate_fileChunksGetRowids(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clout.db")
	db := MustOpenPath(t, path)
	file, hexSum := randomFile(5<<20 + 3) // two chunks
	execAll(t, db,
		// Back to the table of 0009.
		`DROP TABLE file_chunks`,
		`CREATE TABLE file_chunks (sha256 TEXT NOT NULL REFERENCES files (sha256), seq INTEGER NOT NULL,
			content BLOB NOT NULL, PRIMARY KEY (sha256, seq)) WITHOUT ROWID`,
		`DELETE FROM schema_migrations WHERE name LIKE '%0011_file_chunks_rowid.sql'`,
		`DELETE FROM schema_migrations WHERE name LIKE '%0012_file_chunk_encoding.sql'`,
	)
	if _, err := db.SQL().Exec(`INSERT INTO files (sha256, size) VALUES (?, ?)`, hexSum, len(file)); err != nil {
		t.Fatal(err)
	}
	for seq, off := 0, 0; off < len(file); seq, off = seq+1, off+4<<20 {
		if _, err := db.SQL().Exec(`INSERT INTO file_chunks (sha256, seq, content) VALUES (?, ?, ?)`,
			hexSum, seq, file[off:min(off+4<<20, len(file))]); err != nil {
			t.Fatal(err)
		}
	}
	addOldVersion(t, db, hexSum, "old.csv")
	db.Close()

	db = MustOpenPath(t, path) // applies 0011
	var schema string
	if err := db.SQL().QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'file_chunks'`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(schema), "WITHOUT ROWID") {
		t.Errorf("file_chunks after the migration: %s", schema)
	}
	if _, _, got, err := readOldVersion(db); err != nil || !bytes.Equal(got, file) {
		t.Fatalf("migrated file: %d bytes (%v), want %d", len(got), err, len(file))
	}
}

// randomFile returns size random bytes and their SHA-256 in hex.
func randomFile(size int) ([]byte, string) {
	file := make([]byte, size)
	rand.Read(file)
	sum := sha256.Sum256(file)
	return file, hex.EncodeToString(sum[:])
}

func execAll(t *testing.T, db *sqlite.DB, queries ...string) {
	t.Helper()
	for _, q := range queries {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// addOldVersion stores version 1 of dataset "old" with the stored file sha256,
// as a store of before a migration had it.
func addOldVersion(t *testing.T, db *sqlite.DB, sha256, fileName string) {
	t.Helper()
	execAll(t, db, `INSERT INTO datasets (id, name, created_at) VALUES (1, 'old', '2026-01-01T00:00:00Z')`)
	if _, err := db.SQL().Exec(`INSERT INTO versions
		(id, dataset_id, number, data_version, obs_version_id, rollback_of, file_sha256, file_name, who, observations, created_at)
		VALUES (1, 1, 1, 1, 1, 0, ?, ?, 'test', 0, '2026-01-01T00:00:00Z')`, sha256, fileName); err != nil {
		t.Fatal(err)
	}
}

// readOldVersion reads back the original file of version 1 of "old".
func readOldVersion(db *sqlite.DB) (name, sha256 string, content []byte, err error) {
	f, err := db.VersionFile(context.Background(), "old", 1)
	if err != nil {
		return "", "", nil, err
	}
	content, err = io.ReadAll(io.NewSectionReader(f.Content, 0, f.Content.Size()))
	return f.Name, f.SHA256, content, err
}

// A file that compresses is stored compressed, chunk by chunk; one that does
// not (random bytes, as in a workbook's zip) is stored as read. Both read back
// byte for byte.
func TestFileChunks_compressedWhenItPays(t *testing.T) {
	ctx := context.Background()
	db := MustOpenPath(t, filepath.Join(t.TempDir(), "clout.db"))
	text := storetest.CompressibleFile(6<<20 + 5)
	noise, _ := randomFile(5 << 20)
	for name, file := range map[string][]byte{"text.csv": text, "noise.xlsx": noise} {
		if _, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: "d" + strings.TrimSuffix(name, filepath.Ext(name)), FileName: name,
			File: bytes.NewReader(file)}, oneObservation); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(file)
		rows, err := db.SQL().Query(`SELECT encoding, LENGTH(content) FROM file_chunks WHERE sha256 = ? ORDER BY seq`, hex.EncodeToString(sum[:]))
		if err != nil {
			t.Fatal(err)
		}
		var encodings []string
		stored := 0
		for rows.Next() {
			var enc string
			var n int
			if err := rows.Scan(&enc, &n); err != nil {
				t.Fatal(err)
			}
			encodings = append(encodings, enc)
			stored += n
		}
		rows.Close()
		switch name {
		case "text.csv":
			if strings.Join(encodings, ",") != "s2,s2" || stored > len(file)/2 {
				t.Errorf("%s: chunks %q, %d bytes stored for %d; want two s2 chunks, at most half", name, encodings, stored, len(file))
			}
		default:
			if strings.Join(encodings, ",") != "," || stored != len(file) {
				t.Errorf("%s: chunks %q, %d bytes stored for %d; want two chunks as read", name, encodings, stored, len(file))
			}
		}
		ds := "d" + strings.TrimSuffix(name, filepath.Ext(name))
		if _, got, err := storetest.ReadVersionFile(ctx, db, ds, 1); err != nil || !bytes.Equal(got, file) {
			t.Errorf("%s: %d bytes back (%v), want %d", name, len(got), err, len(file))
		}
	}
}

func oneObservation(yield func([]indicators.Observation) error) error {
	return yield([]indicators.Observation{{Indicator: "SP.POP.TOTL", Country: "RUS", Period: indicators.Year(2019), Value: 1}})
}

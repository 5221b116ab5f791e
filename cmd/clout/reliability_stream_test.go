package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/internal/testkit"
)

// maxLocalImportRSS bounds the peak resident memory of `clout import` of a
// local csv, whatever its size: the file is streamed, not read whole.
const maxLocalImportRSS = 200 << 20

// TestReliabilityImportLocalFileBoundedMemory imports, with the built binary, a
// local 1 M-row tidy csv larger than the upload limit (which applies to uploads
// only): the process's peak RSS (VmHWM, as wait4 reports it) stays under
// maxLocalImportRSS, every row is stored, and the stored original file reads
// back with the file's SHA-256.
func TestReliabilityImportLocalFileBoundedMemory(t *testing.T) {
	testkit.Reliability(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildClout(t, ctx, dir)
	csv := filepath.Join(dir, "big.csv")
	writeTidyCSV(t, csv, importBenchRows)
	info, err := os.Stat(csv)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() <= importer.DefaultMaxUpload {
		t.Fatalf("the csv is %d bytes, not over the upload limit", info.Size())
	}
	db := filepath.Join(dir, "clout.db")
	cmd := exec.CommandContext(ctx, bin, "import", "--db", db, "--dataset", "big", csv)
	r := timed(t, cmd)
	t.Logf("clout import of %d MiB: %s, peak RSS %.0f MiB", info.Size()>>20, r.wall.Round(time.Millisecond), r.rss)
	if r.rss <= 0 || r.rss > maxLocalImportRSS>>20 {
		t.Errorf("peak RSS %.0f MiB, want at most %d MiB", r.rss, maxLocalImportRSS>>20)
	}

	store, err := sqlite.Open(ctx, db, sqlite.WithLogger(testkit.DiscardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ds, err := store.Dataset(ctx, "big")
	if err != nil || ds.Observations != importBenchRows {
		t.Fatalf("dataset big: %d observations (%v), want %d", ds.Observations, err, importBenchRows)
	}
	f, err := os.Open(csv)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := sha256.New()
	if _, err := io.Copy(want, f); err != nil {
		t.Fatal(err)
	}
	orig, err := store.VersionFile(ctx, "big", 1)
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	n, err := io.Copy(got, io.NewSectionReader(orig.Content, 0, orig.Content.Size()))
	wantSum := hex.EncodeToString(want.Sum(nil))
	if err != nil || n != info.Size() || hex.EncodeToString(got.Sum(nil)) != wantSum || orig.SHA256 != wantSum {
		t.Errorf("stored file: %d bytes, SHA-256 %x (recorded %s), err %v; want %d bytes, %s", n, got.Sum(nil), orig.SHA256, err, info.Size(), wantSum)
	}
}

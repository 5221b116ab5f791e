package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

// TestImportHostileWorkbooks runs `clout import` on each broken or hostile
// workbook after a good version of the same dataset: the output says the file
// was rejected and where (text and --json), the exit status is 1, and the
// store keeps the previous version.
func TestImportHostileWorkbooks(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "clout.db")
	cfg := filepath.Join(dir, "clout.yaml")
	if err := os.WriteFile(cfg, []byte("limits:\n  uncompressed_mib: 16\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "pop.xlsx")
	if err := os.WriteFile(good, testkit.HostileGood(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cli(t, db, "import", "--config", cfg, good); code != 0 {
		t.Fatalf("good import: exit %d\n%s%s", code, out, errOut)
	}
	before := storeState(t, db)
	for _, hw := range testkit.HostileWorkbooks(t, 64<<20) {
		t.Run(hw.Name, func(t *testing.T) {
			path := filepath.Join(dir, hw.Name+".xlsx")
			if err := os.WriteFile(path, hw.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := cli(t, db, "import", "--config", cfg, "--dataset", "pop", path)
			if code != 1 || !strings.Contains(out, "REJECTED (nothing stored)") || strings.Contains(out, "version 0") {
				t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 1 and REJECTED", code, out, errOut)
			}
			for _, w := range hw.Want {
				if !strings.Contains(out, w) || !strings.Contains(errOut, w) {
					t.Errorf("output does not say %q\nstdout:\n%s\nstderr:\n%s", w, out, errOut)
				}
			}
			code, out, _ = cli(t, db, "import", "--config", cfg, "--dataset", "pop", "--json", path)
			var rep indicators.ImportReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("--json output %q: %v", out, err)
			}
			if code != 1 || len(rep.Errors) == 0 || rep.Errors[0].File != hw.Name+".xlsx" {
				t.Fatalf("--json: exit %d, errors %+v; want exit 1 and the error with its file", code, rep.Errors)
			}
			var all strings.Builder
			for _, p := range rep.Errors {
				all.WriteString(problemString(p) + "\n")
			}
			for _, w := range hw.Want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("--json errors do not say %q: %s", w, all.String())
				}
			}
			if after := storeState(t, db); after != before {
				t.Fatalf("store changed: %+v → %+v", before, after)
			}
		})
	}
}

// state is what a rejected import must leave as it was: the dataset's current
// version and version count, the data version, the live observations.
type state struct {
	current, versions int
	dataVersion       int64
	observations      int
	integrity         string
}

// storeState reads the state of the SQLite store at path, and its integrity
// check.
func storeState(t *testing.T, path string) state {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, sqlite.WithLogger(testkit.DiscardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.Dataset(ctx, "pop")
	if err != nil {
		t.Fatal(err)
	}
	dv, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := st.Observations(ctx, indicators.Query{Indicators: []string{indicators.PopulationCode}, Countries: []string{"ARM"}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var integrity string
	if err := raw.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&integrity); err != nil {
		t.Fatal(err)
	}
	return state{current: ds.Current, versions: len(ds.Versions), dataVersion: dv, observations: len(obs), integrity: integrity}
}

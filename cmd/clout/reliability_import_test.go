package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/internal/testkit"
)

// TestReliabilityHostileWorkbooks runs the built `clout import` on each broken
// or hostile workbook (cut off, undefined entity, XXE, billion laughs, a million
// deep, zip bombs over the default unzipped-size limit, checksum error, no
// sheets, a missing sheet) against a SQLite store holding a previous version of
// the dataset: each exits 1 naming the place, the previous version stays
// current, and the database passes its integrity check.
func TestReliabilityHostileWorkbooks(t *testing.T) {
	testkit.Reliability(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildClout(t, ctx, dir)
	db := filepath.Join(dir, "clout.db")
	run := func(args ...string) (int, string, string) {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), "CLOUT_DB="+db)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0, stdout.String(), stderr.String()
		case errors.As(err, &exit):
			return exit.ExitCode(), stdout.String(), stderr.String()
		}
		t.Fatalf("run clout %v: %v", args, err)
		return 0, "", ""
	}
	good := filepath.Join(dir, "pop.xlsx")
	if err := os.WriteFile(good, testkit.HostileGood(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := run("import", good); code != 0 {
		t.Fatalf("good import: exit %d\n%s%s", code, out, errOut)
	}
	before := storeState(t, db)
	if before.integrity != "ok" || before.current != 1 || before.observations < testkit.HostileRows {
		t.Fatalf("after the good import: %+v", before)
	}
	// Bombs over the default limit, as the binary runs with it.
	for _, hw := range testkit.HostileWorkbooks(t, importer.DefaultMaxUnzipped+64<<20) {
		path := filepath.Join(dir, hw.Name+".xlsx")
		if err := os.WriteFile(path, hw.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		code, out, errOut := run("import", "--dataset", "pop", path)
		took := time.Since(start)
		if code == 0 || !strings.Contains(out, "REJECTED (nothing stored)") {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", hw.Name, code, out, errOut)
			continue
		}
		for _, w := range append(hw.Want, hw.Name+".xlsx") {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: stderr does not say %q:\n%s", hw.Name, w, errOut)
			}
		}
		if after := storeState(t, db); after != before {
			t.Fatalf("%s: store changed: %+v → %+v", hw.Name, before, after)
		}
		t.Logf("%-22s %6d KiB  exit %d in %5v  %s", hw.Name, len(hw.Data)>>10, code, took.Round(time.Millisecond), strings.TrimSpace(strings.SplitN(errOut, "\n", 2)[0]))
	}
}

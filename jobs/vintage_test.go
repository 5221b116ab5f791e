package jobs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// writeWorldBankFile writes a small World Bank bulk csv released on updated.
func writeWorldBankFile(t *testing.T, path, updated string, scale float64) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "\"Data Source\",\"World Development Indicators\",\n\n\"Last Updated Date\",\"%s\",\n\n", updated)
	b.WriteString("\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2014\",\"2015\",\n")
	fmt.Fprintf(&b, "\"Armenia\",\"ARM\",\"Test\",\"XX.JOB\",\"%.0f\",\"%.0f\",\n", 1000*scale, 1100*scale)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// An import job of an older release fails (nothing stored) unless its config
// says allow_older: true.
func TestImportJobOlderVintage(t *testing.T) {
	dir := t.TempDir()
	newer, older := filepath.Join(dir, "new.csv"), filepath.Join(dir, "old.csv")
	writeWorldBankFile(t, newer, "2023-12-18", 2)
	writeWorldBankFile(t, older, "2017-06-01", 1)
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), `
jobs:
  - name: new
    schedule: "0 6 * * *"
    import: {source: "`+newer+`", dataset: wb-new}
  - name: old
    schedule: "0 6 * * *"
    import: {source: "`+older+`", dataset: wb-old}
  - name: old-allowed
    schedule: "0 6 * * *"
    import: {source: "`+older+`", dataset: wb-old, allow_older: true}
`, nil)
	if r := h.run("new"); r.Status != indicators.RunOK {
		t.Fatalf("new: %s %q", r.Status, r.Message)
	}
	r := h.run("old")
	if r.Status != indicators.RunFailed || !strings.Contains(r.Message, "older than 2023-12") || !strings.Contains(r.Message, "allow_older: true") {
		t.Fatalf("old without allow_older: %s %q", r.Status, r.Message)
	}
	if r.Attempt != 1 {
		t.Errorf("an older file was retried: attempt %d", r.Attempt)
	}
	if n := h.versions("wb-old"); n != 0 {
		t.Fatalf("refused job stored %d versions", n)
	}
	if r := h.run("old-allowed"); r.Status != indicators.RunOK {
		t.Fatalf("old with allow_older: %s %q", r.Status, r.Message)
	}
	if n := h.versions("wb-old"); n != 1 {
		t.Fatalf("allowed job stored %d versions, want 1", n)
	}
}

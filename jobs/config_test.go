package jobs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/jobs"
)

// known is what the real registries offer: the built-in charts, the export
// formats and the importer's layouts (cmd/clout passes the same).
var known = func() jobs.Known {
	k := jobs.Known{ImportFormats: append([]string{"auto"}, importer.Formats()...)}
	for _, c := range indicators.Charts() {
		k.Charts = append(k.Charts, c.ID())
	}
	for _, f := range export.Formats() {
		k.Formats = append(k.Formats, string(f))
	}
	return k
}()

func TestParseConfig(t *testing.T) {
	cfg, err := jobs.ParseConfig([]byte(`
addr: ":9090"
db: clout.db
private: true
limits: {upload_mib: 64}
jobs:
  - name: wdi-population
    schedule: "CRON_TZ=Europe/Moscow 0 6 * * *"
    timeout: 2m
    retries: 0
    backoff: 5s
    import: {source: "https://example.org/pop.csv", dataset: wdi-population, format: worldbank, max_size: 1MiB}
  - name: weekly
    schedule: "@weekly"
    snapshot:
      charts: [trade-share]
      params: {year: "2023", partners: "TUR,AZE"}
      formats: [png, svg]
      dir: exports
      keep: 4
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Jobs) != 2 {
		t.Fatalf("%d jobs, want 2", len(cfg.Jobs))
	}
	imp := cfg.Jobs[0]
	if imp.Kind() != "import" || imp.Timeout != 2*time.Minute || imp.Backoff != 5*time.Second ||
		imp.Retries == nil || *imp.Retries != 0 || imp.Import.MaxSize != 1<<20 || imp.Import.Format != "worldbank" {
		t.Errorf("import job = %+v %+v", imp, imp.Import)
	}
	snap := cfg.Jobs[1]
	if snap.Kind() != "snapshot" || snap.Snapshot.Keep != 4 || snap.Snapshot.Params["partners"] != "TUR,AZE" {
		t.Errorf("snapshot job = %+v %+v", snap, snap.Snapshot)
	}
	if err := cfg.Validate(known); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseConfigRejectsUnknownKeys(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"jobs not a list", "jobs: {name: a}\n", "jobs"},
		{"job key typo", "jobs:\n  - name: a\n    schedul: '@daily'\n", "schedul"},
		{"import key typo", "jobs:\n  - name: a\n    import: {sorce: x}\n", "sorce"},
		{"bad duration", "jobs:\n  - name: a\n    timeout: soon\n", "soon"},
		{"bad size", "jobs:\n  - name: a\n    import: {max_size: lots}\n", "lots"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jobs.ParseConfig([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
			if indicators.ErrorCode(err) != indicators.EINVALID {
				t.Errorf("code = %s, want %s", indicators.ErrorCode(err), indicators.EINVALID)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	const imp = "import: {source: data.csv, dataset: pop}"
	const snap = "snapshot: {charts: [trade-share], formats: [png], dir: out}"
	tests := []struct {
		name string
		jobs string
		want []string // each must appear in the error
	}{
		{"bad spec", "- {name: a, schedule: '61 * * * *', " + imp + "}", []string{`job "a"`, `bad schedule "61 * * * *"`}},
		{"bad descriptor", "- {name: a, schedule: '@fortnightly', " + imp + "}", []string{`job "a"`, "@fortnightly"}},
		{"bad time zone", "- {name: a, schedule: 'CRON_TZ=Mars/Olympus 0 6 * * *', " + imp + "}", []string{`job "a"`, "Mars/Olympus"}},
		{"missing schedule", "- {name: a, " + imp + "}", []string{`job "a": missing schedule`}},
		{"unknown chart", "- {name: s, schedule: '@daily', snapshot: {charts: [pie], formats: [png], dir: out}}", []string{`job "s"`, `unknown chart "pie"`}},
		{"unknown format", "- {name: s, schedule: '@daily', snapshot: {charts: [series], formats: [gif], dir: out}}", []string{`job "s"`, `unknown format "gif"`}},
		{"unknown import format", "- {name: a, schedule: '@daily', import: {source: x.csv, dataset: d, format: pdf}}", []string{`job "a"`, `unknown format "pdf"`}},
		{"duplicate name", "- {name: a, schedule: '@daily', " + imp + "}\n- {name: a, schedule: '@hourly', " + snap + "}", []string{`job "a": duplicate name`}},
		{"both kinds", "- {name: a, schedule: '@daily', " + imp + ", " + snap + "}", []string{`job "a": has both import and snapshot`}},
		{"neither kind", "- {name: a, schedule: '@daily'}", []string{`job "a": has neither import nor snapshot`}},
		{"missing dataset", "- {name: a, schedule: '@daily', import: {source: x.csv}}", []string{`job "a": import: missing dataset`}},
		{"missing source", "- {name: a, schedule: '@daily', import: {dataset: d}}", []string{`job "a": import: missing source`}},
		{"ftp source", "- {name: a, schedule: '@daily', import: {source: 'ftp://h/x.csv', dataset: d}}", []string{`job "a"`, "only local paths and http(s) URLs"}},
		{"missing dir", "- {name: s, schedule: '@daily', snapshot: {charts: [series], formats: [png]}}", []string{`job "s": snapshot: missing dir`}},
		{"no charts", "- {name: s, schedule: '@daily', snapshot: {formats: [png], dir: out}}", []string{`job "s": snapshot: no charts`}},
		{"negative retries", "- {name: a, schedule: '@daily', retries: -1, " + imp + "}", []string{`job "a"`, "negative"}},
		{"bad name", "- {name: 'a b', schedule: '@daily', " + imp + "}", []string{`job "a b": name may use only`}},
		{"missing name", "- {schedule: '@daily', " + imp + "}", []string{"job #1: missing name"}},
		{"every problem listed", "- {name: a, schedule: nope, " + imp + "}\n- {name: b, schedule: '@daily', snapshot: {charts: [pie], formats: [png], dir: out}}",
			[]string{`job "a": bad schedule "nope"`, `job "b": snapshot: unknown chart "pie"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := jobs.ParseConfig([]byte("jobs:\n" + indent(tt.jobs)))
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.Validate(known)
			if err == nil {
				t.Fatal("Validate accepted a bad config")
			}
			if indicators.ErrorCode(err) != indicators.EINVALID {
				t.Errorf("code = %s, want %s", indicators.ErrorCode(err), indicators.EINVALID)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			// New refuses the same config with the same error.
			if _, nerr := jobs.New(cfg, jobs.Deps{Known: known}); nerr == nil || nerr.Error() != err.Error() {
				t.Errorf("New error = %v, want %v", nerr, err)
			}
		})
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ") + "\n"
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "clout.yaml")
	if _, err := jobs.LoadConfig(path); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("missing file: err = %v, want ENOTFOUND", err)
	}
	if err := os.WriteFile(path, []byte("jobs: [{name: a, bogus: 1}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := jobs.LoadConfig(path)
	if indicators.ErrorCode(err) != indicators.EINVALID || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("bad file: err = %v, want EINVALID naming %s and the key", err, path)
	}
}

// TestExampleConfig keeps clout.example.yaml parseable and valid.
func TestExampleConfig(t *testing.T) {
	cfg, err := jobs.LoadConfig("../clout.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(known); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, j := range cfg.Jobs {
		kinds[j.Kind()]++
	}
	if kinds["import"] == 0 || kinds["snapshot"] == 0 {
		t.Errorf("example has %v jobs, want both kinds", kinds)
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want jobs.ByteSize
		bad  bool
	}{
		{"bytes", "1048576", 1 << 20, false},
		{"MiB", "100MiB", 100 << 20, false},
		{"MB with space", "10 MB", 10e6, false},
		{"KiB", "512KiB", 512 << 10, false},
		{"GB", "1GB", 1e9, false},
		{"word", "big", 0, true},
		{"negative", "-1", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := jobs.ParseByteSize(tt.in)
			if (err != nil) != tt.bad || got != tt.want {
				t.Errorf("ParseByteSize(%q) = %d, %v; want %d, bad=%v", tt.in, got, err, tt.want, tt.bad)
			}
		})
	}
}

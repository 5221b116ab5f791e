package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/clout-dev/clout/indicators"
)

// cli runs the CLI in-process against db and returns the exit status, stdout and stderr.
func cli(t *testing.T, db string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		if k == "CLOUT_DB" {
			return db
		}
		return ""
	}}
	code := Run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

// mustChart runs `clout chart ID --json` with params and decodes the Detail into detail.
func mustChart(t *testing.T, db string, detail any, args ...string) indicators.Result {
	t.Helper()
	code, out, errOut := cli(t, db, append([]string{"chart"}, append(args, "--json")...)...)
	if code != 0 {
		t.Fatalf("clout chart %v: exit %d, stderr %s", args, code, errOut)
	}
	var res struct {
		indicators.Result
		Detail json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("decode %s: %v", out, err)
	}
	if err := json.Unmarshal(res.Detail, detail); err != nil {
		t.Fatalf("decode detail: %v", err)
	}
	return res.Result
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestIntegrationGainOnSeed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "clout.db")
	for _, tc := range []struct {
		vintage  string
		want     map[string]float64
		coverage string
	}{
		// The 2023-05 WDI release the article used, and the 2026-07 release
		// (the ICP-2021 PPP revision lifts the GDP ratio).
		{"2023-05", map[string]float64{"population": 68.9, "gdp-ppp": 30.6}, "Turkmenistan: no GDP PPP for 2020"},
		{"", map[string]float64{"population": 68.9, "gdp-ppp": 32.5}, ""},
	} {
		t.Run("vintage="+tc.vintage, func(t *testing.T) {
			var ig indicators.IntegrationGainResult
			res := mustChart(t, db, &ig, "integration-gain", "--param", "year=2019", "--param", "vintage="+tc.vintage)
			want := maps.Clone(tc.want)
			for _, m := range ig.Measures {
				y, ok := m.At(2019)
				if !ok || y.Ratio == nil {
					t.Fatalf("%s: no complete 2019 ratio", m.ID)
				}
				if !near(*y.Ratio, want[m.ID], 0.1) {
					t.Errorf("%s ratio 2019 = %.2f%%, want %.1f%% ±0.1", m.ID, *y.Ratio, want[m.ID])
				}
				delete(want, m.ID)
			}
			if len(want) > 0 {
				t.Errorf("measures missing: %v", want)
			}
			if tc.coverage != "" && !strings.Contains(strings.Join(res.Coverage, "\n"), tc.coverage) {
				t.Errorf("coverage %q does not say %q", res.Coverage, tc.coverage)
			}
		})
	}
}

func TestGasExportsMonthlyOnSeed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "clout.db")
	var gas indicators.GasExportsResult
	mustChart(t, db, &gas, "gas-exports", "--param", "destinations=TUR", "--param", "freq=monthly")
	if len(gas.Series) != 1 || gas.Series[0].Destination != "TUR" {
		t.Fatalf("series %+v, want Turkey only", gas.Series)
	}
	april := indicators.Month(2020, 4)
	for _, p := range gas.Series[0].Points {
		if p.Period != april {
			continue
		}
		if p.YoY == nil || !near(*p.YoY, -68.6, 0.5) {
			t.Fatalf("2020-04 YoY = %v, want -68.6%% ±0.5", p.YoY)
		}
		return
	}
	t.Fatal("no 2020-04 point")
}

func TestTradeShareOnSeed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "clout.db")
	var ts indicators.TradeShareResult
	res := mustChart(t, db, &ts, "trade-share")
	if ts.Combined.Share == nil || *ts.Combined.Share >= 5 || *ts.Combined.Share <= 1 {
		t.Fatalf("TUR+AZE combined share %v, want between 1%% and 5%%", ts.Combined.Share)
	}
	if got := strings.Join(ts.Combined.Covered, ","); got != "TUR,AZE" {
		t.Errorf("partners covered %q, want TUR,AZE", got)
	}
	if len(ts.Over) < 2 {
		t.Errorf("combined share over %d years, want every year available", len(ts.Over))
	}
	if !strings.Contains(res.Statement, "Turkey and Azerbaijan") || !strings.Contains(res.Statement, "2020") {
		t.Errorf("statement %q does not name the partners and the year", res.Statement)
	}
	// The text form names the years covered too.
	code, out, _ := cli(t, db, "chart", "trade-share")
	if code != 0 || !strings.Contains(out, "2017") || !strings.Contains(out, "Turkey + Azerbaijan") {
		t.Errorf("text output (exit %d) lacks the years/partners covered:\n%s", code, out)
	}
}

// writeBadWorkbook writes a tidy workbook with a wrong number and an unknown country.
func writeBadWorkbook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"indicator", "country", "period", "value"},
		{"SP.POP.TOTL", "RUS", 2019, 144406261},
		{"SP.POP.TOTL", "Kyrgystan", 2019, 6590211},
		{"SP.POP.TOTL", "KAZ", 2019, "12,3,4"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestBadSpreadsheetChangesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "clout.db")
	code, before, errOut := cli(t, db, "datasets", "list")
	if code != 0 {
		t.Fatalf("datasets list: exit %d: %s", code, errOut)
	}
	bad := filepath.Join(dir, "bad.xlsx")
	writeBadWorkbook(t, bad)

	code, out, errOut := cli(t, db, "import", bad)
	if code != 1 {
		t.Fatalf("import of a bad file: exit %d, want 1", code)
	}
	all := out + errOut
	for _, want := range []string{`sheet "Sheet1", row 3, column B`, "did you mean Kyrgyzstan", `row 4, column D`, `"12,3,4" is not a number`} {
		if !strings.Contains(all, want) {
			t.Errorf("output lacks %q:\n%s", want, all)
		}
	}
	_, after, _ := cli(t, db, "datasets", "list")
	if after != before {
		t.Errorf("datasets list changed after a rejected import:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestImportRollbackAsOf(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "clout.db")
	write := func(value string) string {
		p := filepath.Join(dir, "pop.csv")
		if err := os.WriteFile(p, []byte("indicator,country,year,value\nXX.TEST,ARM,2019,"+value+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	series := func(extra ...string) string {
		_, out, errOut := cli(t, db, append([]string{"chart", "series", "--param", "indicator=XX.TEST", "--param", "countries=ARM"}, extra...)...)
		if errOut != "" && !strings.Contains(errOut, "INFO") {
			t.Logf("stderr: %s", errOut)
		}
		return out
	}
	for _, v := range []string{"100", "200"} {
		if code, _, errOut := cli(t, db, "import", write(v)); code != 0 {
			t.Fatalf("import %s: exit %d: %s", v, code, errOut)
		}
	}
	if out := series(); !strings.Contains(out, "200") || strings.Contains(out, "100") {
		t.Fatalf("version 2 should replace version 1:\n%s", out)
	}
	if code, out, errOut := cli(t, db, "datasets", "rollback", "pop", "1"); code != 0 || !strings.Contains(out, "version 3 restores version 1") {
		t.Fatalf("rollback: exit %d: %s %s", code, out, errOut)
	}
	if out := series(); !strings.Contains(out, "100") {
		t.Fatalf("after rollback the value should be 100 again:\n%s", out)
	}
	// Data versions: 1 seed, 2 and 3 the imports, 4 the rollback; as of 3 the value was 200.
	if out := series("--v", "3"); !strings.Contains(out, "200") {
		t.Fatalf("as of data version 3 the value was 200:\n%s", out)
	}
}

func TestUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "clout.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, 2, "Usage"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"chart without id", []string{"chart"}, 2, "need exactly one chart id"},
		{"unknown chart", []string{"chart", "pie"}, 1, "trade-share"},
		{"bad parameter", []string{"chart", "trade-share", "--param", "year=20x9"}, 1, "year"},
		{"flag after positional", []string{"chart", "trade-share", "--json", "--param", "year=2019"}, 0, `"chart": "trade-share"`},
		{"flag before positional", []string{"chart", "--json", "trade-share"}, 0, `"chart": "trade-share"`},
		{"datasets bad verb", []string{"datasets", "drop"}, 2, "unknown subcommand"},
		{"rollback bad version", []string{"datasets", "rollback", "seed", "x"}, 2, "VERSION"},
		{"rollback unknown dataset", []string{"datasets", "rollback", "nope", "1"}, 1, "nope"},
		{"import missing file", []string{"import", "/nonexistent/file.csv"}, 1, "no such file"},
		{"version", []string{"version"}, 0, "clout "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, db, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", tt.want, out, errOut)
			}
		})
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "clout.db")
	write := func(body string) string {
		p := filepath.Join(dir, "clout.yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, body string
		code       int
		want       string
	}{
		{"misspelt key", "adr: \":9\"\n", 1, `line 1: unknown key "adr"`},
		{"bad schedule", "jobs:\n  - name: a\n    schedule: \"61 * * * *\"\n    import: {source: x.csv, dataset: x}\n", 1, `job "a"`},
		{"unknown chart", "jobs:\n  - name: snap\n    schedule: \"@daily\"\n    snapshot: {charts: [pie], formats: [png], dir: out}\n", 1, "pie"},
		{"no jobs", "addr: \":9\"\n", 0, "JOB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, db, "jobs", "--config", write(tt.body), "list")
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, tt.code, tt.want, out, errOut)
			}
		})
	}
}

func TestJobsRunFromCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "clout.db")
	src := filepath.Join(dir, "pop.csv")
	if err := os.WriteFile(src, []byte("indicator,country,year,value\nXX.JOB,ARM,2019,7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "clout.yaml")
	body := "jobs:\n  - name: pop\n    schedule: \"@daily\"\n    retries: 0\n    import: {source: " + src + ", dataset: pop}\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"pop: ok", "pop: unchanged"} {
		code, out, errOut := cli(t, db, "jobs", "--config", cfg, "run", "pop")
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("run %d: exit %d, want %q:\n%s%s", i+1, code, want, out, errOut)
		}
	}
	os.Remove(src)
	code, out, errOut := cli(t, db, "jobs", "--config", cfg, "run", "pop")
	if code != 1 || !strings.Contains(out, "failed") {
		t.Fatalf("run of a vanished file: exit %d:\n%s%s", code, out, errOut)
	}
	code, out, _ = cli(t, db, "jobs", "--config", cfg, "list")
	if code != 0 || !strings.Contains(out, "failed") {
		t.Fatalf("list should show the failed last run:\n%s", out)
	}
}

func TestExportWithoutServer(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "clout.db")
	out := filepath.Join(dir, "x.png")
	code, _, errOut := cli(t, db, "export", "trade-share", "--format", "png", "--out", out, "--width", "400", "--height", "300")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("x.png does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 400 || b.Dy() != 300 {
		t.Fatalf("x.png is %v, want 400x300", b)
	}
	code, _, errOut = cli(t, db, "export", "trade-share", "--format", "gif", "--out", out)
	if code != 1 || !strings.Contains(errOut, "gif") {
		t.Fatalf("export --format gif: exit %d: %s", code, errOut)
	}
}

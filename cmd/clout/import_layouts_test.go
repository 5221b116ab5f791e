package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// TestImportDryRunLayouts runs `clout import --dry-run --json` on a small file of
// each real-world shape and checks the report's layout, counts and warnings.
func TestImportDryRunLayouts(t *testing.T) {
	tests := []struct {
		name, file, body string
		flags            []string
		layout           string
		observations     int
		missing          int
		warning          string
	}{
		{name: "IEA gas exports by destination", file: "iea_exports.csv",
			body: "COUNTRY,Country,DESTINATION,Destination,PRODUCT,Product,TIME,Time,Value\n" +
				"RUSSIA,Russian Federation,GERMANY,Germany,NATGAS,Natural gas,2020,2020,50100\n" +
				"RUSSIA,Russian Federation,OECDEUR,OECD Europe,NATGAS,Natural gas,2020,2020,150000\n",
			layout: "oecd", observations: 2, warning: "1 IEA/OECD aggregates stored under their codes (XOE)"},
		{name: "Comtrade one commodity and a special partner", file: "comtrade.csv",
			body:   "refYear,flowCode,reporterISO,partnerISO,cmdCode,primaryValue\n2021,X,RUS,EGY,1001,1800000000\n2021,X,RUS,_X,1001,9000000\n",
			layout: "comtrade", observations: 2, warning: "2 observations of single commodities stored under commodity codes"},
		{name: "DataBank time in rows", file: "databank.csv",
			body:   "Time,Time Code,Country Name,Country Code,\"Population, total [SP.POP.TOTL]\"\n2019,YR2019,Armenia,ARM,2957731\n2020,YR2020,Armenia,ARM,..\n",
			layout: "databank-rows", observations: 1, missing: 1},
		{name: "long series named by --indicator", file: "values.csv", flags: []string{"--indicator", "SP.POP.TOTL"},
			body:   "Country Name,Country Code,Year,Value\nArmenia,ARM,2019,2957731\nArmenia,ARM,2020,2963234\n",
			layout: "series", observations: 2, warning: "indicator SP.POP.TOTL as requested"},
		{name: "long series named by its file", file: "population.csv",
			body:   "Country Name,Country Code,Year,Value\nArmenia,ARM,2019,2957731\n",
			layout: "series", observations: 1, warning: `recognised from the file name "population.csv"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"import", "--dry-run", "--json"}, tc.flags...)
			code, out, errOut := cli(t, filepath.Join(dir, "clout.db"), append(args, path)...)
			if code != 0 {
				t.Fatalf("exit %d: %s\n%s", code, out, errOut)
			}
			var rep indicators.ImportReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, out)
			}
			if rep.Layout != tc.layout || rep.Observations != tc.observations || rep.Missing != tc.missing || !rep.DryRun {
				t.Errorf("report %s %d observations %d missing (dry run %v); want %s %d %d", rep.Layout, rep.Observations, rep.Missing, rep.DryRun,
					tc.layout, tc.observations, tc.missing)
			}
			if tc.warning != "" && !hasWarning(rep, tc.warning) {
				t.Errorf("no warning %q in %+v", tc.warning, rep.Warnings)
			}
		})
	}
}

// TestImportSeriesWithoutIndicator checks the CLI names the place and the way
// out when a long file names no indicator.
func TestImportSeriesWithoutIndicator(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "values.csv")
	if err := os.WriteFile(path, []byte("Country Name,Country Code,Year,Value\nArmenia,ARM,2019,2957731\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, filepath.Join(dir, "clout.db"), "import", "--dry-run", path)
	if code != 1 || !strings.Contains(out+errOut, "row 1 column Value: which indicator are these values?") || !strings.Contains(out+errOut, "--indicator") {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errOut)
	}
}

func hasWarning(rep indicators.ImportReport, msg string) bool {
	for _, w := range rep.Warnings {
		if strings.Contains(w.Message, msg) {
			return true
		}
	}
	return false
}

// TestOWIDExportImportRoundTrip exports a chart of the seed as OWID CSV with the
// CLI, imports the file into another database and checks the chart there shows
// the same numbers.
func TestOWIDExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "series.owid.csv")
	seed, fresh := filepath.Join(dir, "seed.db"), filepath.Join(dir, "fresh.db")
	params := []string{"--param", "indicator=SP.POP.TOTL", "--param", "countries=ARM,KAZ"}
	if code, _, errOut := cli(t, seed, append([]string{"export", "series", "--format", "owid-csv", "--out", out}, params...)...); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	exported, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(exported), "Entity,Code,Year,SP.POP.TOTL\n") {
		t.Fatalf("not an OWID CSV:\n%s", exported)
	}
	code, stdout, errOut := cli(t, fresh, "import", "--dataset", "owid-roundtrip", "--json", out)
	if code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, stdout, errOut)
	}
	var rep indicators.ImportReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	rows := strings.Count(strings.TrimSpace(string(exported)), "\n")
	if rep.Layout != "owid" || rep.Observations+rep.Missing != rows {
		t.Errorf("report: layout %s, %d observations + %d missing; want owid and the %d rows", rep.Layout, rep.Observations, rep.Missing, rows)
	}
	again := filepath.Join(dir, "again.owid.csv")
	if code, _, errOut := cli(t, fresh, append([]string{"export", "series", "--format", "owid.csv", "--out", again}, params...)...); code != 0 {
		t.Fatalf("export again: exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(again); string(b) != string(exported) {
		t.Errorf("the chart after the round trip differs:\n%s\nwant:\n%s", b, exported)
	}
}

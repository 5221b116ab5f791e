package importer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func TestWorldBankWholeWorld(t *testing.T) {
	data, aggs, figures := worldBankWorld(266)
	st := MustOpenStore(t)
	rep := MustImport(t, New(st, Options{}), Request{FileName: "API_NY.GDP.MKTP.PP.CD_DS2_en_csv_v2_5455171.csv", Data: data})
	if rep.Layout != "worldbank" || rep.Rows != 266 || rep.Observations != figures || rep.Missing != 266*64-figures {
		t.Fatalf("layout %q rows %d observations %d missing %d; want worldbank, 266, %d, %d", rep.Layout, rep.Rows, rep.Observations, rep.Missing, figures, 266*64-figures)
	}
	if rep.Dataset != "API_NY.GDP.MKTP.PP.CD_DS2_en_csv_v2_5455171" || rep.Countries != 266 {
		t.Errorf("dataset %q countries %d", rep.Dataset, rep.Countries)
	}
	if want := fmt.Sprintf("%d World Bank aggregates stored under their codes", aggs); !hasProblem(rep.Warnings, want) {
		t.Errorf("warnings %+v lack %q", rep.Warnings, want)
	}
	if rep.Periods.From != "1990" || rep.Periods.To != "2023" {
		t.Errorf("periods %+v", rep.Periods)
	}
	wld := MustObservations(t, st, indicators.Query{Countries: []string{"WLD"}, Indicators: []string{"NY.GDP.MKTP.PP.CD"}})
	if len(wld) == 0 {
		t.Error("no World figures stored")
	}
}

func TestSheets(t *testing.T) {
	tidy := [][]any{{"indicator", "country", "period", "value"}, {"SP.POP.TOTL", "ARM", 2019, 2957731}}
	tests := []struct {
		name     string
		sheets   []sheet
		obs      int
		warnings []string
		err      string
	}{
		{name: "notes sheets skipped silently", obs: 1, sheets: []sheet{
			{name: "About", rows: tidy}, {name: "Notes", rows: tidy}, {name: "Data", rows: tidy}, {name: "readme", rows: [][]any{{"x"}}},
		}},
		{name: "sheet without a header skipped with a warning", obs: 1, sheets: []sheet{
			{name: "Cover", rows: [][]any{{"Population of the CIS"}, {"Compiled by the statistics office"}}}, {name: "Data", rows: tidy},
		}, warnings: []string{`sheet "Cover" has no recognised table header`}},
		{name: "two sheets in two layouts", obs: 2, sheets: []sheet{
			{name: "Tidy", rows: tidy},
			{name: "Wide", rows: [][]any{{"Indicator", "Country", "2020"}, {"SP.POP.TOTL", "ARM", 2963234}}},
		}},
		{name: "no recognised sheet", sheets: []sheet{{name: "Cover", rows: [][]any{{"nothing"}}}, {name: "README", rows: tidy}}, err: "no table found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := New(MustOpenStore(t), Options{}).Import(context.Background(), Request{FileName: "book.xlsx", Data: MustXLSX(t, tc.sheets...)})
			if tc.err != "" {
				if err == nil || !hasProblem(indicators.ErrorDetails(err), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err, indicators.ErrorDetails(err))
			}
			if rep.Observations != tc.obs {
				t.Errorf("observations %d, want %d", rep.Observations, tc.obs)
			}
			for _, w := range tc.warnings {
				if !hasProblem(rep.Warnings, w) {
					t.Errorf("no warning %q in %+v", w, rep.Warnings)
				}
			}
		})
	}
}

func TestFormats(t *testing.T) {
	for _, f := range []string{"", "auto", "tidy", "wide", "worldbank", "databank", "dots", "imfreport", "comtrade", "oecd", "IEA", "imf-report", "wb"} {
		if _, err := formatLayout(f); err != nil {
			t.Errorf("format %q: %v", f, err)
		}
	}
	_, err := New(nil, Options{}).Import(context.Background(), Request{FileName: "a.csv", Data: csvText("a"), Format: "sdmx"})
	if indicators.ErrorCode(err) != indicators.EINVALID || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("unknown format: %v", err)
	}
}

func TestWindows1252CSV(t *testing.T) {
	// "Côte d'Ivoire" saved by Excel on Windows: ô is the single byte 0xF4.
	data := []byte("indicator,country,period,value\nSP.POP.TOTL,C\xf4te d'Ivoire,2019,25716544\n")
	rep := MustImport(t, New(nil, Options{}), Request{FileName: "civ.csv", Data: data, DryRun: true})
	if rep.Observations != 1 || rep.Sample[0].Country != "CIV" || !hasProblem(rep.Warnings, "Windows-1252") {
		t.Fatalf("report %+v", rep)
	}
}

func TestProgress(t *testing.T) {
	var last Progress
	calls := 0
	im := New(nil, Options{Progress: func(p Progress) { last = p; calls++ }})
	lines := []string{"indicator,country,period,value"}
	for y := 0; y < 5000; y++ {
		lines = append(lines, fmt.Sprintf("X,ARM,%d-%02d,%d", 1600+y/12, y%12+1, y))
	}
	data := csvText(lines...)
	MustImport(t, im, Request{FileName: "p.csv", Data: data, DryRun: true})
	if calls == 0 || last.Rows != 5000 || last.Bytes != int64(len(data)) || last.Total != int64(len(data)) {
		t.Fatalf("%d calls, last %+v; want rows 5000 and bytes %d", calls, last, len(data))
	}
}

func TestDatasetName(t *testing.T) {
	for in, want := range map[string]string{
		"API_SP.POP.TOTL_DS2_en_csv_v2_1.csv": "API_SP.POP.TOTL_DS2_en_csv_v2_1",
		"C:\\Users\\me\\pop.xlsx":             "pop",
		"dir/gas.v2.csv":                      "gas.v2",
		"":                                    "import",
	} {
		if got := DatasetName(in); got != want {
			t.Errorf("DatasetName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorCap(t *testing.T) {
	lines := []string{"indicator,country,period,value"}
	for y := 2000; y < 2008; y++ {
		lines = append(lines, fmt.Sprintf("X,ARM,%d,bad", y))
	}
	rep, err := New(nil, Options{MaxErrors: 5}).Import(context.Background(), Request{FileName: "bad.csv", Data: csvText(lines...), DryRun: true})
	d := indicators.ErrorDetails(err)
	if len(d) != 6 || len(rep.Errors) != 6 || d[5].Message != "... and 3 more errors" || !strings.Contains(err.Error(), "8 errors") {
		t.Fatalf("err %v, details %+v", err, d)
	}
}

package importer

import (
	"context"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// seriesCSV is a file of the datasets/* data packages: one indicator, long.
func seriesCSV(testing.TB) []byte {
	return csvText("Country Name,Country Code,Year,Value",
		"Armenia,ARM,2019,2957731",
		"Armenia,ARM,2020,2963234",
		"Europe & Central Asia,ECS,2019,921000000",
		"Kyrgyz Republic,KGZ,2020,")
}

// TestSeriesLayout covers the long Country Name, Country Code, Year, Value
// shape: the indicator from the request or the file's name, said in the report.
func TestSeriesLayout(t *testing.T) {
	runLayoutCases(t, []layoutCase{
		{
			name: "indicator recognised from population.csv", file: "population.csv", layout: "series", observations: 3, missing: 1,
			data: seriesCSV,
			obs: []want{
				{k: key("SP.POP.TOTL", "ARM", "", "2020"), v: 2963234},
				{k: key("SP.POP.TOTL", "ECS", "", "2019"), v: 921e6},
			},
			warnings: []string{`indicator SP.POP.TOTL recognised from the file name "population.csv"`, "1 aggregates (regions, groups) stored under their codes (ECS)"},
		},
		{
			name: "indicator taken from sp.pop.totl.csv", file: "sp.pop.totl.csv", layout: "series", observations: 3, missing: 1,
			data:     seriesCSV,
			obs:      []want{{k: key("SP.POP.TOTL", "ARM", "", "2019"), v: 2957731}},
			warnings: []string{`indicator SP.POP.TOTL taken from the file name "sp.pop.totl.csv"`},
		},
		{
			name: "indicator as requested wins over the name", file: "population.csv", indicator: "NY.GDP.MKTP.PP.CD", layout: "series", observations: 3, missing: 1,
			data:     seriesCSV,
			obs:      []want{{k: key("NY.GDP.MKTP.PP.CD", "ARM", "", "2019"), v: 2957731}},
			warnings: []string{"indicator NY.GDP.MKTP.PP.CD as requested"},
		},
		{
			name: "xlsx with the country name only", file: "SP.POP.TOTL.xlsx", layout: "series", observations: 1,
			data: func(tb testing.TB) []byte {
				return MustXLSX(tb, sheet{name: "data", rows: [][]any{{"Country", "Year", "Value"}, {"Türkiye", 2020, 83384680}}})
			},
			obs: []want{{k: key("SP.POP.TOTL", "TUR", "", "2020"), v: 83384680}},
		},
	})
}

// TestSeriesWithoutIndicator checks the located error of a file that names no
// indicator, and that a bad --indicator is refused.
func TestSeriesWithoutIndicator(t *testing.T) {
	tests := []struct{ name, indicator, msg string }{
		{"no indicator anywhere", "", "which indicator are these values?"},
		{"not a code", "pop total", `"pop total" is not an indicator code`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := MustOpenStore(t)
			rep, err := New(st, Options{}).Import(context.Background(), Request{FileName: "data.csv", Data: seriesCSV(t), Indicator: tc.indicator})
			if indicators.ErrorCode(err) != indicators.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if len(rep.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", rep.Errors)
			}
			p := rep.Errors[0]
			if p.File != "data.csv" || p.Row != 1 || p.Column != "Value" || !hasProblem(rep.Errors, tc.msg) {
				t.Errorf("error = %+v, want data.csv row 1 column Value: %q", p, tc.msg)
			}
			if rep.Layout != "series" {
				t.Errorf("layout = %q, want series", rep.Layout)
			}
		})
	}
}

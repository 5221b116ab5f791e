package indicators_test

import (
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func TestIndicatorCodeRule(t *testing.T) {
	series, err := indicators.ChartByID(indicators.ChartSeries)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		code string
		ok   bool
	}{
		{"SP.POP.TOTL", true}, {"NY.GDP.MKTP.PP.CD", true}, {"TXG_FOB_USD", true}, {"TXG_FOB_USD.HS2711", true},
		{"NATGAS_EXP_MCM", true}, {"OWID.SHARE_OF_THE_WORLD_POPULATION", true}, {"b1-ge", true},
		{strings.Repeat("A", indicators.MaxCodeLen), true},
		{"", false}, {strings.Repeat("A", indicators.MaxCodeLen+1), false}, {"A=B", false}, {"<b>", false},
		{"it's", false}, {"A B", false}, {"A,B", false}, {"A\x00", false}, {"ÄBC", false},
	} {
		err := indicators.CheckIndicatorCode(tc.code)
		if indicators.IsIndicatorCode(tc.code) != tc.ok || (err == nil) != tc.ok {
			t.Errorf("%q: IsIndicatorCode %v, CheckIndicatorCode %v; want ok=%v", tc.code, indicators.IsIndicatorCode(tc.code), err, tc.ok)
		}
		// The series chart takes exactly the codes the rule allows (an empty
		// parameter asks for its default).
		if tc.code == "" {
			continue
		}
		_, qerr := series.Query(indicators.Params{"indicator": tc.code, "countries": "ARM"})
		if (qerr == nil) != tc.ok {
			t.Errorf("%q: series chart says %v, want ok=%v", tc.code, qerr, tc.ok)
		}
	}
}

func TestVintageRule(t *testing.T) {
	for _, tc := range []struct {
		v  string
		ok bool
	}{
		{"2023-05", true}, {"WDI April 2024", true}, {"rev_2.1", true}, {"Росстат 2024", true},
		{"", false}, {"newest", false}, {"Latest", false}, {" 2023", false}, {"a  b", false},
		{"2023/05", false}, {"a,b", false}, {strings.Repeat("9", indicators.MaxVintageLen+1), false},
	} {
		if got := indicators.IsVintage(tc.v); got != tc.ok || (indicators.CheckVintage(tc.v) == nil) != tc.ok {
			t.Errorf("%q: IsVintage %v, want %v", tc.v, got, tc.ok)
		}
	}
}

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		kind indicators.Text
		s    string
		want string // "" for no error
	}{
		{indicators.DatasetName, "clout-seed", ""},
		{indicators.DatasetName, "  ", "dataset name is empty"},
		{indicators.DatasetName, "pop\x07", "U+0007"},
		{indicators.DatasetName, strings.Repeat("d", 101), "101 characters long, over the limit of 100"},
		{indicators.Unit, "million m3", ""},
		{indicators.Unit, "m3\n", "U+000A"},
		{indicators.Source, "WDI\u202Eexe", "U+202E"},
		{indicators.Source, "bad \xff utf-8", "not valid UTF-8"},
		{indicators.Note, "470 / (1 − 0.6857)\nsecond line\twith a tab", ""},
		{indicators.Note, "x\x00", "U+0000"},
		{indicators.Label, strings.Repeat("é", 200), ""},
		{indicators.Label, strings.Repeat("é", 201), "201 characters long"},
		{indicators.FileName, "API_SP.POP.TOTL_DS2_en_csv_v2.zip", ""},
	} {
		err := indicators.CheckText(tc.kind, tc.s)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %q: %v, want no error", tc.kind, tc.s, err)
		case tc.want != "" && (indicators.ErrorCode(err) != indicators.EINVALID || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %q: %v, want EINVALID saying %q", tc.kind, tc.s, err, tc.want)
		}
	}
	if got := indicators.Source.Max(); got != 1000 {
		t.Errorf("source limit %d, want 1000 (the seed's longest source is 453 characters)", got)
	}
	// A message about a huge text stays short.
	if err := indicators.CheckText(indicators.Source, strings.Repeat("s", 30<<20)); err == nil || len(err.Error()) > 200 {
		t.Errorf("30 MiB source: %d-byte message %.100q", len(err.Error()), err)
	}
	if err := indicators.CheckCell(strings.Repeat("c", indicators.MaxCellLen+1)); err == nil {
		t.Error("a cell over the spreadsheet limit passed")
	}
}

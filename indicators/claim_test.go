package indicators_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func TestParseClaimTest(t *testing.T) {
	tests := []struct {
		in   string
		want indicators.ClaimTest
		str  string
	}{
		{"<5", indicators.ClaimTest{Kind: indicators.TestLess, Threshold: 5}, "<5"},
		{" < 5 % ", indicators.ClaimTest{Kind: indicators.TestLess, Threshold: 5}, "<5"},
		{"<=5", indicators.ClaimTest{Kind: indicators.TestLessOrEqual, Threshold: 5}, "<=5"},
		{"≤ 4.5", indicators.ClaimTest{Kind: indicators.TestLessOrEqual, Threshold: 4.5}, "<=4.5"},
		{">10", indicators.ClaimTest{Kind: indicators.TestGreater, Threshold: 10}, ">10"},
		{">= 10", indicators.ClaimTest{Kind: indicators.TestGreaterOrEqual, Threshold: 10}, ">=10"},
		{"≥-3", indicators.ClaimTest{Kind: indicators.TestGreaterOrEqual, Threshold: -3}, ">=-3"},
		{"~32±2", indicators.ClaimTest{Kind: indicators.TestApprox, Threshold: 32, Tolerance: 2}, "~32±2"},
		{"≈ 69 ± 2 pp", indicators.ClaimTest{Kind: indicators.TestApprox, Threshold: 69, Tolerance: 2}, "~69±2"},
		{"~32%+-2pp", indicators.ClaimTest{Kind: indicators.TestApprox, Threshold: 32, Tolerance: 2}, "~32±2"},
		{"=~0.5+/-0.1", indicators.ClaimTest{Kind: indicators.TestApprox, Threshold: 0.5, Tolerance: 0.1}, "~0.5±0.1"},
		{"fall>=70%", indicators.ClaimTest{Kind: indicators.TestFallAtLeast, Threshold: 70}, "fall>=70%"},
		{"FALL ≥ 70", indicators.ClaimTest{Kind: indicators.TestFallAtLeast, Threshold: 70}, "fall>=70%"},
		{"fall>=~70±2%", indicators.ClaimTest{Kind: indicators.TestFallAtLeast, Threshold: 70, Tolerance: 2}, "fall>=~70±2%"},
		{"fall >= 70 ± 2", indicators.ClaimTest{Kind: indicators.TestFallAtLeast, Threshold: 70, Tolerance: 2}, "fall>=~70±2%"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := indicators.ParseClaimTest(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			if got.String() != tt.str {
				t.Errorf("String() = %q, want %q", got.String(), tt.str)
			}
			again, err := indicators.ParseClaimTest(got.String())
			if err != nil || again != got {
				t.Errorf("String() does not read back: %+v, %v", again, err)
			}
		})
	}
}

func TestParseClaimTestErrors(t *testing.T) {
	tests := []struct{ in, says string }{
		{"", "empty"},
		{"   ", "empty"},
		{"5", "start with <, <=, >, >=, ~ or fall>="},
		{"=5", "start with"},
		{"<five", `the threshold "five" is not a number`},
		{"<", `the threshold "" is not a number`},
		{"<NaN", "not a number"},
		{">inf", "not a number"},
		{"~32", "≈ needs a tolerance (~32±2)"},
		{"~32±x", `the tolerance "x" is not a number`},
		{"~32±-2", "the tolerance must be a number of 0 or more"},
		{"<5±1", "a tolerance applies only to ≈ and to a fall"},
		{"fall<70", "a fall is tested as fall>=X%"},
		{"fall~70±2", "a fall is tested as fall>=X%"},
		{"fall>=~70", "say how approximate the fall is: fall>=~70±2%"},
		{"fall>=0", "a fall is a percentage above 0 and at most 100"},
		{"fall>=120%", "a fall is a percentage above 0 and at most 100"},
		{"fall>=~5±5", "the tolerance must be smaller than the fall"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := indicators.ParseClaimTest(tt.in)
			if err == nil {
				t.Fatalf("no error")
			}
			if indicators.ErrorCode(err) != indicators.EINVALID {
				t.Errorf("code %s, want %s", indicators.ErrorCode(err), indicators.EINVALID)
			}
			msg := indicators.ErrorMessage(err)
			if !strings.Contains(msg, tt.says) || !strings.Contains(msg, `"`+tt.in+`"`) {
				t.Errorf("message %q should quote the text and say %q", msg, tt.says)
			}
		})
	}
}

func TestClaimTestWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<5", "under 5%"}, {"<=5", "at most 5%"}, {">5", "over 5%"}, {">=5", "at least 5%"},
		{"~32±2", "about 32% (±2)"}, {"fall>=70", "a fall of at least 70%"}, {"fall>=~70±2", "a fall of at least about 70% (±2)"},
	}
	for _, tt := range tests {
		ct, err := indicators.ParseClaimTest(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := ct.Words("%"); got != tt.want {
			t.Errorf("%s: Words = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseClaimPeriods(t *testing.T) {
	a, m, q := indicators.Annual, indicators.Monthly, indicators.Quarterly
	tests := []struct {
		in   string
		want indicators.ClaimPeriods
		str  string
	}{
		{"each year", indicators.ClaimPeriods{Every: []indicators.Frequency{a}}, "each year"},
		{"Monthly;  every year", indicators.ClaimPeriods{Every: []indicators.Frequency{m, a}}, "each year, each month"},
		{"each quarter", indicators.ClaimPeriods{Every: []indicators.Frequency{q}}, "each quarter"},
		{"2020-04", indicators.ClaimPeriods{Named: []indicators.Period{indicators.Month(2020, 4)}}, "2020-04"},
		{"2019, 2020", indicators.ClaimPeriods{Named: []indicators.Period{indicators.Year(2019), indicators.Year(2020)}}, "2019, 2020"},
		{"each year, from 2017, to 2024", indicators.ClaimPeriods{Every: []indicators.Frequency{a}, From: indicators.Year(2017), To: indicators.Year(2024)}, "each year, from 2017, to 2024"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := indicators.ParseClaimPeriods(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Every, tt.want.Every) || !slices.Equal(got.Named, tt.want.Named) || got.From != tt.want.From || got.To != tt.want.To {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			if got.String() != tt.str {
				t.Errorf("String() = %q, want %q", got.String(), tt.str)
			}
		})
	}
	for _, bad := range []string{"", " , ", "each decade", "from", "from 20x9", "2020-13"} {
		_, err := indicators.ParseClaimPeriods(bad)
		if err == nil || indicators.ErrorCode(err) != indicators.EINVALID || !strings.Contains(indicators.ErrorMessage(err), "periods") {
			t.Errorf("%q: error %v, want an EINVALID periods error", bad, err)
		}
	}
}

func TestClaimPeriodsIncludes(t *testing.T) {
	cp, err := indicators.ParseClaimPeriods("each month, 2021, from 2020, to 2021-06")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p    string
		want bool
	}{
		{"2020-01", true}, {"2021-06", true}, {"2021-07", false}, {"2019-12", false},
		{"2020", false},    // not chosen: only 2021 of the years
		{"2021", false},    // chosen, but it ends after 2021-06
		{"2020-Q1", false}, // no quarters
	}
	for _, tt := range tests {
		if got := cp.Includes(indicators.MustPeriod(tt.p)); got != tt.want {
			t.Errorf("Includes(%s) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if (indicators.ClaimPeriods{Every: []indicators.Frequency{indicators.Annual}}).Includes(indicators.Period{}) {
		t.Errorf("the zero period is included")
	}
}

func TestClaimPeriodsJSON(t *testing.T) {
	cp := indicators.ClaimPeriods{Every: []indicators.Frequency{indicators.Monthly, indicators.Annual}}
	b, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `"each year, each month"` {
		t.Fatalf("JSON %s", b)
	}
	var back indicators.ClaimPeriods
	if err := json.Unmarshal(b, &back); err != nil || !slices.Equal(back.Every, []indicators.Frequency{indicators.Annual, indicators.Monthly}) {
		t.Fatalf("read back %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`"each fortnight"`), &back); err == nil {
		t.Fatalf("bad periods read without error")
	}
}

func TestBuiltinClaimsAreValid(t *testing.T) {
	cs := indicators.BuiltinClaims()
	if len(cs) != 4 {
		t.Fatalf("%d built-in claims, want 4", len(cs))
	}
	if ps := indicators.ValidateClaims(cs); len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	for _, c := range cs {
		if c.Said.Title == "" || len(c.Caveats) == 0 || c.Metric.Unit != "%" {
			t.Errorf("%s: needs a source title, caveats and a unit", c.ID)
		}
	}
	cs[0].Metric.Params["partners"] = "changed"
	if indicators.BuiltinClaims()[0].Metric.Params["partners"] != "TUR,AZE" {
		t.Errorf("BuiltinClaims shares its parameter maps between calls")
	}
	if c, err := indicators.ClaimByID(cs, indicators.ClaimGasFall); err != nil || c.ID != indicators.ClaimGasFall {
		t.Errorf("ClaimByID: %v", err)
	}
	if _, err := indicators.ClaimByID(cs, "nope"); indicators.ErrorCode(err) != indicators.ENOTFOUND || !strings.Contains(indicators.ErrorMessage(err), indicators.ClaimGDPGain) {
		t.Errorf("ClaimByID(nope): %v", err)
	}
}

func TestClaimValidate(t *testing.T) {
	base := func() indicators.Claim { return indicators.BuiltinClaims()[1] } // gas: fall, monthly and annual
	tests := []struct {
		name   string
		change func(*indicators.Claim)
		want   []string // "field: message part", in order
	}{
		{"valid", func(*indicators.Claim) {}, nil},
		{"bad id", func(c *indicators.Claim) { c.ID = "Gas Fall" }, []string{"id: \"Gas Fall\" is not an id"}},
		{"double hyphen", func(c *indicators.Claim) { c.ID = "gas--fall" }, []string{"id: "}},
		{"no text", func(c *indicators.Claim) { c.Text = " " }, []string{"text: quote the statement"}},
		{"no source title", func(c *indicators.Claim) { c.Said.Title = "" }, []string{"said.title: "}},
		{"bad date", func(c *indicators.Claim) { c.Said.Date = "June 2020" }, []string{"said.date: \"June 2020\" is not a date"}},
		{"good dates", func(c *indicators.Claim) { c.Said.Date = "2020-06-15"; c.Said.URL = "https://example.org/a" }, nil},
		{"bad url", func(c *indicators.Claim) { c.Said.URL = "example.org/a" }, []string{"said.url: "}},
		{"unknown chart", func(c *indicators.Claim) { c.Metric.Chart = "pie" }, []string{"metric.chart: unknown chart \"pie\""}},
		{"wrong figure for the chart", func(c *indicators.Claim) { c.Metric.Figure = indicators.FigureBlocRatio },
			[]string{"metric.figure: \"bloc-ratio\" is not a figure of gas-exports (yoy-change)", "test: a fall is tested on a year-on-year change"}},
		{"bad chart parameter", func(c *indicators.Claim) { c.Metric.Params = indicators.Params{"destinations": "Atlantis"} }, []string{"metric.params: destinations: "}},
		{"several destinations", func(c *indicators.Claim) { c.Metric.Params = indicators.Params{"destinations": "TUR,DEU"} }, []string{"metric.params: destinations: give exactly one destination"}},
		{"bad test", func(c *indicators.Claim) { c.Test.Kind = "between" }, []string{"test: unknown test kind \"between\""}},
		{"approx without tolerance", func(c *indicators.Claim) { c.Test = indicators.ClaimTest{Kind: indicators.TestApprox, Threshold: 70} },
			[]string{"test: ≈ needs a tolerance"}},
		{"negative margin", func(c *indicators.Claim) { c.Margin = -1 }, []string{"margin: "}},
		{"no periods", func(c *indicators.Claim) { c.Periods = indicators.ClaimPeriods{} }, []string{"periods: say which periods"}},
		{"to before from", func(c *indicators.Claim) { c.Periods.From, c.Periods.To = indicators.Year(2022), indicators.Year(2020) }, []string{"periods: to 2020 is before from 2022"}},
		{"frequency the figure lacks", func(c *indicators.Claim) { c.Periods.Every = append(c.Periods.Every, indicators.Quarterly) }, []string{"periods: yoy-change has no quarterly figures"}},
		{"empty caveat", func(c *indicators.Claim) { c.Caveats = append(c.Caveats, "") }, []string{"caveats[3]: empty caveat"}},
		{"statement too long", func(c *indicators.Claim) { c.Text = strings.Repeat("a", 2001) }, []string{"text: statement"}},
		{"control character in the title", func(c *indicators.Claim) { c.Said.Title = "Gas\x00 and power" }, []string{"said.title: title \"Gas\\x00 and power\" holds the control character U+0000"}},
		{"link too long", func(c *indicators.Claim) { c.Said.URL = "https://example.org/" + strings.Repeat("a", 2000) }, []string{"said.url: link"}},
		{"caveat with a bidi override", func(c *indicators.Claim) { c.Caveats = append(c.Caveats, "see \u202enote") }, []string{"caveats[3]: note"}},
		{"every problem at once", func(c *indicators.Claim) { *c = indicators.Claim{} },
			[]string{"id: ", "text: ", "said.title: ", "metric.chart: ", "test: unknown test kind", "periods: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.change(&c)
			ps := c.Validate()
			var got []string
			for _, p := range ps {
				got = append(got, p.Field+": "+p.Message)
				if p.Claim != c.ID {
					t.Errorf("problem names claim %q, want %q", p.Claim, c.ID)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) && !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestClaimValidateBlocRatioAndPeriods(t *testing.T) {
	c := indicators.BuiltinClaims()[2]
	c.Metric.Params = indicators.Params{"bloc": "FSU-CORE"} // measure defaults to both
	c.Periods.Every = []indicators.Frequency{indicators.Monthly}
	var got []string
	for _, p := range c.Validate() {
		got = append(got, p.Field+": "+p.Message)
	}
	want := []string{"metric.params: measure: choose population or gdp-ppp for a bloc ratio", "periods: bloc-ratio has no monthly figures"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestValidateClaimsDuplicatesAndError(t *testing.T) {
	cs := indicators.BuiltinClaims()
	cs = append(cs, cs[0])
	cs[1].Text = ""
	ps := indicators.ValidateClaims(cs)
	if len(ps) != 2 || ps[0].Field != "text" || ps[1].Field != "id" || ps[1].Claim != indicators.ClaimTradeShare {
		t.Fatalf("problems %+v", ps)
	}
	err := indicators.ClaimProblemsError(ps)
	if indicators.ErrorCode(err) != indicators.EINVALID {
		t.Fatalf("error %v", err)
	}
	msg := indicators.ErrorMessage(err)
	for _, s := range []string{"2 claim problem(s)", "claim " + indicators.ClaimGasFall + ": text: quote the statement", "claim " + indicators.ClaimTradeShare + ": id: another claim has this id"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q lacks %q", msg, s)
		}
	}
	if indicators.ClaimProblemsError(nil) != nil {
		t.Errorf("no problems must give no error")
	}
}

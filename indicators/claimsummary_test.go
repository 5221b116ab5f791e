package indicators_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// builtin returns the built-in claim with the given id.
func builtin(tb testing.TB, id string) indicators.Claim {
	tb.Helper()
	c, err := indicators.ClaimByID(indicators.BuiltinClaims(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func withFlags(p indicators.MetricPoint, fs ...indicators.Flag) indicators.MetricPoint {
	p.Flags = fs
	return p
}

func missing(period string, what ...string) indicators.MetricPoint {
	p := point(period, math.NaN())
	p.Missing = what
	return p
}

// The figures of shared/reference-data (2019–2020 and 2021–2025 READMEs), as the
// claims' metrics give them: the preferred figure with the range across sources
// and vintages.
func tradePoints() []indicators.MetricPoint {
	p23 := withFlags(ranged("2023", 8.58, 8.37, 8.58), indicators.FlagDerived, indicators.FlagStatement)
	p23.AtLeast = fp(6.77)
	p24 := withFlags(point("2024", 8.7), indicators.FlagStatement)
	p24.AtLeast = fp(7.21)
	return []indicators.MetricPoint{
		ranged("2019", 4.34, 4.34, 4.41), ranged("2020", 4.14, 4.14, 4.17),
		withFlags(ranged("2021", 4.58, 4.53, 4.62), indicators.FlagDerived, indicators.FlagStatement),
		withFlags(ranged("2022", 7.80, 7.62, 8.64), indicators.FlagDerived, indicators.FlagStatement),
		p23, p24, missing("2025", "Turkey–Russia turnover"),
	}
}

func gasPoints() []indicators.MetricPoint {
	oct25 := withFlags(point("2025-10", math.NaN()), indicators.FlagDerived, indicators.FlagLowerBound)
	oct25.AtMost = fp(-4.8)
	return []indicators.MetricPoint{
		ranged("2020-03", -72.16, -85.19, -72.16), withFlags(point("2020-04", -68.57), indicators.FlagDerived),
		point("2020-05", -62), point("2021-03", 563), point("2021-12", -30), point("2022-07", -37.2),
		withFlags(point("2022-12", -1), indicators.FlagDerived), point("2023-03", -48.2), point("2023-04", -8.49),
		withFlags(point("2024-04", -76), indicators.FlagDerived), oct25,
		point("2019", -35.3), point("2020", 6.5), point("2021", 62.8), point("2022", -18.1), point("2023", -1.1),
		withFlags(point("2024", -14.4), indicators.FlagDerived, indicators.FlagEstimate),
	}
}

func gdpPoints() []indicators.MetricPoint {
	return []indicators.MetricPoint{
		ranged("2019", 32.49, 30.6, 32.49), point("2020", 32.59), point("2021", 30.60), point("2022", 32.05),
		point("2023", 32.34), point("2024", 32.62), missing("2025", "GDP PPP of Russia and every member"),
	}
}

func popPoints() []indicators.MetricPoint {
	return []indicators.MetricPoint{
		point("2019", 68.87), point("2020", 69.93), point("2021", 71.09), point("2022", 72.26),
		point("2023", 73.42), ranged("2024", 74.50, 74.50, 74.57), point("2025", 75.55),
	}
}

func verdictsString(vs []indicators.PeriodVerdict) string {
	var s []string
	for _, v := range vs {
		s = append(s, v.Period.String()+" "+string(v.Verdict))
	}
	return strings.Join(s, ", ")
}

// TestBuiltinClaimsOnReferenceFigures is what the dashboard must show on the seed.
func TestBuiltinClaimsOnReferenceFigures(t *testing.T) {
	tests := []struct {
		id       string
		points   []indicators.MetricPoint
		verdicts string
		summary  string
		current  indicators.CurrentVerdict
	}{
		{indicators.ClaimTradeShare, tradePoints(),
			"2019 holds, 2020 holds, 2021 holds, 2022 fails, 2023 fails, 2024 fails, 2025 untestable",
			"held 2019–2021; fails since 2022 under every source; untestable 2025 (missing: Turkey–Russia turnover)",
			indicators.CurrentVerdict{Verdict: fails, Period: indicators.Year(2024), Since: indicators.Year(2022)}},
		{indicators.ClaimGasFall, gasPoints(),
			"2019 fails, 2020 fails, 2020-03 holds, 2020-04 holds, 2020-05 fails, 2021 fails, 2021-03 fails, 2021-12 fails, " +
				"2022 fails, 2022-07 fails, 2022-12 fails, 2023 fails, 2023-03 fails, 2023-04 fails, 2024 fails, 2024-04 holds, 2025-10 untestable",
			"holds for single months only (2020-03, 2020-04, 2024-04); fails for every full year; untestable 2025-10 (only a bound)",
			indicators.CurrentVerdict{Verdict: fails, Period: indicators.Year(2024), Since: indicators.Year(2019)}},
		{indicators.ClaimGDPGain, gdpPoints(),
			"2019 holds, 2020 holds, 2021 holds, 2022 holds, 2023 holds, 2024 holds, 2025 untestable",
			"holds in every year with figures (2019–2024) under every source; untestable 2025 (missing: GDP PPP of Russia and every member)",
			indicators.CurrentVerdict{Verdict: holds, Period: indicators.Year(2024), Since: indicators.Year(2019)}},
		{indicators.ClaimPopGain, popPoints(),
			"2019 holds, 2020 holds, 2021 borderline, 2022 fails, 2023 fails, 2024 fails, 2025 fails",
			"held 2019–2020; borderline in 2021; fails since 2022 under every source",
			indicators.CurrentVerdict{Verdict: fails, Period: indicators.Year(2025), Since: indicators.Year(2022)}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c := builtin(t, tt.id)
			vs := indicators.Judge(c, tt.points)
			if got := verdictsString(vs); got != tt.verdicts {
				t.Fatalf("verdicts\n got %s\nwant %s", got, tt.verdicts)
			}
			if got := indicators.Summarize(c, vs); got != tt.summary {
				t.Errorf("summary\n got %q\nwant %q", got, tt.summary)
			}
			if got := indicators.Current(vs); got != tt.current {
				t.Errorf("current %+v, want %+v", got, tt.current)
			}
		})
	}
}

func TestReferenceVerdictsCarryFlagsAndReasons(t *testing.T) {
	vs := indicators.Judge(builtin(t, indicators.ClaimGasFall), gasPoints())
	apr := vs[slices.IndexFunc(vs, func(v indicators.PeriodVerdict) bool { return v.Period == indicators.Month(2020, 4) })]
	if !apr.HasFlag(indicators.FlagDerived) || apr.Reason != "−68.57%: a fall of at least about 70% (±2)" {
		t.Errorf("April 2020: flags %v, reason %q", apr.Flags, apr.Reason)
	}
	vs = indicators.Judge(builtin(t, indicators.ClaimTradeShare), tradePoints())
	y24 := vs[5]
	if y24.Period != indicators.Year(2024) || !y24.HasFlag(indicators.FlagLowerBound) || !y24.HasFlag(indicators.FlagStatement) {
		t.Errorf("2024: %+v", y24)
	}
	if y22 := vs[3]; y22.Reason != "7.62–8.64% across sources: not under 5%, under every source" {
		t.Errorf("2022 reason %q", y22.Reason)
	}
}

func TestSummarize(t *testing.T) {
	annual := testClaim(less, 0.25)
	mixed := testClaim(fall, 2)
	withSplit := ranged("2022", 5, 4.6, 5.6)
	tests := []struct {
		name   string
		claim  indicators.Claim
		points []indicators.MetricPoint
		want   string
	}{
		{"nothing judged", annual, nil, "not judged: no figures for the periods it is judged on"},
		{"one verdict throughout", annual, []indicators.MetricPoint{point("2017", 4), point("2018", 4.2)},
			"holds in every year with figures (2017–2018)"},
		{"one year", annual, []indicators.MetricPoint{point("2017", 6)}, "fails in every year with figures (2017)"},
		{"gap in the years", annual, []indicators.MetricPoint{point("2015", 4), point("2016", 4), point("2018", 4), point("2019", 6)},
			"held 2015–2016, 2018; fails since 2019"},
		{"untestable inside a run does not break it", annual,
			[]indicators.MetricPoint{point("2017", 4), missing("2018", "Azerbaijan"), point("2019", 4), point("2020", 6), point("2021", 6.1)},
			"held 2017, 2019; fails since 2020; untestable 2018 (missing: Azerbaijan)"},
		{"back and forth", annual, []indicators.MetricPoint{point("2017", 6), point("2018", 4), point("2019", 5.1), point("2020", 4)},
			"failed 2017; held 2018; borderline in 2019; holds since 2020"},
		{"sources disagree now", annual, []indicators.MetricPoint{point("2021", 4), withSplit},
			"held 2021; borderline since 2022 (sources disagree)"},
		{"all untestable", annual, []indicators.MetricPoint{missing("2024"), missing("2025", "Turkey", "Russia's total")},
			"untestable 2024–2025 (missing: Turkey, Russia's total)"},
		{"untestable without names", annual, []indicators.MetricPoint{point("2019", 4), missing("2020")},
			"holds in every year with figures (2019); untestable 2020 (no figures)"},
		{"months and years, months hold", mixed, []indicators.MetricPoint{point("2020-04", -75), point("2020-05", -67), point("2020-06", -10), point("2020", -20), point("2021", 5)},
			"holds for single months only (2020-04); borderline in 2020-05; fails for every full year"},
		{"months hold, a year missing", mixed, []indicators.MetricPoint{point("2020-04", -75), point("2020", -20), missing("2021", "2020 base")},
			"holds for single months only (2020-04); fails for every full year with figures; untestable 2021 (missing: 2020 base)"},
		{"months and years both hold somewhere", mixed, []indicators.MetricPoint{point("2020-04", -75), point("2020-05", -10), point("2019", -80), point("2020", -20)},
			"years: held 2019; fails since 2020; months: held 2020-04; fails since 2020-05"},
		{"monthly only", testClaimEvery(fall, 2, indicators.Monthly), []indicators.MetricPoint{point("2020-03", -80), point("2020-04", -75), point("2020-06", -5)},
			"held 2020-03, 2020-04; fails since 2020-06"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := indicators.Summarize(tt.claim, indicators.Judge(tt.claim, tt.points))
			if got != tt.want {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func testClaimEvery(tt indicators.ClaimTest, margin float64, fs ...indicators.Frequency) indicators.Claim {
	c := testClaim(tt, margin)
	c.Periods = indicators.ClaimPeriods{Every: fs}
	return c
}

func TestCurrent(t *testing.T) {
	c := testClaim(less, 0.25)
	tests := []struct {
		name   string
		points []indicators.MetricPoint
		want   indicators.CurrentVerdict
	}{
		{"nothing", nil, indicators.CurrentVerdict{Verdict: untestable}},
		{"only untestable", []indicators.MetricPoint{missing("2025")}, indicators.CurrentVerdict{Verdict: untestable}},
		{"latest testable, not the latest period", []indicators.MetricPoint{point("2021", 4), point("2022", 7), point("2023", 8), missing("2025")},
			indicators.CurrentVerdict{Verdict: fails, Period: indicators.Year(2023), Since: indicators.Year(2022)}},
		{"an untestable year does not break the run", []indicators.MetricPoint{point("2020", 7), point("2021", 4), missing("2022"), point("2023", 4)},
			indicators.CurrentVerdict{Verdict: holds, Period: indicators.Year(2023), Since: indicators.Year(2021)}},
		{"split now", []indicators.MetricPoint{point("2021", 4), ranged("2022", 5, 4.6, 5.6)},
			indicators.CurrentVerdict{Verdict: borderline, Split: true, Period: indicators.Year(2022), Since: indicators.Year(2022)}},
		{"years outrank later months", []indicators.MetricPoint{point("2023", 7), point("2024", 6), point("2024-04", 1), point("2025-10", 2)},
			indicators.CurrentVerdict{Verdict: fails, Period: indicators.Year(2024), Since: indicators.Year(2023)}},
		{"months when no year is testable", []indicators.MetricPoint{missing("2024"), point("2024-03", 6), point("2024-04", 1), point("2024-05", 2)},
			indicators.CurrentVerdict{Verdict: holds, Period: indicators.Month(2024, 5), Since: indicators.Month(2024, 4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := indicators.Current(indicators.Judge(c, tt.points)); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDiffVerdicts(t *testing.T) {
	c := testClaim(less, 0.25)
	judge := func(ps ...indicators.MetricPoint) []indicators.PeriodVerdict { return indicators.Judge(c, ps) }
	old := judge(point("2020", 4), point("2021", 4.6), point("2022", 7.8), missing("2023", "Turkey"), point("2024", 8))
	tests := []struct {
		name string
		new  []indicators.PeriodVerdict
		want string
	}{
		{"same verdicts, other figures", judge(point("2020", 4.1), point("2021", 4.9), ranged("2022", 7.6, 7.6, 8.6), missing("2023"), point("2024", 9)), ""},
		{"a figure flips a year", judge(point("2020", 4), point("2021", 5.1), point("2022", 7.8), missing("2023", "Turkey"), point("2024", 8)), "2021 holds→borderline"},
		{"a missing figure arrives, another year goes",
			judge(point("2020", 4), point("2021", 4.6), point("2022", 7.8), point("2023", 8.5), point("2024", 8), point("2025", 4.9)),
			"2023 untestable→fails, 2025 →holds"},
		{"rollback removes years", judge(point("2020", 4), point("2021", 4.6)), "2022 fails→, 2023 untestable→, 2024 fails→"},
		{"every period removed", nil, "2020 holds→, 2021 holds→, 2022 fails→, 2023 untestable→, 2024 fails→"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, ch := range indicators.DiffVerdicts(old, tt.new) {
				got = append(got, ch.Period.String()+" "+string(ch.Old)+"→"+string(ch.New))
			}
			if s := strings.Join(got, ", "); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
	if chs := indicators.DiffVerdicts(nil, old); len(chs) != 5 || chs[0].Old != "" || chs[0].New != holds {
		t.Errorf("from nothing: %+v", chs)
	}
}

// A summary names a few missing inputs and counts the rest.
func TestSummarize_manyMissing(t *testing.T) {
	c := indicators.BuiltinClaims()[0]
	var ps []indicators.MetricPoint
	for y := 2010; y < 2016; y++ {
		ps = append(ps, indicators.MetricPoint{Period: indicators.Year(y), Missing: []string{fmt.Sprintf("figure %d", y)}})
	}
	got := indicators.Summarize(c, indicators.Judge(c, ps))
	want := "untestable 2010–2015 (missing: figure 2010, figure 2011, figure 2012, and 3 more)"
	if !strings.HasSuffix(got, want) {
		t.Errorf("Summarize = %q, want it to end %q", got, want)
	}
}

// Many separate untestable periods are counted, not listed: the table names them.
func TestSummarize_manyUntestableRuns(t *testing.T) {
	c := indicators.BuiltinClaims()[0]
	var ps []indicators.MetricPoint
	four := 4.0
	for y := 2010; y < 2020; y++ {
		if y%2 == 0 {
			ps = append(ps, indicators.MetricPoint{Period: indicators.Year(y), Missing: []string{fmt.Sprintf("figure %d", y)}})
		} else {
			ps = append(ps, indicators.MetricPoint{Period: indicators.Year(y), Value: &four})
		}
	}
	got := indicators.Summarize(c, indicators.Judge(c, ps))
	if want := "untestable in 5 years with figures missing"; !strings.HasSuffix(got, want) {
		t.Errorf("Summarize = %q, want it to end %q", got, want)
	}
}

package indicators_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// fp returns a pointer to v, for optional figures.
func fp(v float64) *float64 { return &v }

// point is a metric point with one figure (NaN: none) in period.
func point(period string, v float64) indicators.MetricPoint {
	p := indicators.MetricPoint{Period: indicators.MustPeriod(period)}
	if !math.IsNaN(v) {
		p.Value = fp(v)
	}
	return p
}

// ranged is a point whose figures run from lo to hi across sources, v preferred.
func ranged(period string, v, lo, hi float64) indicators.MetricPoint {
	p := point(period, v)
	p.Low, p.High = fp(lo), fp(hi)
	return p
}

// testClaim is a valid annual claim with the given test and margin.
func testClaim(tt indicators.ClaimTest, margin float64) indicators.Claim {
	c := indicators.BuiltinClaims()[0]
	c.Test, c.Margin = tt, margin
	c.Periods = indicators.ClaimPeriods{Every: []indicators.Frequency{indicators.Annual, indicators.Monthly}}
	return c
}

// judgeOne judges a single point and fails the test unless there is one verdict.
func judgeOne(tb testing.TB, c indicators.Claim, p indicators.MetricPoint) indicators.PeriodVerdict {
	tb.Helper()
	vs := indicators.Judge(c, []indicators.MetricPoint{p})
	if len(vs) != 1 {
		tb.Fatalf("Judge gave %d verdicts, want 1", len(vs))
	}
	return vs[0]
}

var (
	less     = indicators.ClaimTest{Kind: indicators.TestLess, Threshold: 5}
	lessEq   = indicators.ClaimTest{Kind: indicators.TestLessOrEqual, Threshold: 5}
	greater  = indicators.ClaimTest{Kind: indicators.TestGreater, Threshold: 10}
	greaterE = indicators.ClaimTest{Kind: indicators.TestGreaterOrEqual, Threshold: 10}
	approx   = indicators.ClaimTest{Kind: indicators.TestApprox, Threshold: 32, Tolerance: 2}
	fall     = indicators.ClaimTest{Kind: indicators.TestFallAtLeast, Threshold: 70, Tolerance: 2}
	fallHard = indicators.ClaimTest{Kind: indicators.TestFallAtLeast, Threshold: 70}
)

const (
	holds      = indicators.VerdictHolds
	fails      = indicators.VerdictFails
	borderline = indicators.VerdictBorderline
	untestable = indicators.VerdictUntestable
)

func TestJudgeEachTestKindAndItsEdges(t *testing.T) {
	tests := []struct {
		name   string
		test   indicators.ClaimTest
		margin float64
		value  float64
		want   indicators.Verdict
	}{
		{"less: well under", less, 0.25, 4.1, holds},
		{"less: just under", less, 0.25, 4.99, holds},
		{"less: exactly at the threshold is not under it", less, 0.25, 5, borderline},
		{"less: exactly at the threshold, sharp line", less, 0, 5, fails},
		{"less: inside the band", less, 0.25, 5.1, borderline},
		{"less: at the band's edge", less, 0.25, 5.25, borderline},
		{"less: just outside the band", less, 0.25, 5.26, fails},
		{"less: far over", less, 0.25, 7.6, fails},
		{"less or equal: exactly at the threshold", lessEq, 0.25, 5, holds},
		{"less or equal: just over", lessEq, 0.25, 5.01, borderline},
		{"less or equal: just over, sharp line", lessEq, 0, 5.01, fails},
		{"greater: well over", greater, 1, 12, holds},
		{"greater: exactly at the threshold", greater, 1, 10, borderline},
		{"greater: band's edge", greater, 1, 9, borderline},
		{"greater: just outside the band", greater, 1, 8.99, fails},
		{"greater or equal: exactly at the threshold", greaterE, 1, 10, holds},
		{"greater or equal: just under", greaterE, 0, 9.99, fails},
		{"approx: on target", approx, 0.5, 32, holds},
		{"approx: at the lower edge of the tolerance", approx, 0.5, 30, holds},
		{"approx: at the upper edge of the tolerance", approx, 0.5, 34, holds},
		{"approx: just outside the tolerance", approx, 0.5, 34.01, borderline},
		{"approx: at the band's edge below", approx, 0.5, 29.5, borderline},
		{"approx: just outside the band above", approx, 0.5, 34.51, fails},
		{"approx: just outside the tolerance, no band", approx, 0, 29.99, fails},
		{"approx: population 2021 (71.09 vs ~69±2)", indicators.ClaimTest{Kind: indicators.TestApprox, Threshold: 69, Tolerance: 2}, 0.5, 71.09, borderline},
		{"approx: population 2022 (72.26 vs ~69±2)", indicators.ClaimTest{Kind: indicators.TestApprox, Threshold: 69, Tolerance: 2}, 0.5, 72.26, fails},
		{"fall: bigger fall", fall, 2, -85.2, holds},
		{"fall: April 2020, −68.6 is about 70", fall, 2, -68.6, holds},
		{"fall: exactly at the tolerance's edge", fall, 2, -68, holds},
		{"fall: just short of it", fall, 2, -67.99, borderline},
		{"fall: band's edge", fall, 2, -66, borderline},
		{"fall: just outside the band", fall, 2, -65.99, fails},
		{"fall: a rise", fall, 2, 62.8, fails},
		{"fall: no change", fall, 2, 0, fails},
		{"fall without tolerance: exactly 70", fallHard, 0, -70, holds},
		{"fall without tolerance: 69.9", fallHard, 0, -69.9, fails},
		{"edge computed in floating point counts as on it", indicators.ClaimTest{Kind: indicators.TestLessOrEqual, Threshold: 0.3}, 0, 0.1 + 0.2, holds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judgeOne(t, testClaim(tt.test, tt.margin), point("2020", tt.value))
			if v.Verdict != tt.want {
				t.Fatalf("verdict %s, want %s (%s)", v.Verdict, tt.want, v.Reason)
			}
			if v.Split {
				t.Errorf("a single figure is never split")
			}
		})
	}
}

func TestJudgeRangesAcrossSources(t *testing.T) {
	tests := []struct {
		name      string
		test      indicators.ClaimTest
		margin    float64
		p         indicators.MetricPoint
		want      indicators.Verdict
		split     bool
		reasonHas string
	}{
		{"every source under the line", less, 0.25, ranged("2021", 4.58, 4.53, 4.62), holds, false, "under every source"},
		{"every source over the line", less, 0.25, ranged("2022", 7.8, 7.62, 8.64), fails, false, "7.62–8.64% across sources: not under 5%, under every source"},
		{"straddles the line", less, 0.25, ranged("2022", 4.9, 4.6, 5.6), borderline, true, "holds under some sources, fails under others"},
		{"holds or within the band", less, 0.25, ranged("2022", 4.9, 4.8, 5.1), borderline, true, "holds under some sources, is borderline under others"},
		{"within the band or beyond", less, 0.25, ranged("2022", 5.2, 5.1, 5.4), borderline, true, "borderline under some sources, fails under others"},
		{"low and high only, no preferred figure", less, 0, indicators.MetricPoint{Period: indicators.Year(2022), Low: fp(4), High: fp(6)}, borderline, true, ""},
		{"approx: both ends outside, on opposite sides", approx, 0.5, ranged("2019", 32, 25, 40), borderline, true, "holds under some sources, fails under others"},
		{"approx: both ends inside", approx, 0.5, ranged("2019", 32.49, 30.6, 32.49), holds, false, "under every source"},
		{"approx: one vintage outside the tolerance", approx, 0.5, ranged("2020", 32.59, 28.4, 32.59), borderline, true, ""},
		{"fall: every source falls far enough", fall, 2, ranged("2020-03", -72.16, -85.19, -72.16), holds, false, "under every source"},
		{"fall: sources disagree", fall, 2, ranged("2020-05", -62, -62, -69), borderline, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judgeOne(t, testClaim(tt.test, tt.margin), tt.p)
			if v.Verdict != tt.want || v.Split != tt.split {
				t.Fatalf("verdict %s split %v, want %s split %v (%s)", v.Verdict, v.Split, tt.want, tt.split, v.Reason)
			}
			if !strings.Contains(v.Reason, tt.reasonHas) {
				t.Errorf("reason %q does not say %q", v.Reason, tt.reasonHas)
			}
		})
	}
}

func TestJudgeBoundsAndMissingFigures(t *testing.T) {
	atLeast := func(period string, v float64) indicators.MetricPoint {
		p := point(period, math.NaN())
		p.AtLeast = fp(v)
		return p
	}
	atMost := func(period string, v float64) indicators.MetricPoint {
		p := point(period, math.NaN())
		p.AtMost = fp(v)
		return p
	}
	with := func(p indicators.MetricPoint, f func(*indicators.MetricPoint)) indicators.MetricPoint {
		f(&p)
		return p
	}
	tests := []struct {
		name      string
		test      indicators.ClaimTest
		margin    float64
		p         indicators.MetricPoint
		want      indicators.Verdict
		split     bool
		reasonHas string
	}{
		{"lower bound already over a < line: confident fail", less, 0.25, atLeast("2024", 7.21), fails, false, "at least 7.21%: not under 5%"},
		{"lower bound under a < line: cannot tell", less, 0.25, atLeast("2024", 4.2), untestable, false, "a bound only"},
		{"lower bound inside the band: at best borderline", less, 0.25, atLeast("2024", 5.1), borderline, false, "just outside"},
		{"lower bound over a > line: confident hold", greater, 1, atLeast("2024", 12), holds, false, ""},
		{"lower bound inside an approx: cannot tell", approx, 0.5, atLeast("2024", 31), untestable, false, ""},
		{"upper bound on a change: a fall of at least 4.8% cannot show 70%", fall, 2, atMost("2025-10", -4.8), untestable, false, "at most −4.8%"},
		{"upper bound on a change that is a big fall already", fall, 2, atMost("2025-10", -75), holds, false, ""},
		{"both bounds decide", less, 0, with(atLeast("2024", 1), func(p *indicators.MetricPoint) { p.AtMost = fp(3) }), holds, false, "at least 1%; at most 3%"},
		{"a bound that agrees with the figures changes nothing", less, 0.25,
			with(ranged("2023", 8.58, 8.37, 8.58), func(p *indicators.MetricPoint) { p.AtLeast = fp(6.77) }), fails, false, "under every source"},
		{"a bound under the line next to figures over it: still fails (it agrees)", less, 0.25,
			with(point("2023", 8.58), func(p *indicators.MetricPoint) { p.AtLeast = fp(4.2) }), fails, false, ""},
		{"a bound above every figure widens the range: sources disagree", less, 0.25,
			with(point("2023", 4.5), func(p *indicators.MetricPoint) { p.AtLeast = fp(6) }), borderline, true, "holds under some sources, fails under others"},
		{"no figure: untestable, naming what is missing", less, 0.25,
			with(point("2025", math.NaN()), func(p *indicators.MetricPoint) { p.Missing = []string{"Turkey–Russia turnover"} }), untestable, false, "no figure; missing: Turkey–Russia turnover"},
		{"NaN counts as no figure", less, 0.25, point("2025", math.NaN()), untestable, false, "no figure"},
		{"a figure with some inputs missing is still judged", less, 0.25,
			with(point("2021", 4.58), func(p *indicators.MetricPoint) { p.Missing = []string{"other partners"} }), holds, false, "missing: other partners"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judgeOne(t, testClaim(tt.test, tt.margin), tt.p)
			if v.Verdict != tt.want || v.Split != tt.split {
				t.Fatalf("verdict %s split %v, want %s split %v (%s)", v.Verdict, v.Split, tt.want, tt.split, v.Reason)
			}
			if !strings.Contains(v.Reason, tt.reasonHas) {
				t.Errorf("reason %q does not say %q", v.Reason, tt.reasonHas)
			}
		})
	}
}

func TestJudgeFlags(t *testing.T) {
	p := point("2024", 8.7)
	p.AtLeast = fp(7.21)
	p.Flags = []indicators.Flag{indicators.FlagStatement, indicators.FlagDerived, indicators.FlagStatement}
	v := judgeOne(t, testClaim(less, 0.25), p)
	want := []indicators.Flag{indicators.FlagDerived, indicators.FlagLowerBound, indicators.FlagStatement}
	if !slices.Equal(v.Flags, want) {
		t.Fatalf("flags %v, want %v (display order, deduplicated, lower bound added for AtLeast)", v.Flags, want)
	}
	for _, f := range want {
		if !v.HasFlag(f) {
			t.Errorf("HasFlag(%s) = false", f)
		}
	}
	if v.HasFlag(indicators.FlagEstimate) {
		t.Errorf("HasFlag(estimate) = true")
	}
	if v.Verdict != fails {
		t.Errorf("flags must not change the verdict: %s", v.Verdict)
	}
	if len(p.Flags) != 3 {
		t.Errorf("Judge changed the caller's flags: %v", p.Flags)
	}
}

func TestJudgePeriods(t *testing.T) {
	c := testClaim(less, 0.25)
	c.Periods = indicators.ClaimPeriods{Every: []indicators.Frequency{indicators.Annual}, From: indicators.Year(2018), To: indicators.Year(2023)}
	pts := []indicators.MetricPoint{
		point("2022", 7.8), point("2017", 4.1), point("2019", 4.3), point("2019", 9.9),
		point("2020-04", 4.2), point("2024", 8.7), point("2018", 4.6),
	}
	vs := indicators.Judge(c, pts)
	var got []string
	for _, v := range vs {
		got = append(got, v.Period.String()+" "+string(v.Verdict))
	}
	want := []string{"2018 holds", "2019 holds", "2022 fails"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v (in order, years 2018–2023 only, first point of a period)", got, want)
	}

	c.Periods = indicators.ClaimPeriods{Named: []indicators.Period{indicators.Month(2020, 4)}}
	vs = indicators.Judge(c, pts)
	if len(vs) != 1 || vs[0].Period != indicators.Month(2020, 4) {
		t.Fatalf("named period: got %+v", vs)
	}
	if vs := indicators.Judge(c, nil); len(vs) != 0 {
		t.Fatalf("no points: %d verdicts", len(vs))
	}
}

func TestJudgeMonthlyAndAnnualApart(t *testing.T) {
	c := testClaim(fall, 2)
	c.Periods = indicators.ClaimPeriods{Every: []indicators.Frequency{indicators.Monthly}}
	vs := indicators.Judge(c, []indicators.MetricPoint{point("2020", 6.5), point("2020-04", -68.6), point("2020-Q2", -50)})
	if len(vs) != 1 || vs[0].Period.String() != "2020-04" || vs[0].Verdict != holds {
		t.Fatalf("monthly only: %+v", vs)
	}
	c.Periods.Every = []indicators.Frequency{indicators.Annual}
	vs = indicators.Judge(c, []indicators.MetricPoint{point("2020", 6.5), point("2020-04", -68.6)})
	if len(vs) != 1 || vs[0].Period.String() != "2020" || vs[0].Verdict != fails {
		t.Fatalf("annual only: %+v", vs)
	}
}

func TestJudgeInvalidTestIsUntestable(t *testing.T) {
	v := judgeOne(t, testClaim(indicators.ClaimTest{Kind: "between", Threshold: 1}, 0), point("2020", 4))
	if v.Verdict != untestable || !strings.Contains(v.Reason, "not valid") {
		t.Fatalf("verdict %s (%s)", v.Verdict, v.Reason)
	}
}

package indicators

import (
	"math"
	"slices"
	"strings"
)

// Verdict is what the figures of one period say about a claim.
type Verdict string

// Verdicts. Borderline covers both a figure just past the claim's line (within
// the claim's Margin) and figures from alternative sources that disagree on the
// verdict (PeriodVerdict.Split): in either case the data do not settle it.
const (
	VerdictHolds      Verdict = "holds"
	VerdictFails      Verdict = "fails"
	VerdictBorderline Verdict = "borderline"
	VerdictUntestable Verdict = "untestable"
)

// Testable reports whether v is a verdict on figures (not VerdictUntestable or
// the empty "not judged").
func (v Verdict) Testable() bool {
	return v == VerdictHolds || v == VerdictFails || v == VerdictBorderline
}

// MetricPoint is a claim's metric in one period, as the metric's chart
// computation gives it: the preferred figure, the range across alternative
// sources and vintages, and the bounds that sources give instead of a figure.
//
// Value, Low and High are figures ("7.8"); AtLeast and AtMost are bounds ("more
// than 7.2": the metric is 7.2 or more, nothing bounds it above). A bound that
// agrees with the figures adds nothing to the verdict; one that contradicts them
// widens the range to that side without limit; a bound alone decides the verdict
// only when every value it allows gives the same one.
//
// Flags are the flags of the inputs (derived, lower bound, statement, estimate):
// they are carried into the verdict for readers and do not change it. Missing
// names the inputs with no figure ("Turkey–Russia turnover 2025"); a point with
// figures is judged even when some inputs are missing (the metric's computation
// decides whether they matter) and Missing is shown with the verdict.
type MetricPoint struct {
	Period  Period   `json:"period"`
	Value   *float64 `json:"value"`
	Low     *float64 `json:"low,omitempty"`
	High    *float64 `json:"high,omitempty"`
	AtLeast *float64 `json:"at_least,omitempty"`
	AtMost  *float64 `json:"at_most,omitempty"`
	Sources []string `json:"sources"`
	Flags   []Flag   `json:"flags"`
	Missing []string `json:"missing"`
	// Notes say what flagged inputs rest on ("derived from the published April
	// 2020 change") and where vintages disagree; they never change the verdict.
	Notes []string `json:"notes,omitempty"`
}

// PeriodVerdict is a claim's verdict in one period with the figures it rests on.
// Split says that alternative sources disagree on the verdict (some hold, others
// fail or are borderline); the Verdict is then VerdictBorderline, since no
// source can be preferred on the figures alone. Reason says it in words.
type PeriodVerdict struct {
	MetricPoint
	Verdict Verdict `json:"verdict"`
	Split   bool    `json:"split"`
	Reason  string  `json:"reason"`
}

// HasFlag reports whether any input of the period carries f.
func (v PeriodVerdict) HasFlag(f Flag) bool { return slices.Contains(v.Flags, f) }

// RangeAcrossSources reports whether alternative sources or vintages give the
// period different figures.
func (v PeriodVerdict) RangeAcrossSources() bool {
	lo, hi, exact, ok := v.interval()
	return ok && exact && lo != hi
}

// Judge gives the claim's verdict in every period of points that the claim is
// judged on (Claim.Periods), in period order; points of other periods are left
// out, and of two points for one period the first is used. Judge expects a
// claim that passed Validate.
func Judge(c Claim, points []MetricPoint) []PeriodVerdict {
	ps := slices.DeleteFunc(slices.Clone(points), func(p MetricPoint) bool { return !c.Periods.Includes(p.Period) })
	slices.SortStableFunc(ps, func(a, b MetricPoint) int { return a.Period.Compare(b.Period) })
	ps = slices.CompactFunc(ps, func(a, b MetricPoint) bool { return a.Period == b.Period })
	out := make([]PeriodVerdict, len(ps))
	for i, p := range ps {
		out[i] = c.judge(p)
	}
	return out
}

func (c Claim) judge(p MetricPoint) PeriodVerdict {
	v := PeriodVerdict{MetricPoint: p}
	v.Flags = pointFlags(p)
	lo, hi, exact, ok := p.interval()
	if !ok {
		v.Verdict, v.Reason = VerdictUntestable, "no figure"+missingWords(p.Missing)
		return v
	}
	seen := c.verdictsOver(lo, hi)
	if len(seen) == 0 {
		v.Verdict, v.Reason = VerdictUntestable, "the claim's test is not valid ("+string(c.Test.Kind)+")"
		return v
	}
	both := slices.Contains(seen, VerdictHolds) && slices.Contains(seen, VerdictFails)
	switch {
	case len(seen) == 1:
		v.Verdict = seen[0]
	case !exact && both:
		v.Verdict = VerdictUntestable
	default:
		v.Verdict, v.Split = VerdictBorderline, exact
	}
	v.Reason = c.reason(v, seen)
	return v
}

// interval is the range of values the point allows: its figures, widened by a
// bound that contradicts them, or the bounds alone. exact says whether any
// figure is known; ok is false when the point has neither figures nor bounds.
func (p MetricPoint) interval() (lo, hi float64, exact, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, f := range []*float64{p.Value, p.Low, p.High} {
		if f != nil && !math.IsNaN(*f) {
			lo, hi, exact = min(lo, *f), max(hi, *f), true
		}
	}
	least, most := finite(p.AtLeast), finite(p.AtMost)
	if !exact && least == nil && most == nil {
		return 0, 0, false, false
	}
	if !exact {
		lo, hi = math.Inf(-1), math.Inf(1)
		if least != nil {
			lo = *least
		}
		if most != nil {
			hi = *most
		}
		return min(lo, hi), max(lo, hi), false, true
	}
	if least != nil && *least > hi {
		hi = math.Inf(1)
	}
	if most != nil && *most < lo {
		lo = math.Inf(-1)
	}
	return lo, hi, true, true
}

func finite(f *float64) *float64 {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
		return nil
	}
	return f
}

// pointFlags are the point's flags in display order, with lower_bound added
// when a source gives only a lower bound.
func pointFlags(p MetricPoint) []Flag {
	fs := slices.Clone(p.Flags)
	if p.AtLeast != nil {
		fs = append(fs, FlagLowerBound)
	}
	slices.SortFunc(fs, func(a, b Flag) int { return flagRank(a) - flagRank(b) })
	return slices.Compact(fs)
}

func flagRank(f Flag) int {
	if i := slices.Index(allFlags, f); i >= 0 {
		return i
	}
	return len(allFlags)
}

// verdictsOver returns the distinct verdicts of the values in [lo, hi], in the
// order holds, borderline, fails. The verdict regions are intervals, so the
// ends of the range and the region edges inside it meet every region it spans.
func (c Claim) verdictsOver(lo, hi float64) []Verdict {
	xs := []float64{lo, hi}
	for _, b := range c.edges() {
		if lo <= b && b <= hi {
			xs = append(xs, b)
		}
	}
	var seen []Verdict
	for _, v := range []Verdict{VerdictHolds, VerdictBorderline, VerdictFails} {
		if slices.ContainsFunc(xs, func(x float64) bool { return c.verdictAt(x) == v }) {
			seen = append(seen, v)
		}
	}
	return seen
}

// excess is how far x lies past the claim's line, toward failing, in the
// metric's units (negative: inside it). strict says whether a figure exactly on
// the line misses it ("< 5" and 5.0).
func (c Claim) excess(x float64) (e float64, strict bool) {
	t := c.Test
	switch t.Kind {
	case TestLess:
		return x - t.Threshold, true
	case TestLessOrEqual:
		return x - t.Threshold, false
	case TestGreater:
		return t.Threshold - x, true
	case TestGreaterOrEqual:
		return t.Threshold - x, false
	case TestApprox:
		return math.Abs(x-t.Threshold) - t.Tolerance, false
	case TestFallAtLeast: // x is the change in %: a fall of 68.6% is −68.6
		return t.Threshold - t.Tolerance + x, false
	}
	return math.NaN(), false
}

// verdictAt judges a single value: inside the line it holds; past it by no more
// than the margin it is borderline; further, it fails. Values within a
// billionth (relative) of an edge count as on it, so that figures computed in
// floating point are not judged on their last bit.
func (c Claim) verdictAt(x float64) Verdict {
	e, strict := c.excess(x)
	eps := 1e-9 * max(1, math.Abs(c.Test.Threshold))
	switch {
	case math.IsNaN(e):
		return VerdictUntestable
	case strict && e < -eps, !strict && e <= eps:
		return VerdictHolds
	case c.Margin > 0 && e <= c.Margin+eps:
		return VerdictBorderline
	}
	return VerdictFails
}

// edges are the values where verdictAt changes.
func (c Claim) edges() []float64 {
	t, m := c.Test, c.Margin
	switch t.Kind {
	case TestLess, TestLessOrEqual:
		return []float64{t.Threshold, t.Threshold + m}
	case TestGreater, TestGreaterOrEqual:
		return []float64{t.Threshold, t.Threshold - m}
	case TestApprox:
		w := t.Tolerance
		return []float64{t.Threshold, t.Threshold - w, t.Threshold + w, t.Threshold - w - m, t.Threshold + w + m}
	case TestFallAtLeast:
		line := -(t.Threshold - t.Tolerance)
		return []float64{line, line + m}
	}
	return nil
}

// reason says in words what the period's figures are and what they make of
// the claim.
func (c Claim) reason(v PeriodVerdict, seen []Verdict) string {
	fig := figureWords(v.MetricPoint, c.Metric.Unit)
	test := c.Test.Words(c.Metric.Unit)
	var why string
	switch {
	case v.Verdict == VerdictUntestable:
		why = "a bound only, which cannot show whether it is " + test
	case v.Split:
		why = seenWords(seen) + " (" + test + ")"
	case v.Verdict == VerdictBorderline:
		why = "just outside " + test + ", within the margin of " + formatExact(c.Margin) + c.Metric.Unit
	case v.Verdict == VerdictHolds:
		why = test
	default:
		why = "not " + test
	}
	if v.Verdict != VerdictUntestable && v.Verdict != VerdictBorderline && v.RangeAcrossSources() {
		why += ", under every source"
	}
	return fig + ": " + why + missingWords(v.Missing)
}

// seenWords: "holds under some sources, fails under others".
func seenWords(seen []Verdict) string {
	return string(seen[0]) + " under some sources, " + verbOf(seen[len(seen)-1]) + " under others"
}

func verbOf(v Verdict) string {
	if v == VerdictBorderline {
		return "is borderline"
	}
	return string(v)
}

// figureWords: "4.6%", "7.6–8.6% across sources", "at least 7.2%",
// "8.4–8.6% across sources; at least 6.8%".
func figureWords(p MetricPoint, unit string) string {
	var parts []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, f := range []*float64{p.Value, p.Low, p.High} {
		if f != nil && !math.IsNaN(*f) {
			lo, hi = min(lo, *f), max(hi, *f)
		}
	}
	switch {
	case lo == hi:
		parts = append(parts, formatFigure(lo)+unit)
	case lo < hi:
		parts = append(parts, formatFigure(lo)+"–"+formatFigure(hi)+unit+" across sources")
	}
	if f := finite(p.AtLeast); f != nil {
		parts = append(parts, "at least "+formatFigure(*f)+unit)
	}
	if f := finite(p.AtMost); f != nil {
		parts = append(parts, "at most "+formatFigure(*f)+unit)
	}
	return strings.Join(parts, "; ")
}

func missingWords(missing []string) string {
	if len(missing) == 0 {
		return ""
	}
	return "; missing: " + strings.Join(missing, ", ")
}

// formatFigure writes a verdict's figure to two decimals at most, so that a
// figure just outside a threshold does not read as on it.
func formatFigure(v float64) string { return formatDigits(v, 2) }

package indicators

import (
	"math"
	"strconv"
	"strings"
)

// TestKind is how a claim compares its metric with its threshold.
type TestKind string

// Test kinds. The metric of a FallAtLeast test is a year-on-year change in %
// (−68.6 for a fall of 68.6%); its threshold is the size of the fall (70).
const (
	TestLess           TestKind = "less-than"        // metric < threshold
	TestLessOrEqual    TestKind = "less-or-equal"    // metric ≤ threshold
	TestGreater        TestKind = "greater-than"     // metric > threshold
	TestGreaterOrEqual TestKind = "greater-or-equal" // metric ≥ threshold
	TestApprox         TestKind = "approx"           // |metric − threshold| ≤ tolerance
	TestFallAtLeast    TestKind = "fall-at-least"    // −metric ≥ threshold − tolerance
)

// testKinds are the known kinds with the operator ParseClaimTest reads for each.
var testKinds = []struct {
	kind TestKind
	op   string
}{
	{TestLess, "<"}, {TestLessOrEqual, "<="}, {TestGreater, ">"}, {TestGreaterOrEqual, ">="},
	{TestApprox, "~"}, {TestFallAtLeast, "fall>="},
}

// Known reports whether k is one of the test kinds.
func (k TestKind) Known() bool { return k.op() != "" }

func (k TestKind) op() string {
	for _, t := range testKinds {
		if t.kind == k {
			return t.op
		}
	}
	return ""
}

// ClaimTest is what a claim says about its metric: a comparison with a
// threshold, in the metric's units.
//
// Tolerance is how loosely the claim itself is worded: "≈32±2" holds from 30 to
// 34; "fell ~70%" (fall>=~70±2) holds for any fall of 68% or more. It applies
// only to TestApprox and TestFallAtLeast; the exact comparisons (<, ≤, >, ≥) hold
// as written. How near a miss counts as borderline is the claim's Margin.
type ClaimTest struct {
	Kind      TestKind `json:"kind"`
	Threshold float64  `json:"threshold"`
	Tolerance float64  `json:"tolerance,omitempty"`
}

// String writes t as ParseClaimTest reads it: "<5", ">=10", "~32±2",
// "fall>=70%", "fall>=~70±2%".
func (t ClaimTest) String() string {
	n := formatFloat(t.Threshold)
	switch t.Kind {
	case TestApprox:
		return "~" + n + "±" + formatFloat(t.Tolerance)
	case TestFallAtLeast:
		if t.Tolerance > 0 {
			return "fall>=~" + n + "±" + formatFloat(t.Tolerance) + "%"
		}
		return "fall>=" + n + "%"
	}
	return t.Kind.op() + n
}

// Words describes t for readers: "under 5", "about 32 (±2)", "a fall of at
// least about 70% (±2)".
func (t ClaimTest) Words(unit string) string {
	n, tol := formatExact(t.Threshold)+unit, formatExact(t.Tolerance)
	switch t.Kind {
	case TestLess:
		return "under " + n
	case TestLessOrEqual:
		return "at most " + n
	case TestGreater:
		return "over " + n
	case TestGreaterOrEqual:
		return "at least " + n
	case TestApprox:
		return "about " + n + " (±" + tol + ")"
	case TestFallAtLeast:
		if t.Tolerance > 0 {
			return "a fall of at least about " + formatExact(t.Threshold) + "% (±" + tol + ")"
		}
		return "a fall of at least " + formatExact(t.Threshold) + "%"
	}
	return string(t.Kind)
}

// problems returns what is wrong with t, each message naming the test.
func (t ClaimTest) problems() []string {
	var out []string
	switch {
	case !t.Kind.Known():
		return []string{"unknown test kind " + strconv.Quote(string(t.Kind)) + " (" + testKindList() + ")"}
	case math.IsNaN(t.Threshold) || math.IsInf(t.Threshold, 0):
		out = append(out, "the threshold must be a number")
	case t.Kind == TestFallAtLeast && (t.Threshold <= 0 || t.Threshold > 100):
		out = append(out, "a fall is a percentage above 0 and at most 100 (fall>=70%)")
	}
	switch {
	case math.IsNaN(t.Tolerance) || math.IsInf(t.Tolerance, 0) || t.Tolerance < 0:
		out = append(out, "the tolerance must be a number of 0 or more")
	case t.Kind == TestApprox && t.Tolerance == 0:
		out = append(out, "≈ needs a tolerance (~32±2)")
	case t.Tolerance > 0 && t.Kind != TestApprox && t.Kind != TestFallAtLeast:
		out = append(out, "a tolerance applies only to ≈ and to a fall (~32±2, fall>=~70±2%); "+
			"for < and > set the claim's margin (its borderline band)")
	case t.Kind == TestFallAtLeast && t.Tolerance >= t.Threshold:
		out = append(out, "the tolerance must be smaller than the fall")
	}
	return out
}

func testKindList() string {
	s := make([]string, len(testKinds))
	for i, t := range testKinds {
		s[i] = string(t.kind)
	}
	return strings.Join(s, ", ")
}

// claimTestOps are the operators ParseClaimTest reads, longest first.
var claimTestOps = []struct {
	op   string
	kind TestKind
}{
	{"<=", TestLessOrEqual}, {"≤", TestLessOrEqual}, {">=", TestGreaterOrEqual}, {"≥", TestGreaterOrEqual},
	{"=~", TestApprox}, {"<", TestLess}, {">", TestGreater}, {"~", TestApprox}, {"≈", TestApprox},
}

// ParseClaimTest reads a claim's test as a config file writes it:
//
//	<5  <=5  ≤5  >10  >= 10  ≥10     exact comparisons
//	~32±2  ≈32±2  ~32+-2  ~32%±2pp   about 32, give or take 2
//	fall>=70%  fall>=~70±2%          a year-on-year fall of at least 70% (about 70%)
//
// Spaces are ignored, and "%" or "pp" after a number is read as the metric's unit.
// An error is an EINVALID *Error that quotes the text and says what to write.
func ParseClaimTest(s string) (ClaimTest, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), ""))
	fail := func(why string) (ClaimTest, error) {
		return ClaimTest{}, Errorf(EINVALID, "test %q: %s", s, why)
	}
	if t == "" {
		return fail("empty (write e.g. <5, >=10, ~32±2 or fall>=70%)")
	}
	fall := strings.HasPrefix(t, "fall")
	t = strings.TrimPrefix(t, "fall")
	var kind TestKind
	for _, o := range claimTestOps {
		if rest, ok := strings.CutPrefix(t, o.op); ok {
			kind, t = o.kind, rest
			break
		}
	}
	approx := false
	switch {
	case kind == "":
		return fail("start with <, <=, >, >=, ~ or fall>= (e.g. <5, ~32±2, fall>=70%)")
	case fall && kind != TestGreaterOrEqual:
		return fail("a fall is tested as fall>=X% (a fall of at least X%)")
	case fall:
		kind = TestFallAtLeast
		t, approx = strings.CutPrefix(t, "~")
	}
	num, tol, hasTol := cutTolerance(t)
	v, err := parseTestNumber(num)
	if err != nil {
		return fail("the threshold " + strconv.Quote(num) + " is not a number")
	}
	ct := ClaimTest{Kind: kind, Threshold: v}
	if hasTol {
		if ct.Tolerance, err = parseTestNumber(tol); err != nil {
			return fail("the tolerance " + strconv.Quote(tol) + " is not a number")
		}
	}
	if approx && !hasTol {
		return fail("say how approximate the fall is: fall>=~70±2%")
	}
	if ps := ct.problems(); len(ps) > 0 {
		return fail(ps[0])
	}
	return ct, nil
}

// cutTolerance splits "32±2" into "32" and "2".
func cutTolerance(s string) (num, tol string, ok bool) {
	for _, sep := range []string{"±", "+/-", "+-"} {
		if a, b, found := strings.Cut(s, sep); found {
			return a, b, true
		}
	}
	return s, "", false
}

// parseTestNumber reads a number with an optional unit suffix ("70%", "2pp").
func parseTestNumber(s string) (float64, error) {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "%"), "pp")
	v, err := strconv.ParseFloat(s, 64)
	if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		err = strconv.ErrSyntax
	}
	return v, err
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

package indicators

import (
	"cmp"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Claim is a statement put on trial: what was said and where, the chart
// computation that measures it (Metric), what the statement says of that
// measure (Test), the periods it is judged on, and the caveats a reader must
// know. Judge gives its verdict per period; Summarize says it in words.
//
// Margin is the borderline band, in the metric's units: a figure that misses
// the claim's line by no more than Margin is borderline rather than failing
// ("under 5%" with a margin of 0.25 is borderline from 5 to 5.25). Zero means
// the line is sharp. The claim's own looseness ("~32%") is Test.Tolerance.
type Claim struct {
	ID      string       `json:"id"`
	Text    string       `json:"text"`
	Said    ClaimSource  `json:"said"`
	Metric  ClaimMetric  `json:"metric"`
	Test    ClaimTest    `json:"test"`
	Margin  float64      `json:"margin"`
	Periods ClaimPeriods `json:"periods"`
	Caveats []string     `json:"caveats"`
}

// ClaimSource is where a claim was made. Date is as precise as known: 2020,
// 2020-06 or 2020-06-15; Date and URL may be empty when unknown.
type ClaimSource struct {
	Title string `json:"title"`
	Date  string `json:"date,omitempty"`
	URL   string `json:"url,omitempty"`
}

// ClaimMetric is the figure a claim is judged on: a chart computation with its
// parameters and which figure of the result to read, per period.
type ClaimMetric struct {
	Chart  string `json:"chart"`
	Params Params `json:"params"`
	Figure string `json:"figure"`
	Unit   string `json:"unit"` // for words: "%"
}

// Figures a claim's metric can read from a chart result.
const (
	// FigureCombinedShare is trade-share's combined share of the partners in
	// Russia's goods turnover, in %, per year.
	FigureCombinedShare = "combined-share"
	// FigureYoYChange is gas-exports' year-on-year change of the one
	// destination's exports, in %, per year or month.
	FigureYoYChange = "yoy-change"
	// FigureBlocRatio is integration-gain's bloc total as % of Russia's for the
	// one measure asked (measure=gdp-ppp or population), per year.
	FigureBlocRatio = "bloc-ratio"
)

// claimFigure is a figure a chart offers claims and the frequencies it has it at.
type claimFigure struct {
	chart, figure, label string
	freqs                []Frequency
}

// claimFigures are the figures claims can be judged on.
var claimFigures = []claimFigure{
	{ChartTradeShare, FigureCombinedShare, "the partners' combined share of Russia's goods trade", []Frequency{Annual}},
	{ChartGasExports, FigureYoYChange, "the year-on-year change of gas exports to one destination", []Frequency{Annual, Monthly}},
	{ChartIntegrationGain, FigureBlocRatio, "the bloc's total as % of Russia's for one measure", []Frequency{Annual}},
}

// FigureLabel describes a metric figure for readers, or returns the id itself.
func FigureLabel(figure string) string {
	for _, f := range claimFigures {
		if f.figure == figure {
			return f.label
		}
	}
	return figure
}

// ClaimPeriods are the periods a claim is judged on: every period at the
// frequencies in Every, and the Named periods, between From and To (each
// optional, inclusive). As text: "each year", "each month, each year from 2017",
// "2020-04", "2019, 2020".
type ClaimPeriods struct {
	Every    []Frequency
	Named    []Period
	From, To Period
}

// Includes reports whether the claim is judged on p.
func (cp ClaimPeriods) Includes(p Period) bool {
	if p.IsZero() || !cp.From.IsZero() && p.startMonth() < cp.From.startMonth() ||
		!cp.To.IsZero() && p.endMonth() > cp.To.endMonth() {
		return false
	}
	return slices.Contains(cp.Every, p.Freq) || slices.Contains(cp.Named, p)
}

// IsZero reports whether no period is chosen.
func (cp ClaimPeriods) IsZero() bool { return len(cp.Every) == 0 && len(cp.Named) == 0 }

// Frequencies are the frequencies of the periods judged, coarsest first.
func (cp ClaimPeriods) Frequencies() []Frequency {
	fs := slices.Clone(cp.Every)
	for _, p := range cp.Named {
		fs = append(fs, p.Freq)
	}
	slices.Sort(fs)
	return slices.Compact(fs)
}

var everyWords = []struct {
	freq  Frequency
	words []string
}{
	{Annual, []string{"each year", "every year", "yearly", "annual"}},
	{Quarterly, []string{"each quarter", "every quarter", "quarterly"}},
	{Monthly, []string{"each month", "every month", "monthly"}},
}

// String writes cp as ParseClaimPeriods reads it.
func (cp ClaimPeriods) String() string {
	var parts []string
	for _, w := range everyWords {
		if slices.Contains(cp.Every, w.freq) {
			parts = append(parts, w.words[0])
		}
	}
	for _, p := range cp.Named {
		parts = append(parts, p.String())
	}
	if !cp.From.IsZero() {
		parts = append(parts, "from "+cp.From.String())
	}
	if !cp.To.IsZero() {
		parts = append(parts, "to "+cp.To.String())
	}
	return strings.Join(parts, ", ")
}

// MarshalText implements encoding.TextMarshaler.
func (cp ClaimPeriods) MarshalText() ([]byte, error) { return []byte(cp.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (cp *ClaimPeriods) UnmarshalText(b []byte) error {
	q, err := ParseClaimPeriods(string(b))
	if err != nil {
		return err
	}
	*cp = q
	return nil
}

// ParseClaimPeriods reads the periods a claim is judged on, separated by commas
// or semicolons: "each year" (also every year, yearly, annual), "each quarter",
// "each month" (monthly), a period (2019, 2020-04, 2020-Q1), "from P", "to P".
func ParseClaimPeriods(s string) (ClaimPeriods, error) {
	var cp ClaimPeriods
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		w := strings.ToLower(strings.Join(strings.Fields(part), " "))
		if err := cp.add(w); err != nil {
			return ClaimPeriods{}, Errorf(EINVALID, "periods %q: %s", s, err)
		}
	}
	if cp.IsZero() {
		return ClaimPeriods{}, Errorf(EINVALID, "periods %q: say which periods (each year, each month, or periods such as 2020-04)", s)
	}
	return cp, nil
}

func (cp *ClaimPeriods) add(w string) error {
	for _, e := range everyWords {
		if slices.Contains(e.words, w) {
			cp.Every = append(cp.Every, e.freq)
			return nil
		}
	}
	bound := &cp.From
	rest, isBound := strings.CutPrefix(w, "from ")
	if !isBound {
		bound = &cp.To
		rest, isBound = strings.CutPrefix(w, "to ")
	}
	p, err := ParsePeriod(rest)
	switch {
	case err != nil:
		return fmt.Errorf("%q is neither each year/quarter/month, a period (2019, 2020-04), nor from/to a period", w)
	case isBound:
		*bound = p
	default:
		cp.Named = append(cp.Named, p)
	}
	return nil
}

// ClaimProblem is one thing wrong with a claim: its id, the field concerned as
// the config writes it ("test", "metric.params", "said.url") so that a loader
// can name the line, and what is wrong.
type ClaimProblem struct {
	Claim   string `json:"claim"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// String formats p as "claim gas-fall: test: ...".
func (p ClaimProblem) String() string {
	return fmt.Sprintf("claim %s: %s: %s", cmp.Or(p.Claim, "(no id)"), p.Field, p.Message)
}

var claimIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate returns every problem of the claim, in field order; none means the
// claim can be judged.
func (c Claim) Validate() []ClaimProblem {
	var ps []ClaimProblem
	add := func(field, format string, args ...any) {
		ps = append(ps, ClaimProblem{Claim: c.ID, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !claimIDPattern.MatchString(c.ID) || len(c.ID) > 64 {
		add("id", "%q is not an id: lower-case letters, digits and single hyphens, at most 64 (e.g. gas-turkey-fall)", c.ID)
	}
	if strings.TrimSpace(c.Text) == "" {
		add("text", "quote the statement")
	} else if err := CheckText(Statement, c.Text); err != nil {
		add("text", "%s", ErrorMessage(err))
	}
	c.Said.validate(add)
	c.Metric.validate(add)
	for _, m := range c.Test.problems() {
		add("test", "%s", m)
	}
	if c.Test.Kind == TestFallAtLeast && c.Metric.Figure != "" && c.Metric.Figure != FigureYoYChange {
		add("test", "a fall is tested on a year-on-year change (figure %s)", FigureYoYChange)
	}
	if math.IsNaN(c.Margin) || math.IsInf(c.Margin, 0) || c.Margin < 0 {
		add("margin", "the borderline band must be a number of 0 or more, in the metric's units")
	}
	c.validatePeriods(add)
	for i, cv := range c.Caveats {
		if strings.TrimSpace(cv) == "" {
			add(fmt.Sprintf("caveats[%d]", i), "empty caveat")
		} else if err := CheckText(Note, cv); err != nil {
			add(fmt.Sprintf("caveats[%d]", i), "%s", ErrorMessage(err))
		}
	}
	return ps
}

type addProblem func(field, format string, args ...any)

func (s ClaimSource) validate(add addProblem) {
	if strings.TrimSpace(s.Title) == "" {
		add("said.title", "name where the claim was made (title of the article, speech or report)")
	} else if err := CheckText(Title, s.Title); err != nil {
		add("said.title", "%s", ErrorMessage(err))
	}
	if s.Date != "" && !validClaimDate(s.Date) {
		add("said.date", "%q is not a date (2020, 2020-06 or 2020-06-15)", s.Date)
	}
	if err := CheckText(Link, s.URL); err != nil {
		add("said.url", "%s", ErrorMessage(err))
	} else if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("said.url", "%q is not an http(s) link", s.URL)
		}
	}
}

func validClaimDate(s string) bool {
	for _, layout := range []string{"2006", "2006-01", "2006-01-02"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

func (m ClaimMetric) validate(add addProblem) {
	chart, err := ChartByID(m.Chart)
	if err != nil {
		add("metric.chart", "%s", ErrorMessage(err))
		return
	}
	_, known := figureOf(m.Chart, m.Figure)
	if !known {
		add("metric.figure", "%q is not a figure of %s (%s)", m.Figure, m.Chart, strings.Join(chartFigures(m.Chart), ", "))
	}
	if _, err := chart.Query(m.Params); err != nil {
		add("metric.params", "%s", ErrorMessage(err))
		return
	}
	if !known {
		return
	}
	switch m.Figure {
	case FigureYoYChange:
		if ds, _ := ExpandCountries(m.Params["destinations"]); len(ds) != 1 {
			add("metric.params", "destinations: give exactly one destination for a year-on-year change")
		}
	case FigureBlocRatio:
		if me := strings.ToLower(strings.TrimSpace(m.Params["measure"])); me != "population" && me != "gdp-ppp" {
			add("metric.params", "measure: choose population or gdp-ppp for a bloc ratio")
		}
	}
}

func figureOf(chart, figure string) (claimFigure, bool) {
	i := slices.IndexFunc(claimFigures, func(f claimFigure) bool { return f.chart == chart && f.figure == figure })
	if i < 0 {
		return claimFigure{}, false
	}
	return claimFigures[i], true
}

func chartFigures(chart string) []string {
	var out []string
	for _, f := range claimFigures {
		if f.chart == chart {
			out = append(out, f.figure)
		}
	}
	if out == nil {
		return []string{"no claim figures"}
	}
	return out
}

func (c Claim) validatePeriods(add addProblem) {
	cp := c.Periods
	if cp.IsZero() {
		add("periods", "say which periods the claim is judged on (each year, each month, or periods such as 2020-04)")
		return
	}
	if !cp.From.IsZero() && !cp.To.IsZero() && cp.To.endMonth() < cp.From.startMonth() {
		add("periods", "to %s is before from %s", cp.To, cp.From)
	}
	fig, ok := figureOf(c.Metric.Chart, c.Metric.Figure)
	if !ok {
		return
	}
	for _, f := range cp.Frequencies() {
		if !slices.Contains(fig.freqs, f) {
			add("periods", "%s has no %s figures", c.Metric.Figure, f)
		}
	}
}

// ValidateClaims validates each claim and that no two share an id.
func ValidateClaims(cs []Claim) []ClaimProblem {
	var ps []ClaimProblem
	seen := map[string]bool{}
	for _, c := range cs {
		ps = append(ps, c.Validate()...)
		if c.ID != "" && seen[c.ID] {
			ps = append(ps, ClaimProblem{Claim: c.ID, Field: "id", Message: "another claim has this id"})
		}
		seen[c.ID] = true
	}
	return ps
}

// ClaimProblemsError returns nil for no problems, else an EINVALID *Error whose
// message lists every problem, one per line.
func ClaimProblemsError(ps []ClaimProblem) error {
	if len(ps) == 0 {
		return nil
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return Errorf(EINVALID, "%d claim problem(s):\n%s", len(ps), strings.Join(lines, "\n"))
}

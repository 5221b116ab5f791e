package indicators

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Summarize says in plain English what the verdicts make of the claim, e.g.
// "held 2017–2021; fails since 2022 under every source; untestable 2025
// (missing: Turkey–Russia turnover)" or "holds for single months only (2020-03,
// 2020-04, 2024-04); fails for every full year".
//
// Consecutive periods with one verdict collapse into ranges; the current run is
// in the present tense and, when sources differ on the figures but not on the
// verdict, says "under every source"; untestable periods are named with what
// they lack. A claim judged on several frequencies is summarised per frequency,
// full years last.
func Summarize(c Claim, vs []PeriodVerdict) string {
	groups := byFrequency(vs)
	switch len(groups) {
	case 0:
		return "not judged: no figures for the periods it is judged on"
	case 1:
		return runsSummary(groups[0])
	}
	years, finer := groups[0], slices.Concat(groups[1:]...)
	noun := freqNoun(finer[0].Period.Freq)
	if yearNoun := freqNoun(years[0].Period.Freq); countVerdict(years, VerdictHolds) == 0 {
		if held := periodsWith(finer, VerdictHolds); len(held) > 0 {
			parts := []string{"holds for single " + noun + "s only (" + periodList(held) + ")"}
			if b := periodsWith(finer, VerdictBorderline); len(b) > 0 {
				parts = append(parts, "borderline in "+periodList(b))
			}
			parts = append(parts, everySummary(years, "full "+yearNoun))
			if u := untestableWords(finer); u != "" {
				parts = append(parts, u)
			}
			return strings.Join(parts, "; ")
		}
	}
	var parts []string
	for _, g := range groups {
		parts = append(parts, freqNoun(g[0].Period.Freq)+"s: "+runsSummary(g))
	}
	return strings.Join(parts, "; ")
}

// byFrequency groups verdicts by frequency, coarsest first, in period order.
func byFrequency(vs []PeriodVerdict) [][]PeriodVerdict {
	var groups [][]PeriodVerdict
	for _, f := range []Frequency{Annual, Quarterly, Monthly} {
		var g []PeriodVerdict
		for _, v := range vs {
			if v.Period.Freq == f {
				g = append(g, v)
			}
		}
		slices.SortStableFunc(g, func(a, b PeriodVerdict) int { return a.Period.Compare(b.Period) })
		if len(g) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

func freqNoun(f Frequency) string {
	switch f {
	case Quarterly:
		return "quarter"
	case Monthly:
		return "month"
	}
	return "year"
}

// everySummary: "fails for every full year" when every testable period has one
// verdict, else the runs.
func everySummary(g []PeriodVerdict, noun string) string {
	runs := verdictRuns(g)
	if len(runs) == 1 {
		s := string(runs[0].verdict) + " for every " + noun
		if u := untestableWords(g); u != "" {
			s += " with figures; " + u
		}
		return s
	}
	return noun + "s: " + runsSummary(g)
}

// verdictRun is a stretch of testable periods with one verdict (untestable
// periods between them do not break it; they are named apart).
type verdictRun struct {
	verdict          Verdict
	periods          []Period
	robust, disagree bool // some period has a range across sources; some is split
}

func verdictRuns(g []PeriodVerdict) []verdictRun {
	var runs []verdictRun
	for _, v := range g {
		if !v.Verdict.Testable() {
			continue
		}
		if len(runs) == 0 || runs[len(runs)-1].verdict != v.Verdict {
			runs = append(runs, verdictRun{verdict: v.Verdict})
		}
		r := &runs[len(runs)-1]
		r.periods = append(r.periods, v.Period)
		r.robust = r.robust || v.RangeAcrossSources()
		r.disagree = r.disagree || v.Split
	}
	return runs
}

// runsSummary: "held 2017–2021; fails since 2022 under every source;
// untestable 2025 (missing: …)".
func runsSummary(g []PeriodVerdict) string {
	runs := verdictRuns(g)
	var parts []string
	for i, r := range runs {
		switch {
		case len(runs) == 1:
			parts = append(parts, presentWords(r.verdict)+" in every "+freqNoun(r.periods[0].Freq)+" with figures ("+periodList(r.periods)+")")
		case i < len(runs)-1:
			parts = append(parts, pastWords(r.verdict)+" "+periodList(r.periods))
		default:
			parts = append(parts, presentWords(r.verdict)+" since "+r.periods[0].String())
		}
		if i == len(runs)-1 {
			parts[len(parts)-1] += runQualifier(r)
		}
	}
	if u := untestableWords(g); u != "" {
		parts = append(parts, u)
	}
	return strings.Join(parts, "; ")
}

func runQualifier(r verdictRun) string {
	switch {
	case r.disagree:
		return " (sources disagree)"
	case r.robust && r.verdict != VerdictBorderline:
		return " under every source"
	}
	return ""
}

func pastWords(v Verdict) string {
	switch v {
	case VerdictHolds:
		return "held"
	case VerdictFails:
		return "failed"
	}
	return "borderline in"
}

func presentWords(v Verdict) string {
	if v == VerdictBorderline {
		return "borderline"
	}
	return string(v)
}

// maxMissingWords bounds the missing inputs a summary names, and
// maxUntestableNamed the untestable periods it lists one by one.
const (
	maxMissingWords    = 4
	maxUntestableNamed = 4
)

// untestableWords: "untestable 2025 (missing: Turkey–Russia turnover)",
// "untestable 2024-10, 2025-10 (only a bound)".
func untestableWords(g []PeriodVerdict) string {
	var ps []Period
	var why []string
	for _, v := range g {
		if v.Verdict.Testable() {
			continue
		}
		ps = append(ps, v.Period)
		for _, m := range v.Missing {
			if !slices.Contains(why, m) {
				why = append(why, m)
			}
		}
		if _, _, _, ok := v.interval(); ok && !slices.Contains(why, "only a bound") {
			why = append(why, "only a bound")
		}
	}
	if len(ps) == 0 {
		return ""
	}
	if len(why) == 0 {
		return "untestable " + periodRuns(ps) + " (no figures)"
	}
	if runs := periodRuns(ps); strings.Count(runs, ", ")+1 > maxUntestableNamed {
		// Many gaps (months without a figure a year earlier) would drown the
		// verdict; the table of periods names each one and what it lacks.
		return fmt.Sprintf("untestable in %d %ss with figures missing", len(ps), freqNoun(ps[0].Freq))
	}
	missing := slices.DeleteFunc(slices.Clone(why), func(s string) bool { return s == "only a bound" })
	bounded := len(missing) < len(why)
	var reasons []string
	if len(missing) > maxMissingWords {
		// A summary names a few; the verdict of each period names all of them.
		missing = append(missing[:maxMissingWords-1], "and "+strconv.Itoa(len(missing)-maxMissingWords+1)+" more")
	}
	if len(missing) > 0 {
		reasons = append(reasons, "missing: "+strings.Join(missing, ", "))
	}
	if bounded {
		reasons = append(reasons, "only a bound")
	}
	return "untestable " + periodRuns(ps) + " (" + strings.Join(reasons, "; ") + ")"
}

func periodsWith(g []PeriodVerdict, want Verdict) []Period {
	var ps []Period
	for _, v := range g {
		if v.Verdict == want {
			ps = append(ps, v.Period)
		}
	}
	return ps
}

func countVerdict(g []PeriodVerdict, want Verdict) int { return len(periodsWith(g, want)) }

// periodList writes years as ranges ("2017–2021, 2023") and finer periods one
// by one ("2020-03, 2020-04, 2024-04"), which reads better for scattered months.
func periodList(ps []Period) string {
	if len(ps) > 0 && ps[0].Freq == Annual {
		return periodRuns(ps)
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// CurrentVerdict is a claim's verdict now: the verdict of the latest testable
// period at the claim's coarsest frequency with one (a full year outranks a
// month), and the first period of the unbroken run of that verdict leading to
// it (untestable periods do not break a run).
type CurrentVerdict struct {
	Verdict Verdict `json:"verdict"`
	Split   bool    `json:"split"`
	Period  Period  `json:"period"`
	Since   Period  `json:"since"`
}

// Current returns the claim's current verdict; with no testable period it is
// VerdictUntestable with zero periods.
func Current(vs []PeriodVerdict) CurrentVerdict {
	for _, g := range byFrequency(vs) {
		runs := verdictRuns(g)
		if len(runs) == 0 {
			continue
		}
		last := runs[len(runs)-1]
		latest := last.periods[len(last.periods)-1]
		i := slices.IndexFunc(g, func(v PeriodVerdict) bool { return v.Period == latest })
		return CurrentVerdict{Verdict: last.verdict, Split: g[i].Split, Period: latest, Since: last.periods[0]}
	}
	return CurrentVerdict{Verdict: VerdictUntestable}
}

// VerdictChange is a period whose verdict differs between two judgings. An
// empty Old or New means the period was not judged then (its figures were
// added, or removed by a rollback).
type VerdictChange struct {
	Period Period  `json:"period"`
	Old    Verdict `json:"old"`
	New    Verdict `json:"new"`
}

// DiffVerdicts returns the periods whose verdict changed from old to new, in
// period order. A change of figures or Split alone is not a verdict change. With
// old empty every period is new; a caller keeping history may skip the first
// judging.
func DiffVerdicts(old, new []PeriodVerdict) []VerdictChange {
	was := map[Period]Verdict{}
	for _, v := range old {
		was[v.Period] = v.Verdict
	}
	var out []VerdictChange
	now := map[Period]bool{}
	for _, v := range new {
		now[v.Period] = true
		if o := was[v.Period]; o != v.Verdict {
			out = append(out, VerdictChange{Period: v.Period, Old: o, New: v.Verdict})
		}
	}
	for _, v := range old {
		if !now[v.Period] {
			out = append(out, VerdictChange{Period: v.Period, Old: v.Verdict})
			now[v.Period] = true
		}
	}
	slices.SortFunc(out, func(a, b VerdictChange) int { return a.Period.Compare(b.Period) })
	return out
}

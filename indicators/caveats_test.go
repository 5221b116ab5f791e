package indicators

import (
	"strings"
	"testing"
)

func TestCaveatsGroupFiguresFlaggedAlike(t *testing.T) {
	obs := func(country, period string, flags []Flag, note string) Observation {
		return Observation{Indicator: GDPPPPCode, Country: country, Period: mustPeriod(t, period), Value: 1234.5, Unit: "$", Flags: flags, Note: note, Vintage: "2026-07"}
	}
	derived := []Flag{FlagDerived}
	r := &Result{
		Vintages: []string{"2026-07"}, VintagesAvailable: []string{"2023-05", "2026-07"},
		Flagged: []Observation{
			obs("ARM", "2020", derived, "per capita x population"),
			obs("RUS", "2019", derived, "per capita x population"),
			obs("AZE", "2024", derived, "per capita x population"),
			obs("TUR", "2022", []Flag{FlagStatement, FlagLowerBound}, ""),
		},
	}
	got := r.Caveats()
	if len(got) != 2 {
		t.Fatalf("caveats %q, want one for the derived series and one for the statement", got)
	}
	if want := "3 figures of GDP (PPP) (Armenia, Russia, Azerbaijan, 2019–2024, vintage 2026-07) — derived: per capita x population"; got[0] != want {
		t.Errorf("group caveat\n got %q\nwant %q", got[0], want)
	}
	if !strings.HasPrefix(got[1], "GDP (PPP) Turkey 2022: $1,235 (vintage 2026-07) — official statement, lower bound") {
		t.Errorf("single caveat %q", got[1])
	}
	if got := r.VintageNote(); got != "Newest vintage of each figure (figures from 2026-07)" {
		t.Errorf("vintage note %q", got)
	}
	r.Vintage = "2023-05"
	if got := r.VintageNote(); got != "Vintage 2023-05 where the figures come in it (figures from 2026-07)" {
		t.Errorf("chosen vintage note %q", got)
	}
	if got := (&Result{}).VintageNote(); got != "" {
		t.Errorf("a result without vintages says %q", got)
	}
}

func mustPeriod(t *testing.T, s string) Period {
	t.Helper()
	p, err := ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

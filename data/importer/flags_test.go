package importer

import (
	"reflect"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// A tidy file may say how each figure falls short of a release (flag), what a
// derived one comes from (note) and which release of its source it is (vintage);
// two vintages of one figure are two observations.
func TestTidyFlagsNotesVintages(t *testing.T) {
	st := MustOpenStore(t)
	im := New(st, Options{})
	MustImport(t, im, Request{Dataset: "d", FileName: "figures.csv", Data: csvText(
		"indicator,country,partner,period,value,unit,source,flags,note,vintage",
		"NY.GDP.MKTP.PP.CD,RUS,,2019,4.2e12,int$,WDI,,,2023-05",
		`NY.GDP.MKTP.PP.CD,RUS,,2019,4.5e12,int$,WDI,derived,"per-capita PPP × population",2026-07`,
		`TRADE_USD,AZE,RUS,2024,4.84e9,US$,Cabinet,"lower-bound, derived, statement",4.4bn (2023) × 1.10,`,
		"NATGAS_EXP_MCM,RUS,TUR,2020-04,470,million m3,EPDK,,,",
	)})
	got := MustObservations(t, st, indicators.Query{Vintage: indicators.AllVintages})
	want := map[indicators.Key]indicators.Observation{}
	for _, o := range []indicators.Observation{
		{Indicator: "NATGAS_EXP_MCM", Country: "RUS", Partner: "TUR", Period: indicators.Month(2020, 4), Value: 470, Unit: "million m3", Source: "EPDK"},
		{Indicator: "NY.GDP.MKTP.PP.CD", Country: "RUS", Period: indicators.Year(2019), Value: 4.5e12, Unit: "int$", Source: "WDI",
			Vintage: "2026-07", Flags: []indicators.Flag{indicators.FlagDerived}, Note: "per-capita PPP × population"},
		{Indicator: "NY.GDP.MKTP.PP.CD", Country: "RUS", Period: indicators.Year(2019), Value: 4.2e12, Unit: "int$", Source: "WDI", Vintage: "2023-05"},
		{Indicator: "TRADE_USD", Country: "AZE", Partner: "RUS", Period: indicators.Year(2024), Value: 4.84e9, Unit: "US$", Source: "Cabinet",
			Flags: []indicators.Flag{indicators.FlagDerived, indicators.FlagLowerBound, indicators.FlagStatement}, Note: "4.4bn (2023) × 1.10"},
	} {
		want[o.Key()] = o
	}
	if len(got) != len(want) {
		t.Fatalf("got %d observations, want %d: %+v", len(got), len(want), got)
	}
	for _, o := range got {
		if w := want[o.Key()]; !reflect.DeepEqual(o, w) {
			t.Errorf("got %+v\nwant %+v", o, w)
		}
	}
}

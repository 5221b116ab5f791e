package storetest

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// gdp is a GDP (PPP) observation of country in year from vintage v ("" for none).
func gdp(country string, year int, v string, value float64) indicators.Observation {
	return indicators.Observation{Indicator: indicators.GDPPPPCode, Country: country,
		Period: indicators.Year(year), Value: value, Unit: "int$", Source: "WDI " + v, Vintage: v}
}

func vintage(o indicators.Observation, v string) indicators.Observation {
	o.Vintage = v
	return o
}

// vintageValues maps "COUNTRY YEAR VINTAGE" to value.
func vintageValues(obs []indicators.Observation) map[string]float64 {
	m := make(map[string]float64, len(obs))
	for _, o := range obs {
		m[fmt.Sprintf("%s %s %s", o.Country, o.Period, o.Vintage)] = o.Value
	}
	return m
}

func testObservations_vintages(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	// GDP: RUS 2019 in two vintages and none; KAZ only in the old vintage; UZB
	// only without a vintage; ARM only in the new one. Population (TJK) only in
	// the new vintage.
	tjk := vintage(pop("TJK", 2019, 9.3), "2026-07")
	MustSave(t, db, "wdi-2023", "a", gdp("RUS", 2019, "2023-05", 4.3), gdp("KAZ", 2019, "2023-05", 0.5), gdp("RUS", 2019, "", 4.0))
	MustSave(t, db, "wdi-2026", "b", gdp("RUS", 2019, "2026-07", 4.5), gdp("ARM", 2019, "2026-07", 0.05), gdp("UZB", 2019, "", 0.3), tjk)

	tests := []struct {
		name    string
		vintage string
		want    map[string]float64
	}{
		{name: "newest by default", vintage: indicators.NewestVintage, want: map[string]float64{
			"RUS 2019 2026-07": 4.5, "KAZ 2019 2023-05": 0.5, "ARM 2019 2026-07": 0.05, "UZB 2019 ": 0.3, "TJK 2019 2026-07": 9.3}},
		{name: "one vintage plus figures without one; other indicators newest", vintage: "2023-05", want: map[string]float64{
			"RUS 2019 2023-05": 4.3, "KAZ 2019 2023-05": 0.5, "UZB 2019 ": 0.3, "TJK 2019 2026-07": 9.3}},
		{name: "a vintage nobody has reads the newest", vintage: "1999-01", want: map[string]float64{
			"RUS 2019 2026-07": 4.5, "KAZ 2019 2023-05": 0.5, "ARM 2019 2026-07": 0.05, "UZB 2019 ": 0.3, "TJK 2019 2026-07": 9.3}},
		{name: "every vintage", vintage: indicators.AllVintages, want: map[string]float64{
			"RUS 2019 2026-07": 4.5, "RUS 2019 2023-05": 4.3, "RUS 2019 ": 4.0, "KAZ 2019 2023-05": 0.5,
			"ARM 2019 2026-07": 0.05, "UZB 2019 ": 0.3, "TJK 2019 2026-07": 9.3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := MustObservations(t, db, indicators.Query{Vintage: tt.vintage})
			if got := vintageValues(obs); !maps.Equal(got, tt.want) || len(obs) != len(tt.want) {
				t.Errorf("got %v (%d rows), want %v", got, len(obs), tt.want)
			}
			// The store and the domain apply one rule.
			all := MustObservations(t, db, indicators.Query{Vintage: indicators.AllVintages})
			if got := vintageValues(indicators.SelectVintage(all, tt.vintage)); !maps.Equal(got, tt.want) {
				t.Errorf("SelectVintage gives %v, want %v", got, tt.want)
			}
		})
	}
	// Overlap precedence holds within a vintage: a later dataset's 2023-05 figure
	// replaces the earlier 2023-05 figure but not the 2026-07 one.
	MustSave(t, db, "revised", "c", gdp("RUS", 2019, "2023-05", 4.35))
	got := vintageValues(MustObservations(t, db, indicators.Query{Vintage: indicators.AllVintages, Countries: []string{"RUS"},
		Indicators: []string{indicators.GDPPPPCode}}))
	if want := map[string]float64{"RUS 2019 2026-07": 4.5, "RUS 2019 2023-05": 4.35, "RUS 2019 ": 4.0}; !maps.Equal(got, want) {
		t.Errorf("after an overlapping import: %v, want %v", got, want)
	}
}

func testObservations_flagsSurviveRollbackAndOverlap(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	base := indicators.Observation{Indicator: "NATGAS_EXP_MCM", Country: "RUS", Partner: "TUR", Period: indicators.Month(2019, 4),
		Value: 1495, Unit: "million m3", Source: "EPDK", Flags: []indicators.Flag{indicators.FlagDerived},
		Note: "back-calculated from April 2020 and its published change"}
	published := base
	published.Value, published.Flags, published.Note = 1500, nil, ""
	MustSave(t, db, "gas", "1", base)
	MustSave(t, db, "gas", "2", published)
	if got := MustObservations(t, db, indicators.Query{}); len(got) != 1 || got[0].Flags != nil || got[0].Note != "" {
		t.Fatalf("after the published figure: %+v, want no flags or note", got)
	}
	if _, err := db.Rollback(ctx, "gas", 1, ""); err != nil {
		t.Fatal(err)
	}
	if got := MustObservations(t, db, indicators.Query{}); len(got) != 1 || !reflect.DeepEqual(got[0], base) {
		t.Errorf("after rollback: %+v, want %+v", got, base)
	}
	if got := MustObservations(t, db, indicators.Query{AsOf: 2}); len(got) != 1 || got[0].Value != 1500 || got[0].Flags != nil {
		t.Errorf("as of 2: %+v, want the published figure", got)
	}
}

func testSaveVersion_rejectsUnknownFlag(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	o := pop("RUS", 2019, 1)
	o.Flags = []indicators.Flag{"guess"}
	_, err := db.SaveVersion(context.Background(), indicators.NewVersion{Dataset: "d"}, sliceSource([]indicators.Observation{o}))
	if indicators.ErrorCode(err) != indicators.EINVALID {
		t.Errorf("unknown flag: %v, want EINVALID", err)
	}
}

func testVintages(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	if got, err := db.Vintages(ctx, 0); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v %v", got, err)
	}
	MustSave(t, db, "a", "1", gdp("RUS", 2019, "2023-05", 1), pop("RUS", 2019, 1))
	MustSave(t, db, "b", "1", gdp("RUS", 2019, "2026-07", 1), gdp("KAZ", 2019, "2026-07", 1), gdp("UZB", 2019, "", 1))
	MustSave(t, db, "a", "2", pop("RUS", 2019, 2)) // drops the 2023-05 figures
	tests := []struct {
		name string
		asOf int64
		want []indicators.IndicatorVintages
	}{
		{name: "current", want: []indicators.IndicatorVintages{
			{Indicator: indicators.GDPPPPCode, Vintages: []string{"2026-07"}, Unvintaged: true},
			{Indicator: indicators.PopulationCode, Vintages: []string{}, Unvintaged: true}}},
		{name: "as of the second import", asOf: 2, want: []indicators.IndicatorVintages{
			{Indicator: indicators.GDPPPPCode, Vintages: []string{"2023-05", "2026-07"}, Unvintaged: true},
			{Indicator: indicators.PopulationCode, Vintages: []string{}, Unvintaged: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Vintages(ctx, tt.asOf)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Vintages(%d) = %+v %v, want %+v", tt.asOf, got, err, tt.want)
			}
		})
	}
}

func testOverlaps_perVintage(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	MustSave(t, db, "old", "1", gdp("RUS", 2019, "2023-05", 1))
	keys := []indicators.Key{gdp("RUS", 2019, "2026-07", 0).Key(), gdp("RUS", 2019, "2023-05", 0).Key(), gdp("RUS", 2019, "", 0).Key()}
	got, err := db.Overlaps(context.Background(), "new", indicators.NewKeyList(keys...))
	if err != nil || !maps.Equal(got, map[string]int{"old": 1}) {
		t.Errorf("Overlaps = %v %v, want only the same vintage to overlap", got, err)
	}
}

func testDiff_vintagesAndFlags(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	stated := gdp("RUS", 2019, "", 5)
	stated.Flags = []indicators.Flag{indicators.FlagStatement}
	released := gdp("RUS", 2019, "", 5)
	MustSave(t, db, "d", "1", gdp("RUS", 2019, "2023-05", 1), stated)
	MustSave(t, db, "d", "2", gdp("RUS", 2019, "2023-05", 1), gdp("RUS", 2019, "2026-07", 2), released)
	d, err := db.Diff(context.Background(), "d", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if d.Added != 1 || d.Changed != 1 || d.Removed != 0 || len(d.Changes) != 2 {
		t.Fatalf("diff %+v, want the new vintage added and the flag change", d)
	}
	flagChange, added := d.Changes[0], d.Changes[1] // ordered by key: "" before "2026-07"
	if flagChange.Vintage != "" || !slices.Equal(flagChange.OldFlags, stated.Flags) || flagChange.NewFlags != nil {
		t.Errorf("flag change %+v", flagChange)
	}
	if added.Vintage != "2026-07" || added.Old != nil || added.New == nil || *added.New != 2 {
		t.Errorf("added %+v", added)
	}
}

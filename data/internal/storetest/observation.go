package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func testObservations_filtersAndOrder(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	gas := func(partner, period string, v float64) indicators.Observation {
		return indicators.Observation{Indicator: indicators.GasExportsCode, Country: "RUS", Partner: partner,
			Period: indicators.MustPeriod(period), Value: v, Unit: "million m3", Source: "Gazprom"}
	}
	// Stored out of order on purpose; two datasets so the read merges them.
	MustSave(t, db, "gas", "g",
		gas("TUR", "2020-04", 470), gas("TUR", "2019", 15500), gas("TUR", "2020", 16200), gas("DEU", "2019", 55000),
		gas("TUR", "2019-04", 1500), gas("TUR", "2020-Q2", 2000), gas("TUR", "2021-01", 3000), gas("TUR", "2020-12", 2500))
	MustSave(t, db, "pop", "p", pop("RUS", 2019, 144), pop("TUR", 2019, 83), pop("RUS", 2020, 145))

	tests := []struct {
		name string
		q    indicators.Query
		want []string
	}{
		{name: "everything, ordered by indicator, country, partner, period", q: indicators.Query{}, want: []string{
			"NATGAS_EXP_MCM RUS DEU 2019",
			"NATGAS_EXP_MCM RUS TUR 2019", "NATGAS_EXP_MCM RUS TUR 2019-04", "NATGAS_EXP_MCM RUS TUR 2020",
			"NATGAS_EXP_MCM RUS TUR 2020-Q2", "NATGAS_EXP_MCM RUS TUR 2020-04", "NATGAS_EXP_MCM RUS TUR 2020-12",
			"NATGAS_EXP_MCM RUS TUR 2021-01",
			"SP.POP.TOTL RUS  2019", "SP.POP.TOTL RUS  2020", "SP.POP.TOTL TUR  2019"}},
		{name: "indicator and country", q: indicators.Query{Indicators: []string{indicators.PopulationCode}, Countries: []string{"TUR", "XXX"}},
			want: []string{"SP.POP.TOTL TUR  2019"}},
		{name: "no partner only", q: indicators.Query{Partners: []string{""}, Countries: []string{"RUS"}},
			want: []string{"SP.POP.TOTL RUS  2019", "SP.POP.TOTL RUS  2020"}},
		{name: "partner", q: indicators.Query{Partners: []string{"DEU"}}, want: []string{"NATGAS_EXP_MCM RUS DEU 2019"}},
		{name: "annual range includes the months and quarters of its years",
			q:    indicators.Query{Indicators: []string{indicators.GasExportsCode}, Partners: []string{"TUR"}, From: indicators.Year(2020), To: indicators.Year(2020)},
			want: []string{"NATGAS_EXP_MCM RUS TUR 2020", "NATGAS_EXP_MCM RUS TUR 2020-Q2", "NATGAS_EXP_MCM RUS TUR 2020-04", "NATGAS_EXP_MCM RUS TUR 2020-12"}},
		{name: "monthly bounds",
			q:    indicators.Query{Partners: []string{"TUR"}, From: indicators.Month(2019, 4), To: indicators.Month(2020, 4)},
			want: []string{"NATGAS_EXP_MCM RUS TUR 2019-04", "NATGAS_EXP_MCM RUS TUR 2020", "NATGAS_EXP_MCM RUS TUR 2020-Q2", "NATGAS_EXP_MCM RUS TUR 2020-04"}},
		{name: "from a quarter excludes the year that starts before it",
			q:    indicators.Query{Partners: []string{"TUR"}, From: indicators.Quarter(2020, 2), To: indicators.Quarter(2020, 4)},
			want: []string{"NATGAS_EXP_MCM RUS TUR 2020-Q2", "NATGAS_EXP_MCM RUS TUR 2020-04", "NATGAS_EXP_MCM RUS TUR 2020-12"}},
		{name: "open lower bound", q: indicators.Query{Partners: []string{"TUR"}, To: indicators.Year(2019)},
			want: []string{"NATGAS_EXP_MCM RUS TUR 2019", "NATGAS_EXP_MCM RUS TUR 2019-04"}},
		{name: "open upper bound", q: indicators.Query{Partners: []string{"TUR"}, From: indicators.Month(2020, 12)},
			want: []string{"NATGAS_EXP_MCM RUS TUR 2020-12", "NATGAS_EXP_MCM RUS TUR 2021-01"}},
		{name: "nothing", q: indicators.Query{Indicators: []string{"NOPE"}}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, o := range MustObservations(t, db, tt.q) {
				got = append(got, fmt.Sprintf("%s %s %s %s", o.Indicator, o.Country, o.Partner, o.Period))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func testObservations_roundTripsEveryField(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	want := []indicators.Observation{ // in the order reads return them
		{Indicator: indicators.GDPPPPCode, Country: "RUS", Period: indicators.Year(2019), Value: 4.5e12, Vintage: "2026-07",
			Flags: []indicators.Flag{indicators.FlagDerived}, Note: "per-capita PPP × population"},
		{Indicator: "TRADE_USD", Country: "TUR", Partner: "RUS", Period: indicators.Year(2022), Value: 68e9, Unit: "US$", Source: "Bolat",
			Flags: []indicators.Flag{indicators.FlagLowerBound, indicators.FlagStatement}, Note: "Turkish side"},
		{Indicator: "TXG_FOB_USD", Country: "RUS", Partner: "TUR", Period: indicators.Year(2019), Value: 2.6e10, Unit: "US$", Source: "IMF DOTS"},
		{Indicator: "TXG_FOB_USD", Country: "RUS", Partner: "TUR", Period: indicators.Quarter(2019, 3), Value: -0.5},
		{Indicator: "TXG_FOB_USD", Country: "RUS", Partner: "TUR", Period: indicators.Month(2019, 12), Value: 1.25, Unit: "US$", Source: "Турция, ТАМОЖНЯ"},
	}
	MustSave(t, db, "trade", "t", want...)
	got := MustObservations(t, db, indicators.Query{Vintage: indicators.AllVintages})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func testObservations_seesSnapshotDuringImport(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	MustSave(t, db, "pop", "1", pop("RUS", 2019, 1))
	// While an import holds the write lock, reads still answer with the committed data.
	_, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: "pop"}, func(yield func([]indicators.Observation) error) error {
		if err := yield([]indicators.Observation{pop("RUS", 2019, 2)}); err != nil {
			return err
		}
		obs, err := db.Observations(ctx, indicators.Query{})
		if err != nil {
			return err
		}
		if len(obs) != 1 || obs[0].Value != 1 {
			t.Errorf("read during import: %+v, want the committed value 1", obs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

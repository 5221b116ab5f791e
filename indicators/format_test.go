package indicators_test

import (
	"math"
	"sync"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func TestFormatValue(t *testing.T) {
	pop := indicators.LookupIndicator(indicators.PopulationCode).Unit
	gdp := indicators.LookupIndicator(indicators.GDPCode).Unit
	ppp := indicators.LookupIndicator(indicators.GDPPPPCode).Unit
	gas := indicators.LookupIndicator(indicators.GasExportsCode).Unit
	pct := indicators.UnitSpec{Percent: true}
	for _, tc := range []struct {
		v    float64
		u    indicators.UnitSpec
		want string
	}{
		{144_237_000, pop, "144.2 million people"},
		{4_512_000_000_000, gdp, "$4.5 trillion"},
		{4_000_000_000_000, gdp, "$4 trillion"},
		{6_123_000_000_000, ppp, "$6.1 trillion (PPP)"},
		{18.43, pct, "18.4%"},
		{-72.04, pct, "−72.0%"},
		{-0.04, pct, "−0.040%"},
		{-0.000_000_1, pct, "0.0%"},
		{0.0423, pct, "0.042%"},
		{21_340, gas, "21.3 billion m³"},
		{470, gas, "470 million m³"},
		{0.5, gas, "500,000 m³"},
		{52_180, indicators.UnitSpec{Noun: "people"}, "52,180 people"},
		{-1_234_000_000, gdp, "−$1.2 billion"},
		{math.NaN(), gdp, "no figure"},
		{999_960_000, gdp, "$1 billion"},
		{999_999.7, pop, "1 million people"},
		{999_999.2, pop, "999,999 people"},
		{999_940_000, gdp, "$999.9 million"},
	} {
		if got := indicators.FormatValue(tc.v, tc.u); got != tc.want {
			t.Errorf("FormatValue(%v, %+v) = %q, want %q", tc.v, tc.u, got, tc.want)
		}
	}
}

func TestFormatPercentAndNumber(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{indicators.FormatPercent(6.43, true), "+6.4%"},
		{indicators.FormatPercent(-68.57, true), "−68.6%"},
		{indicators.FormatPercent(0.01, true), "+0.010%"},
		{indicators.FormatPercent(-1e-9, true), "0.0%"},
		{indicators.FormatNumber(144_237_000.4), "144,237,000"},
		{indicators.FormatNumber(26_340.844), "26,340.84"},
		{indicators.FormatNumber(-3.5), "−3.5"},
		{indicators.FormatNumber(0.045_21), "0.0452"},
		{indicators.FormatNumber(-0.000_001), "0"},
		{indicators.FormatNumber(2000), "2,000"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestFormatConcurrently: pages, exports and jobs format at once; the shared
// printer must give every caller the figure it gives one caller alone.
func TestFormatConcurrently(t *testing.T) {
	values := make([]float64, 2000)
	want := make([]string, len(values))
	for i := range values {
		values[i] = float64(i*7919) * 1000.25
		want[i] = indicators.FormatNumber(values[i])
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for k := range values {
				i := (k + g*250) % len(values)
				if got := indicators.FormatNumber(values[i]); got != want[i] {
					errs <- got + " != " + want[i]
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

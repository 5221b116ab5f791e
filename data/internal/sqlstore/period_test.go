package sqlstore

import (
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func TestPeriodKey_roundTripAndOrder(t *testing.T) {
	var ps []indicators.Period
	for y := 1999; y <= 2001; y++ {
		ps = append(ps, indicators.Year(y))
		for q := 1; q <= 4; q++ {
			ps = append(ps, indicators.Quarter(y, q))
		}
		for m := 1; m <= 12; m++ {
			ps = append(ps, indicators.Month(y, m))
		}
	}
	for _, p := range ps {
		got, err := periodFromKey(periodKey(p))
		if err != nil || got != p {
			t.Errorf("round trip of %v: %v %v", p, got, err)
		}
		for _, q := range ps {
			if a, b := p.Compare(q), cmp64(periodKey(p), periodKey(q)); a != b {
				t.Errorf("%v vs %v: Compare %d, keys %d", p, q, a, b)
			}
		}
	}
}

func TestPeriodFromKey_invalid(t *testing.T) {
	for _, k := range []int64{0, periodKey(indicators.Month(2020, 2)) - 2, periodKey(indicators.Month(2020, 2)) - 1} {
		if p, err := periodFromKey(k); err == nil {
			t.Errorf("key %d decoded to %v", k, p)
		}
	}
}

func TestPeriodRange(t *testing.T) {
	tests := []struct {
		name     string
		from, to indicators.Period
		in, out  []indicators.Period
	}{
		{name: "year", from: indicators.Year(2020), to: indicators.Year(2020),
			in:  []indicators.Period{indicators.Year(2020), indicators.Quarter(2020, 4), indicators.Month(2020, 12)},
			out: []indicators.Period{indicators.Year(2019), indicators.Month(2019, 12), indicators.Year(2021)}},
		{name: "quarter", from: indicators.Quarter(2020, 2), to: indicators.Quarter(2020, 2),
			in:  []indicators.Period{indicators.Quarter(2020, 2), indicators.Month(2020, 4), indicators.Month(2020, 6)},
			out: []indicators.Period{indicators.Year(2020), indicators.Month(2020, 3), indicators.Month(2020, 7), indicators.Quarter(2020, 3)}},
		{name: "open", in: []indicators.Period{indicators.Year(1000), indicators.Month(9999, 12)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := periodRange(tt.from, tt.to)
			inside := func(p indicators.Period) bool {
				k := periodKey(p)
				return k >= lo && (hi == 0 || k < hi)
			}
			for _, p := range tt.in {
				if !inside(p) {
					t.Errorf("%v not in range", p)
				}
			}
			for _, p := range tt.out {
				if inside(p) {
					t.Errorf("%v in range", p)
				}
			}
		})
	}
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

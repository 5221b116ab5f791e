package sqlstore

import (
	"fmt"

	"github.com/clout-dev/clout/indicators"
)

// periodKey encodes p as an integer that sorts like indicators.Period.Compare:
// the start month (year*12 + month-1), then the frequency (coarser first).
func periodKey(p indicators.Period) int64 {
	m := 0
	switch p.Freq {
	case indicators.Quarterly:
		m = (p.Sub - 1) * 3
	case indicators.Monthly:
		m = p.Sub - 1
	}
	return int64(p.Year*12+m)*4 + int64(p.Freq)
}

// periodFromKey decodes periodKey.
func periodFromKey(k int64) (indicators.Period, error) {
	f := indicators.Frequency(k % 4)
	start := int(k / 4)
	y, m := start/12, start%12+1
	switch f {
	case indicators.Annual:
		if m == 1 {
			return indicators.Year(y), nil
		}
	case indicators.Quarterly:
		if (m-1)%3 == 0 {
			return indicators.Quarter(y, (m-1)/3+1), nil
		}
	case indicators.Monthly:
		return indicators.Month(y, m), nil
	}
	return indicators.Period{}, fmt.Errorf("stored period %d is invalid", k)
}

// periodRange turns a query's inclusive From/To into a half-open key range
// [lo, hi). From keeps Compare's meaning (from=2020-Q2 excludes the year 2020,
// which starts earlier); To includes every period that starts within it, so
// to=2020 includes 2020-12 and 2020-Q4. Zero bounds are open (hi = 0 means none).
func periodRange(from, to indicators.Period) (lo, hi int64) {
	if !from.IsZero() {
		lo = periodKey(from)
	}
	if !to.IsZero() {
		last := int64(to.Year*12) + 11 // December of to's year
		switch to.Freq {
		case indicators.Quarterly:
			last = int64(to.Year*12 + to.Sub*3 - 1)
		case indicators.Monthly:
			last = int64(to.Year*12 + to.Sub - 1)
		}
		hi = (last + 1) * 4
	}
	return lo, hi
}

// validPeriod reports whether p can be stored.
func validPeriod(p indicators.Period) bool {
	switch p.Freq {
	case indicators.Annual:
		return p.Sub == 0
	case indicators.Quarterly:
		return p.Sub >= 1 && p.Sub <= 4
	case indicators.Monthly:
		return p.Sub >= 1 && p.Sub <= 12
	}
	return false
}

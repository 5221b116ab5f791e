package indicators

import (
	"fmt"
	"strconv"
	"strings"
)

// Frequency is how often a series is observed.
type Frequency uint8

// Frequencies, ordered from the coarsest.
const (
	Annual Frequency = iota + 1
	Quarterly
	Monthly
)

// String returns "annual", "quarterly" or "monthly".
func (f Frequency) String() string {
	switch f {
	case Annual:
		return "annual"
	case Quarterly:
		return "quarterly"
	case Monthly:
		return "monthly"
	}
	return "unknown"
}

// Period is a calendar year, quarter or month: 2019, 2020-Q1, 2020-04.
// The zero Period is "no period". Periods are comparable and usable as map keys.
type Period struct {
	Year int
	Freq Frequency
	Sub  int // quarter 1–4 or month 1–12; 0 for annual
}

// Year returns the annual period y.
func Year(y int) Period { return Period{Year: y, Freq: Annual} }

// Month returns the monthly period y-m.
func Month(y, m int) Period { return Period{Year: y, Freq: Monthly, Sub: m} }

// Quarter returns the quarterly period y-Qq.
func Quarter(y, q int) Period { return Period{Year: y, Freq: Quarterly, Sub: q} }

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p.Freq == 0 }

// String formats p as YYYY, YYYY-MM or YYYY-Qn.
func (p Period) String() string {
	switch p.Freq {
	case Annual:
		return strconv.Itoa(p.Year)
	case Quarterly:
		return fmt.Sprintf("%d-Q%d", p.Year, p.Sub)
	case Monthly:
		return fmt.Sprintf("%d-%02d", p.Year, p.Sub)
	}
	return ""
}

// MarshalText implements encoding.TextMarshaler.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Period) UnmarshalText(b []byte) error {
	q, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// ParsePeriod reads a period as spreadsheets and sources write it: 2019, 2019.0,
// "2019 [YR2019]", 2020-04, 2020-4, 2020M04, 2020/04, 2020-Q1, 2020Q1, 2020 Q1.
func ParsePeriod(s string) (Period, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if i := strings.Index(t, " [YR"); i > 0 { // World Bank DataBank: "2019 [YR2019]"
		t = t[:i]
	}
	t = strings.TrimSuffix(t, ".0")
	bad := Errorf(EINVALID, "%q is not a period (use 2019, 2020-04 or 2020-Q1)", s)
	if len(t) < 4 {
		return Period{}, bad
	}
	y, err := strconv.Atoi(t[:4])
	if err != nil || y < 1000 || y > 9999 {
		return Period{}, bad
	}
	rest := strings.TrimLeft(t[4:], "-/ ")
	if len(t) == 4 {
		return Year(y), nil
	}
	if rest == "" {
		return Period{}, bad
	}
	switch rest[0] {
	case 'Q':
		q, err := strconv.Atoi(rest[1:])
		if err != nil || q < 1 || q > 4 {
			return Period{}, bad
		}
		return Quarter(y, q), nil
	case 'M':
		rest = rest[1:]
	}
	m, err := strconv.Atoi(rest)
	if err != nil || m < 1 || m > 12 || len(rest) > 2 {
		return Period{}, bad
	}
	return Month(y, m), nil
}

// MustPeriod is ParsePeriod for literals known to be valid; it panics otherwise.
func MustPeriod(s string) Period {
	p, err := ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Compare orders periods by their start date, then coarser first (2020 < 2020-Q1 <
// 2020-01 < 2020-02). It returns -1, 0 or +1.
func (p Period) Compare(q Period) int {
	a, b := p.startMonth(), q.startMonth()
	switch {
	case a != b:
		return cmpInt(a, b)
	case p.Freq != q.Freq:
		return cmpInt(int(p.Freq), int(q.Freq))
	}
	return 0
}

// Before reports whether p sorts before q.
func (p Period) Before(q Period) bool { return p.Compare(q) < 0 }

// PreviousYear returns the same period one year earlier (2020-04 → 2019-04).
func (p Period) PreviousYear() Period { p.Year--; return p }

// Contains reports whether q lies within p (2020 contains 2020-04 and 2020-Q2).
func (p Period) Contains(q Period) bool {
	if p.Year != q.Year {
		return false
	}
	switch p.Freq {
	case Annual:
		return true
	case Quarterly:
		return q.Freq == Monthly && (q.Sub-1)/3+1 == p.Sub || q == p
	}
	return p == q
}

func (p Period) startMonth() int {
	m := 1
	switch p.Freq {
	case Quarterly:
		m = (p.Sub-1)*3 + 1
	case Monthly:
		m = p.Sub
	}
	return p.Year*12 + m - 1
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

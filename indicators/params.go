package indicators

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Latest is the value of a year parameter that asks for the chart's default year.
const Latest = "latest"

// paramReader reads a chart's parameters against its specs: a missing or empty
// parameter takes the spec's default; the first bad one is kept as an EINVALID
// *Error that names it. Parameters a chart does not know are ignored (pages and
// exports carry others, such as v or width).
type paramReader struct {
	p     Params
	specs []ParamSpec
	err   error
}

func newParamReader(p Params, specs []ParamSpec) *paramReader {
	return &paramReader{p: p, specs: specs}
}

func (r *paramReader) raw(name string) string {
	i := slices.IndexFunc(r.specs, func(s ParamSpec) bool { return s.Name == name })
	if i < 0 {
		panic("indicators: chart reads undeclared parameter " + name)
	}
	return cmp.Or(strings.TrimSpace(r.p[name]), r.specs[i].Default)
}

func (r *paramReader) fail(name, format string, args ...any) {
	if r.err == nil {
		r.err = Errorf(EINVALID, "%s: "+format, append([]any{name}, args...)...)
	}
}

// year reads a year; "latest" (or empty) gives 0.
func (r *paramReader) year(name string) int {
	s := r.raw(name)
	if s == "" || strings.EqualFold(s, Latest) {
		return 0
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1000 || y > 9999 {
		r.fail(name, "%q is not a year (use e.g. 2019 or %s)", s, Latest)
		return 0
	}
	return y
}

// period reads an optional period bound.
func (r *paramReader) period(name string) Period {
	s := r.raw(name)
	if s == "" {
		return Period{}
	}
	p, err := ParsePeriod(s)
	if err != nil {
		r.fail(name, "%q is not a period (use 2019, 2020-04 or 2020-Q1)", s)
	}
	return p
}

// countries reads a list of countries and groups; required lists must not be empty.
func (r *paramReader) countries(name string, required bool) []string {
	s := r.raw(name)
	codes, err := ExpandCountries(s)
	switch {
	case err != nil:
		r.fail(name, "%s", ErrorMessage(err))
	case required && len(codes) == 0:
		r.fail(name, "give at least one country or group (e.g. TUR,AZE or FSU-CORE)")
	}
	return codes
}

// country reads one optional country.
func (r *paramReader) country(name string) string {
	s := r.raw(name)
	if s == "" {
		return ""
	}
	code, err := ResolveCountry(s)
	if err != nil {
		r.fail(name, "%s", ErrorMessage(err))
	}
	return code
}

func (r *paramReader) number(name string, lo, hi float64) float64 {
	s := r.raw(name)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < lo || v > hi {
		r.fail(name, "%q is not a number from %g to %g", s, lo, hi)
	}
	return v
}

func (r *paramReader) integer(name string, lo, hi int) int {
	s := r.raw(name)
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		r.fail(name, "%q is not a whole number from %d to %d", s, lo, hi)
	}
	return v
}

func (r *paramReader) enum(name string) string {
	s := strings.ToLower(r.raw(name))
	i := slices.IndexFunc(r.specs, func(sp ParamSpec) bool { return sp.Name == name })
	if !slices.Contains(r.specs[i].Options, s) {
		r.fail(name, "%q is not one of %s", s, strings.Join(r.specs[i].Options, ", "))
	}
	return s
}

// indicator reads an indicator code (IsIndicatorCode).
func (r *paramReader) indicator(name string) string {
	s := r.raw(name)
	if !IsIndicatorCode(s) {
		r.fail(name, "%s is not an indicator code (e.g. %s)", quoteClipped(s), PopulationCode)
	}
	return s
}

// vintage reads a vintage name ("2023-05", IsVintage); empty or "newest" is
// NewestVintage.
func (r *paramReader) vintage(name string) string {
	s := r.raw(name)
	if s == "" || strings.EqualFold(s, "newest") || strings.EqualFold(s, Latest) {
		return NewestVintage
	}
	if !IsVintage(s) {
		r.fail(name, "%s is not a vintage (e.g. 2023-05, or empty for the newest)", quoteClipped(s))
	}
	return s
}

// queryTo widens an upper bound so that a store comparing periods by their start
// still returns every finer period inside it (to = 2020 must return 2020-12).
func queryTo(to Period) Period {
	if to.IsZero() || to.Freq == Monthly {
		return to
	}
	return Month(to.Year, (to.endMonth()%12)+1)
}

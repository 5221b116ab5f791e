package indicators

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/biter777/countries"
	"golang.org/x/text/unicode/norm"
)

// Country is one entry of the registry: an ISO 3166-1 country, a historical or
// statistical economy without a current ISO code, or an aggregate.
type Country struct {
	Code      string `json:"code"`              // ISO 3166-1 alpha-3 or aggregate code
	Alpha2    string `json:"alpha2,omitempty"`  // ISO 3166-1 alpha-2, "" for non-ISO codes
	Numeric   string `json:"numeric,omitempty"` // ISO 3166-1 numeric ("643"), the id of world-atlas map shapes
	Name      string `json:"name"`              // short English display name
	Aggregate bool   `json:"aggregate,omitempty"`
	IMF       int    `json:"imf,omitempty"` // IMF numeric code, 0 if not known
}

// Countries is an immutable registry of countries, aggregates and their names.
// Build it once with NewCountries (or use DefaultCountries) and share it freely:
// no method modifies it.
type Countries struct {
	byCode  map[string]*Country // alpha-3 and aggregate codes
	byAlpha map[string]string   // alpha-2 → code
	byName  map[string]string   // normalised name or variant → code
	byIMF   map[int]string
	list    []*Country // ordered by code
	groups  map[string]Group
}

// defaultCountries is built once on first use and never modified afterwards.
var defaultCountries = sync.OnceValue(NewCountries)

// DefaultCountries returns the shared registry, built on first use.
func DefaultCountries() *Countries { return defaultCountries() }

// NewCountries builds the registry from ISO 3166 (github.com/biter777/countries)
// and Clout's own tables (country_data.go). It panics if two entries claim the same
// name for different codes: that is a bug in the tables, caught by the tests.
func NewCountries() *Countries {
	c := &Countries{
		byCode:  map[string]*Country{},
		byAlpha: map[string]string{},
		byName:  map[string]string{},
		byIMF:   map[int]string{},
	}
	for _, iso := range countries.All() {
		code := iso.Alpha3()
		name := cmp.Or(displayNames[code], iso.String())
		e := &Country{Code: code, Alpha2: iso.Alpha2(), Numeric: fmt.Sprintf("%03d", int(iso)), Name: name}
		c.add(e, iso.String())
	}
	for _, e := range extraEconomies {
		c.add(&Country{Code: e.code, Name: e.name})
	}
	for _, a := range aggregates {
		c.add(&Country{Code: a.code, Name: a.name, Aggregate: true}, a.variants...)
	}
	for code, vs := range countryVariants {
		c.mustKnow(code)
		for _, v := range vs {
			c.addName(v, code)
		}
	}
	for n, code := range imfCodes {
		c.mustKnow(code).IMF = n
		c.byIMF[n] = code
	}
	for _, e := range c.byCode {
		c.list = append(c.list, e)
	}
	slices.SortFunc(c.list, func(a, b *Country) int { return strings.Compare(a.Code, b.Code) })
	c.groups = newGroups(c)
	return c
}

func (c *Countries) add(e *Country, names ...string) {
	if _, dup := c.byCode[e.Code]; dup {
		panic("indicators: duplicate country code " + e.Code)
	}
	c.byCode[e.Code] = e
	if e.Alpha2 != "" {
		c.byAlpha[e.Alpha2] = e.Code
	}
	c.addName(e.Name, e.Code)
	for _, n := range names {
		c.addName(n, e.Code)
	}
}

func (c *Countries) addName(name, code string) {
	k := normalizeName(name)
	if old, ok := c.byName[k]; ok && old != code {
		panic(fmt.Sprintf("indicators: country name %q claimed by %s and %s", name, old, code))
	}
	c.byName[k] = code
}

func (c *Countries) mustKnow(code string) *Country {
	e, ok := c.byCode[code]
	if !ok {
		panic("indicators: country table names unknown code " + code)
	}
	return e
}

// Resolve returns the ISO3 (or aggregate) code for s: an ISO alpha-3 or alpha-2
// code, an IMF numeric code, an aggregate code, an English name or a statistical
// office's variant ("Russian Federation", "Korea, Rep.", "Türkiye, Rep. of").
// Case, diacritics, punctuation and extra spaces do not matter. An unknown s is an
// EINVALID *Error that suggests the closest names.
func (c *Countries) Resolve(s string) (string, error) {
	if code, ok := c.lookup(s); ok {
		return code, nil
	}
	msg := fmt.Sprintf("unknown country %q", strings.TrimSpace(s))
	if sug := c.Suggest(s); len(sug) > 0 {
		msg += "; did you mean " + strings.Join(sug, ", ") + "?"
	}
	return "", Errorf(EINVALID, "%s", msg)
}

func (c *Countries) lookup(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if len(t) <= 3 {
		up := strings.ToUpper(t)
		if _, ok := c.byCode[up]; ok {
			return up, true
		}
		if code, ok := c.byAlpha[up]; ok {
			return code, true
		}
	}
	if isDigits(t) {
		n, err := strconv.Atoi(t)
		code, ok := c.byIMF[n]
		return code, ok && err == nil
	}
	if code, ok := c.byName[normalizeName(t)]; ok {
		return code, true
	}
	// The library knows more spellings (and transliterations) of ISO names; it
	// is asked last and only for names, because it also maps some three-letter
	// codes of its own (e.g. XEN) that Clout uses differently.
	if len([]rune(t)) > 3 {
		if iso := countries.ByName(t); iso.IsValid() {
			if code := iso.Alpha3(); c.byCode[code] != nil {
				return code, true
			}
		}
	}
	return "", false
}

// Suggest returns up to three display names close to s (by edit distance of the
// normalised names, then by shared words), best first; nil if none is close.
func (c *Countries) Suggest(s string) []string {
	q := normalizeName(s)
	if q == "" {
		return nil
	}
	best := map[string]int{} // code → best score (lower is better)
	for name, code := range c.byName {
		score, ok := nameScore(q, name)
		if !ok {
			continue
		}
		if old, seen := best[code]; !seen || score < old {
			best[code] = score
		}
	}
	codes := make([]string, 0, len(best))
	for code := range best {
		codes = append(codes, code)
	}
	slices.SortFunc(codes, func(a, b string) int {
		return cmp.Or(cmp.Compare(best[a], best[b]), strings.Compare(c.Name(a), c.Name(b)))
	})
	out := []string{}
	for _, code := range codes[:min(3, len(codes))] {
		out = append(out, c.Name(code))
	}
	return out
}

// nameScore rates how close a query is to a known name: the edit distance when it
// is small for the length, or a weaker score for a shared significant word.
func nameScore(q, name string) (int, bool) {
	d := levenshtein(q, name)
	if d <= max(1, min(len([]rune(q)), len([]rune(name)))/3) {
		return d, true
	}
	for _, w := range strings.Fields(q) {
		if len(w) < 4 || stopWords[w] {
			continue
		}
		for _, v := range strings.Fields(name) {
			if v == w || commonPrefix(v, w) >= 5 {
				return 100 + d, true
			}
		}
	}
	return 0, false
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

var stopWords = map[string]bool{
	"republic": true, "islands": true, "island": true, "democratic": true, "people": true,
	"peoples": true, "state": true, "states": true, "united": true, "kingdom": true,
	"federal": true, "federation": true, "north": true, "south": true, "east": true,
	"west": true, "and": true, "the": true, "saint": true, "income": true, "excluding": true,
	"high": true, "countries": true, "economies": true, "emerging": true, "developing": true,
}

// IsAggregate reports whether code is an aggregate (World, a region, an income
// group, an IMF area) rather than one economy.
func (c *Countries) IsAggregate(code string) bool {
	e := c.byCode[code]
	return e != nil && e.Aggregate
}

// Name returns the short English display name of code ("Russia", "Turkey"), or
// code itself if it is unknown.
func (c *Countries) Name(code string) string {
	if e := c.byCode[code]; e != nil {
		return e.Name
	}
	return code
}

// Lookup returns the registry entry of a code.
func (c *Countries) Lookup(code string) (Country, bool) {
	e := c.byCode[code]
	if e == nil {
		return Country{}, false
	}
	return *e, true
}

// ByIMF returns the code for an IMF numeric country code.
func (c *Countries) ByIMF(n int) (string, bool) {
	code, ok := c.byIMF[n]
	return code, ok
}

// All returns every entry, ordered by code.
func (c *Countries) All() []Country {
	out := make([]Country, len(c.list))
	for i, e := range c.list {
		out[i] = *e
	}
	return out
}

// ResolveCountry resolves s with the default registry (see Countries.Resolve).
func ResolveCountry(s string) (string, error) { return DefaultCountries().Resolve(s) }

// CountryName returns the display name of code from the default registry.
func CountryName(code string) string { return DefaultCountries().Name(code) }

// IsAggregate reports whether code is an aggregate in the default registry.
func IsAggregate(code string) bool { return DefaultCountries().IsAggregate(code) }

// normalizeName folds a name for matching: lower case, no diacritics, "&" as
// "and", apostrophes dropped, other punctuation as spaces, spaces collapsed.
func normalizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	if !isASCII(s) {
		s = norm.NFD.String(s) // split letters from their diacritics
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'', r == '’', r == '`', r >= 0x80 && unicode.Is(unicode.Mn, r):
			continue
		case r == '&':
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("and")
			space = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			if r < 0x80 {
				b.WriteRune(r)
			} else {
				b.WriteString(foldLetter(r))
			}
		default:
			space = true
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// foldLetter spells letters that Unicode does not decompose into a base letter
// plus a mark.
func foldLetter(r rune) string {
	switch r {
	case 'ı':
		return "i"
	case 'ø':
		return "o"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ß':
		return "ss"
	case 'ł':
		return "l"
	case 'đ':
		return "d"
	}
	return string(r)
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

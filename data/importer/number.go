package importer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// numKind says what a value cell held.
type numKind uint8

const (
	numValue   numKind = iota // a number
	numMissing                // a missing marker or an empty cell
	numPercent                // a number written with a percent sign
)

// missingMarkers are the texts statistical offices write for "no figure".
var missingMarkers = map[string]bool{
	"": true, "..": true, "...": true, "…": true, "-": true, "–": true, "—": true,
	"n/a": true, "na": true, "n.a.": true, ":": true,
}

// decimal hints: which mark a file uses for decimals when a text alone is ambiguous.
const (
	hintNone  byte = 0
	hintDot   byte = '.'
	hintComma byte = ','
)

// parseNumber reads a value cell: numbers as machines write them, and texts with a
// "." or "," decimal mark and space, no-break space, thin space, "," or "." thousands
// separators where the reading is unambiguous. hint is the decimal mark the file's
// delimiter implies (',' for ";"-delimited csv), or hintNone. It never turns a text
// it cannot read into 0: that is an error.
func parseNumber(s string, hint byte) (float64, numKind, error) {
	if v, ok := fastFloat(s, hint); ok {
		return v, numValue, nil
	}
	t := trimSpace(s)
	if len(t) <= 4 && missingMarkers[strings.ToLower(t)] {
		return 0, numMissing, nil
	}
	kind := numValue
	if strings.HasSuffix(t, "%") {
		kind = numPercent
		t = trimSpace(strings.TrimSuffix(t, "%"))
	}
	neg := false
	switch {
	case strings.HasPrefix(t, "-"), strings.HasPrefix(t, "+"):
		neg = t[0] == '-'
		t = t[1:]
	case strings.HasPrefix(t, "−"): // U+2212 minus sign
		neg = true
		t = t[len("−"):]
	}
	norm, err := normaliseDigits(t, hint)
	if err != nil {
		return 0, 0, fmt.Errorf("%q %s", s, err.Error())
	}
	v, perr := strconv.ParseFloat(norm, 64)
	if perr != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		if perr != nil && strings.Contains(perr.Error(), "range") {
			return 0, 0, fmt.Errorf("%q is out of range", s)
		}
		return 0, 0, fmt.Errorf("%q is not a number", s)
	}
	if neg {
		v = -v
	}
	return v, kind, nil
}

// fastFloat parses the common machine form (digits, one '.', exponent) without
// allocating; anything else goes the slow way.
func fastFloat(s string, hint byte) (float64, bool) {
	if s == "" || len(s) > 32 {
		return 0, false
	}
	dots := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == 'e', c == 'E':
		case c == '-' || c == '+':
		case c == '.':
			dots++
		default:
			return 0, false
		}
	}
	if dots > 1 {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	if dots == 1 && hint == hintComma && isThousandsGroupedDot(s) {
		return 0, false // "1.234" may be a thousands separator: decide in the slow path
	}
	return v, true
}

// isThousandsGroupedDot reports whether s looks like "1.234" (one dot followed by
// exactly three digits and no exponent): only ambiguous under a ',' decimal hint.
func isThousandsGroupedDot(s string) bool {
	frac := s[strings.IndexByte(s, '.')+1:]
	return len(frac) == 3 && !strings.ContainsAny(s, "eE")
}

// spaceSeparators are characters used as thousands separators (and trimmed around
// numbers): space, no-break space, thin spaces, figure space, apostrophe.
func isSpaceSep(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u2009', '\u202f', '\u2007', '\'':
		return true
	}
	return false
}

func trimSpace(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u00a0' || r == '\u2009' || r == '\u202f' || r == '\u2007' || r == '\ufeff'
	})
}

// normaliseDigits turns the digits of a number written with local marks into the
// form strconv reads ("1 234,5" → "1234.5"), or says why it cannot.
func normaliseDigits(t string, hint byte) (string, error) {
	if t == "" {
		return "", errNotNumber
	}
	var b strings.Builder
	b.Grow(len(t))
	spaced := false
	for _, r := range t {
		switch {
		case isSpaceSep(r):
			spaced = true
			b.WriteByte(' ')
		case r < utf8.RuneSelf && (r >= '0' && r <= '9' || r == '.' || r == ','):
			b.WriteRune(r)
		case r == 'e' || r == 'E':
			b.WriteRune(r)
		case (r == '+' || r == '-') && b.Len() > 0 && (b.String()[b.Len()-1]|0x20) == 'e':
			b.WriteRune(r)
		default:
			return "", errNotNumber
		}
	}
	t = b.String()
	if strings.ContainsAny(t, "eE") {
		return exponentForm(t)
	}
	if spaced {
		var err error
		if t, err = dropGroups(t, ' '); err != nil {
			return "", err
		}
	}
	commas, dots := strings.Count(t, ","), strings.Count(t, ".")
	switch {
	case commas > 0 && dots > 0:
		lastC, lastD := strings.LastIndexByte(t, ','), strings.LastIndexByte(t, '.')
		dec, thou := byte('.'), byte(',')
		if lastC > lastD {
			dec, thou = ',', '.'
		}
		if strings.Count(t, string(dec)) != 1 || spaced {
			return "", errNotNumber
		}
		i := strings.IndexByte(t, dec)
		intPart, err := dropGroups(t[:i], thou)
		if err != nil {
			return "", err
		}
		return intPart + "." + t[i+1:], nil
	case commas == 1 && dots == 0:
		return oneMark(t, ',', hint == hintComma || spaced, hint == hintDot && !spaced)
	case dots == 1 && commas == 0:
		return oneMark(t, '.', hint != hintComma || spaced, false)
	case commas > 1 && dots == 0 && !spaced:
		return dropGroups(t, ',')
	case dots > 1 && commas == 0 && !spaced:
		return dropGroups(t, '.')
	case commas == 0 && dots == 0:
		return t, nil
	}
	return "", errNotNumber
}

// oneMark reads a number with a single ',' or '.'. decimal/thousands say whether the
// file's conventions settle the meaning of a mark followed by exactly three digits.
func oneMark(t string, mark byte, decimal, thousands bool) (string, error) {
	i := strings.IndexByte(t, mark)
	intPart, frac := t[:i], t[i+1:]
	if intPart == "" && frac == "" {
		return "", errNotNumber
	}
	if len(frac) != 3 || intPart == "" || intPart == "0" || len(intPart) > 3 {
		if frac == "" {
			return "", errNotNumber
		}
		if intPart == "" {
			intPart = "0"
		}
		return intPart + "." + frac, nil // "12,5", "0,123", "1234,567": only a decimal reading works
	}
	switch {
	case decimal && !thousands:
		return intPart + "." + frac, nil
	case thousands && !decimal:
		return intPart + frac, nil
	}
	return "", fmt.Errorf("is ambiguous: write %s%s or %s.%s", intPart, frac, intPart, frac)
}

// dropGroups removes a thousands separator after checking the groups are well formed
// ("1,234,567"; not "12,3,4").
func dropGroups(t string, sep byte) (string, error) {
	parts := strings.Split(t, string(sep))
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return "", errNotNumber
	}
	for i, p := range parts {
		if i > 0 && len(p) != 3 {
			// the last group may carry a decimal part: "1 234,5"
			if i == len(parts)-1 && sep == ' ' && len(p) > 3 && (p[3] == ',' || p[3] == '.') {
				continue
			}
			return "", errNotNumber
		}
	}
	return strings.Join(parts, ""), nil
}

// exponentForm accepts "1.5E+09" and "1,5E+09" (a lone comma is a decimal mark
// before an exponent).
func exponentForm(t string) (string, error) {
	if strings.ContainsRune(t, ' ') || strings.Count(t, ",")+strings.Count(t, ".") > 1 {
		return "", errNotNumber
	}
	return strings.Replace(t, ",", ".", 1), nil
}

type numberError string

func (e numberError) Error() string { return string(e) }

const errNotNumber = numberError("is not a number")

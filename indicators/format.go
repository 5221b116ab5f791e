package indicators

import (
	"math"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// minus is the sign written before negative figures: a real minus sign, not a
// hyphen, so that "−72%" reads (and is read aloud) as a negative number.
const minus = "−"

// english writes numbers in the one style of every page and export. It is
// read-only: each Sprint works on its own copy, so it is safe to share.
var english = message.NewPrinter(language.English)

// FormatValue writes a figure for readers in its unit and at a readable
// magnitude: "144.2 million people", "$4.5 trillion", "$6.1 trillion (PPP)",
// "18.4%", "21.3 billion m³" (from 21,300 in a "million m3" unit). Figures keep
// about three significant digits: one decimal, dropped when it is zero ("$4
// trillion", "470 million m³"), except in percentages, which always keep it so
// that shares side by side read alike ("6.0–7.0%"). A figure that rounds to
// zero is "0", never "−0". Not-a-number and infinite figures are "no figure".
func FormatValue(v float64, u UnitSpec) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "no figure"
	}
	if u.Percent {
		s := formatFixed(v, fractionDigits(v)) + "%"
		if u.Noun != "" {
			s += " " + u.Noun
		}
		return s
	}
	real := v * math.Pow10(u.Base)
	m := readingMagnitude(real)
	scaled := real / m.Factor()
	digits := fractionDigits(scaled)
	if m.Word == "" && math.Abs(scaled) >= 1000 {
		digits = 0
	}
	num := formatDigits(scaled, digits)
	neg := strings.HasPrefix(num, minus)
	num = strings.TrimPrefix(num, minus)
	if u.Currency != "" {
		num = currencySign(u.Currency) + num
	}
	if neg {
		num = minus + num
	}
	parts := []string{num}
	if m.Word != "" {
		parts = append(parts, m.Word)
	}
	if u.Noun != "" {
		parts = append(parts, u.Noun)
	}
	if u.International {
		parts = append(parts, "(PPP)")
	}
	return strings.Join(parts, " ")
}

// readingMagnitude is MagnitudeOf for a figure as it will be written: one
// that rounds up to the next named power of ten is read in it ("1 billion",
// not "1,000 million").
func readingMagnitude(v float64) Magnitude {
	m := MagnitudeOf(v)
	for i := len(magnitudes) - 1; i >= 0; i-- {
		next := magnitudes[i]
		if next.Exp <= m.Exp {
			continue
		}
		unit := 0.05 * m.Factor() // half the last digit written: one decimal of a named magnitude
		if m.Word == "" {
			unit = 0.5 // whole figures below a million
		}
		if math.Abs(v) >= next.Factor()-unit {
			return next
		}
		break
	}
	return m
}

// FormatPercent writes a percentage as FormatValue does, with an explicit
// plus sign for a positive change when signed: "+6.4%", "−72%".
func FormatPercent(v float64, signed bool) string {
	s := FormatValue(v, UnitSpec{Percent: true})
	if signed && !strings.HasPrefix(s, minus) && strings.ContainsAny(s, "123456789") {
		s = "+" + s
	}
	return s
}

// FormatNumber writes a table cell's figure as it is, with no unit or
// magnitude word: thousands separated by commas, large figures whole, others
// with up to two decimals (four below 0.1): "144,200,000", "26,340.84",
// "18.43", "0.0452".
func FormatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "no figure"
	}
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return formatDigits(v, 0)
	case a != 0 && a < 0.1:
		return formatDigits(v, 4)
	}
	return formatDigits(v, 2)
}

// formatExact writes a figure as given, in the same style: thresholds and
// margins a reader typed ("2.25%", "±2"), which rounding would change.
func formatExact(v float64) string { return formatDigits(v, 6) }

// fractionDigits is how many decimals keep about three significant digits of a
// figure read at its magnitude: one from 1 up, two significant digits below
// (0.042%), and one below a thousandth, which reads as zero.
func fractionDigits(v float64) int {
	a := math.Abs(v)
	if a >= 1 || a < 0.001 {
		return 1
	}
	return 1 - int(math.Floor(math.Log10(a)))
}

// formatFixed is formatDigits keeping trailing zeros: "6.0".
func formatFixed(v float64, digits int) string {
	p := math.Pow10(digits)
	r := math.Round(v*p) / p
	if r == 0 {
		r = 0
	}
	s := english.Sprint(number.Decimal(math.Abs(r), number.Scale(digits)))
	if r < 0 {
		return minus + s
	}
	return s
}

// formatDigits rounds v to at most digits decimals and writes it in English
// with thousands separators, dropping trailing zeros and the sign of a zero.
func formatDigits(v float64, digits int) string {
	p := math.Pow10(digits)
	r := math.Round(v*p) / p
	if r == 0 {
		r = 0 // no "−0"
	}
	s := english.Sprint(number.Decimal(math.Abs(r), number.MaxFractionDigits(digits)))
	if r < 0 {
		return minus + s
	}
	return s
}

// currencySign is the sign a currency's figures are written with: "$" for US
// dollars, the ISO code and a space for others ("EUR 4.5 billion").
func currencySign(code string) string {
	if code == "USD" {
		return "$"
	}
	return code + " "
}

package indicators

import "math"

// Magnitude is a power of ten figures are read in: 6 and "million" for
// "144.2 million people", 12 and "trillion" for "$4.5 trillion".
type Magnitude struct {
	Exp  int    `json:"exp"`
	Word string `json:"word,omitempty"`
}

// Factor is 10^Exp.
func (m Magnitude) Factor() float64 { return math.Pow10(m.Exp) }

// magnitudes are the named powers of ten, largest first (short scale).
var magnitudes = []Magnitude{{12, "trillion"}, {9, "billion"}, {6, "million"}}

// MagnitudeOf returns the magnitude to read a figure (or a set of figures
// whose largest absolute value is v) in: the largest named power of ten not
// above it, or none below a million, where digits read well as they are.
func MagnitudeOf(v float64) Magnitude {
	v = math.Abs(v)
	for _, m := range magnitudes {
		if v >= m.Factor() {
			return m
		}
	}
	return Magnitude{}
}

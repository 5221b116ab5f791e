package indicators

import (
	"cmp"
	"iter"
	"slices"
)

// Canonical indicator codes read by the built-in charts; imports map each
// source's codes onto these. The codes of alternative trade sources (customs,
// WTO, quoted turnover) are in basis.go.
const (
	PopulationCode = "SP.POP.TOTL"
	GDPPPPCode     = "NY.GDP.MKTP.PP.CD"
	GDPCode        = "NY.GDP.MKTP.CD"
	// GDPPerCapitaPPPCode: GDP per person (PPP), from which the seed derives
	// GDP (PPP) where a release lacks it.
	GDPPerCapitaPPPCode = "NY.GDP.PCAP.PP.CD"
	ExportsCode         = "TXG_FOB_USD"
	ImportsCode         = "TMG_CIF_USD"
	GasExportsCode      = "NATGAS_EXP_MCM"
)

// Observation is one number: an indicator's value for a country (and, for bilateral
// flows, a partner) in a period, as published in one vintage of its source.
type Observation struct {
	Indicator string  `json:"indicator"`
	Country   string  `json:"country"`           // ISO3 or aggregate code
	Partner   string  `json:"partner,omitempty"` // ISO3 of the counterpart, "" if none
	Period    Period  `json:"period"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit,omitempty"`
	Source    string  `json:"source,omitempty"`
	// Vintage names the release of the source the figure comes from ("2023-05",
	// "2026-07"; "" for none). Sources revise past figures: two vintages of one
	// figure are two observations, kept side by side.
	Vintage string `json:"vintage,omitempty"`
	// Flags say how the figure falls short of a plain statistical release.
	Flags []Flag `json:"flags,omitempty"`
	// Note says what a derived figure is derived from (or any other caveat).
	Note string `json:"note,omitempty"`
}

// Key identifies the cell an observation fills; two datasets giving the same key
// overlap, and the later import wins. Vintages are part of the key: a 2026
// release of a figure does not replace the 2023 release, it stands beside it.
type Key struct {
	Indicator, Country, Partner string
	Period                      Period
	Vintage                     string
}

// KeySet is a set of keys: an import's, whose overlaps with the other datasets
// the store counts. A store reads whichever side is smaller: the other dataset's
// keys, asking Contains of each, or the set's, looking each up.
type KeySet interface {
	Len() int
	Contains(Key) bool
	All() iter.Seq[Key]
}

// KeyList is a KeySet of listed keys (a key listed twice counts once).
type KeyList map[Key]struct{}

// NewKeyList returns the set of keys.
func NewKeyList(keys ...Key) KeyList {
	l := make(KeyList, len(keys))
	for _, k := range keys {
		l[k] = struct{}{}
	}
	return l
}

func (l KeyList) Len() int { return len(l) }

func (l KeyList) Contains(k Key) bool {
	_, ok := l[k]
	return ok
}

func (l KeyList) All() iter.Seq[Key] {
	return func(yield func(Key) bool) {
		for k := range l {
			if !yield(k) {
				return
			}
		}
	}
}

// Key returns the observation's identity.
func (o Observation) Key() Key {
	return Key{Indicator: o.Indicator, Country: o.Country, Partner: o.Partner, Period: o.Period, Vintage: o.Vintage}
}

// Cell is the key without its vintage: the figure whatever release gives it.
func (k Key) Cell() Key {
	k.Vintage = ""
	return k
}

// HasFlag reports whether the observation carries flag f.
func (o Observation) HasFlag(f Flag) bool { return slices.Contains(o.Flags, f) }

// Vintage selections for Query.Vintage besides a vintage's name.
const (
	// NewestVintage (the zero value) reads each figure from the newest vintage
	// that gives it.
	NewestVintage = ""
	// AllVintages reads every vintage of every figure.
	AllVintages = "*"
)

// SelectVintage keeps, of each cell (indicator, country, partner, period), the
// observation the vintage selection v reads: with NewestVintage the newest vintage
// giving the cell (a figure without a vintage counts as the oldest); with a
// vintage's name, for an indicator that has figures of that vintage, that
// vintage, else the figure without a vintage (a cell the release lacks stays
// empty rather than borrowing another release's figure), and for an indicator
// without any, its newest (a release of GDP figures says nothing about
// population); with AllVintages, every observation. Stores apply the same rule;
// charts that read every vintage (to say where vintages disagree) apply it
// themselves. The order of obs is kept.
func SelectVintage(obs []Observation, v string) []Observation {
	if v == AllVintages {
		return obs
	}
	inVintage := map[string]bool{} // indicators with figures of vintage v
	for _, o := range obs {
		if v != NewestVintage && o.Vintage == v {
			inVintage[o.Indicator] = true
		}
	}
	best := map[Key]int{}
	for i, o := range obs {
		if inVintage[o.Indicator] && o.Vintage != v && o.Vintage != "" {
			continue
		}
		c := o.Key().Cell()
		if j, ok := best[c]; !ok || cmp.Compare(o.Vintage, obs[j].Vintage) >= 0 {
			best[c] = i
		}
	}
	out := make([]Observation, 0, len(best))
	for i, o := range obs {
		if j, ok := best[o.Key().Cell()]; ok && j == i {
			out = append(out, o)
		}
	}
	return out
}

// VintagesOf returns the distinct non-empty vintages of obs, oldest first.
func VintagesOf(obs []Observation) []string {
	var out []string
	for _, o := range obs {
		if o.Vintage != "" && !slices.Contains(out, o.Vintage) {
			out = append(out, o.Vintage)
		}
	}
	slices.Sort(out)
	return out
}

package option

import (
	"hash/fnv"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// swatch is one colour in a light-theme and a dark-theme shade: the light one
// dark enough for white, the dark one light enough for the dark background.
type swatch struct{ light, dark string }

func (s swatch) in(theme string) string {
	if theme == "dark" {
		return s.dark
	}
	return s.light
}

// countrySwatches are the colours of countries, distinct in hue; each country
// keeps its slot in every chart (countrySlots), others are hashed into one.
var countrySwatches = []swatch{
	{"#2f6db5", "#7aaef0"}, // blue
	{"#d2691e", "#f5a25d"}, // orange
	{"#1e7a46", "#5fc28a"}, // green
	{"#8254b8", "#b895ea"}, // purple
	{"#8c5a3c", "#cf9c7a"}, // brown
	{"#c2458a", "#f08cc4"}, // pink
	{"#13848a", "#5cc9cf"}, // teal
	{"#7c8a12", "#c3cf54"}, // olive
	{"#a87f00", "#e9c54d"}, // ochre
	{"#5c9c1a", "#a9dc64"}, // lime
	{"#5f7f8f", "#9dbccb"}, // slate
	{"#9c3d54", "#e28aa0"}, // wine
}

// countrySlots pins the countries Clout's charts show most, so that the usual
// neighbours in a chart never share a colour.
var countrySlots = map[string]int{
	"TUR": 1, "DEU": 0, "ITA": 2, "CHN": 11, "KAZ": 6, "BLR": 3, "UZB": 8,
	"KGZ": 5, "ARM": 4, "AZE": 9, "TJK": 7, "TKM": 10, "MDA": 0, "UKR": 2,
	"GEO": 5, "NLD": 6, "USA": 9, "GBR": 3, "POL": 7, "JPN": 5, "KOR": 10,
	"FRA": 4, "FIN": 8, "AUT": 7, "IND": 3, "HUN": 10, "SRB": 9, "BGR": 6,
	"GRC": 8, "MNG": 10, "IRN": 1,
}

// referenceSwatch is Russia's: the country every figure is compared with has
// one colour of its own, kept out of the others' palette.
var referenceSwatch = swatch{"#b3261e", "#ff7b72"}

// groupSwatches are the blocs' colours, darker or paler than the countries',
// so a bloc's line never passes for one of its members.
var groupSwatches = map[string]swatch{
	"EAEU":     {"#1f3a5f", "#c3d7f2"},
	"CSTO":     {"#3f4a1f", "#dbe4b0"},
	"CIS":      {"#4a2f5f", "#dfc8f2"},
	"FSU":      {"#5f3a1f", "#f2d4bd"},
	"FSU-CORE": {"#17434a", "#b8e6eb"},
}

// selectionSwatch colours what stands for several entities at once (the
// selected partners added up), which is no one entity's.
var selectionSwatch = swatch{"#333a45", "#e6e6e6"}

// neutralSwatch colours what is shown for context only (partners not selected).
var neutralSwatch = swatch{"#a9b1bd", "#5d6677"}

// noDataSwatch is the colour of "no data": bands over missing periods, regions
// without a figure.
var noDataSwatch = swatch{"#dfe3ea", "#323852"}

// EntityColor returns the colour of a country (ISO3) or group code in a theme
// ("" or "light", "dark"): the same code gets the same colour in every chart.
func EntityColor(code, theme string) string {
	return entitySwatch(code).in(theme)
}

func entitySwatch(code string) swatch {
	code = strings.ToUpper(code)
	if code == indicators.Russia {
		return referenceSwatch
	}
	if s, ok := groupSwatches[code]; ok {
		return s
	}
	return countrySwatches[preferredSlot(code)]
}

func preferredSlot(code string) int {
	if i, ok := countrySlots[code]; ok {
		return i
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(code))
	return int(h.Sum32() % uint32(len(countrySwatches)))
}

// palette hands out the colours of one chart: each entity its own colour, and
// when two countries of the chart would share a slot the later one takes the
// next free slot, so distinct entities in one chart stay distinct.
type palette struct {
	theme string
	given map[string]string
	used  map[string]bool
}

func newPalette(theme string) *palette {
	return &palette{theme: theme, given: map[string]string{}, used: map[string]bool{}}
}

// of returns the colour of an entity code in this chart.
func (p *palette) of(code string) string {
	code = strings.ToUpper(code)
	if c, ok := p.given[code]; ok {
		return c
	}
	c := EntityColor(code, p.theme)
	if _, group := groupSwatches[code]; !group && code != indicators.Russia {
		start := preferredSlot(code)
		for i := range countrySwatches {
			cand := countrySwatches[(start+i)%len(countrySwatches)].in(p.theme)
			if !p.used[cand] {
				c = cand
				break
			}
		}
	}
	p.given[code], p.used[c] = c, true
	return c
}

package importer

import "strings"

// areaCodes maps an agency's own codes for areas that are not one country to
// Clout's aggregate codes. They are per layout because the same short code means
// different things to different agencies (Comtrade's X1 is bunkers).
type areaCodes map[string]string

// ieaAreas are the aggregates of IEA/OECD energy files (Natural Gas Information
// and the OECD.Stat energy tables), as ORIGIN, DESTINATION or COUNTRY codes.
var ieaAreas = areaCodes{
	"IEATOT": "XIE", "IEA": "XIE", "IEAFAMILY": "XIE",
	"OECDTOT": "XOT", "OECD": "XOT", "OECDAM": "XOM", "OECDAO": "XOP", "OECDEUR": "XOE",
	"NOECDTOT": "XNO", "NONOECD": "XNO",
	"EU28": "XE8", "EU27": "EUU", "EU27_2020": "EUU", "EU": "EUU",
	"WORLD": "WLD", "WLD": "WLD",
	"OTO": "XOO", "OTHER": "XOO", "OTHERS": "XOO", "NSP": "XOO", "NONSPEC": "XOO", "NONSPECIFIED": "XOO",
}

// comtradeAreas are UN Comtrade's special partner and reporter codes: areas
// "not elsewhere specified" by region, bunkers, free zones, and the EU as one
// reporter in legacy files.
var comtradeAreas = areaCodes{
	"_X": "XXN", "X1": "XBK", "X2": "XFZ",
	"S19": "XAN", "F19": "XFN", "E19": "XEN", "A59": "XWN", "A79": "XWN", "N19": "XOO",
	"EU2": "XE8", "EUR": "XE8",
}

// lookup returns the Clout code of raw, if it is one of the table's codes.
func (a areaCodes) lookup(raw string) (string, bool) {
	code, ok := a[strings.ToUpper(trimSpace(raw))]
	return code, ok
}

package indicators

// Canonical indicator codes read by the built-in charts; imports map each
// source's codes onto these.
const (
	PopulationCode = "SP.POP.TOTL"
	GDPPPPCode     = "NY.GDP.MKTP.PP.CD"
	GDPCode        = "NY.GDP.MKTP.CD"
	ExportsCode    = "TXG_FOB_USD"
	ImportsCode    = "TMG_CIF_USD"
	GasExportsCode = "NATGAS_EXP_MCM"
)

// Observation is one number: an indicator's value for a country (and, for bilateral
// flows, a partner) in a period.
type Observation struct {
	Indicator string  `json:"indicator"`
	Country   string  `json:"country"`           // ISO3 or aggregate code
	Partner   string  `json:"partner,omitempty"` // ISO3 of the counterpart, "" if none
	Period    Period  `json:"period"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit,omitempty"`
	Source    string  `json:"source,omitempty"`
}

// Key identifies the cell an observation fills; two datasets giving the same key
// overlap, and the later import wins.
type Key struct {
	Indicator, Country, Partner string
	Period                      Period
}

// Key returns the observation's identity.
func (o Observation) Key() Key {
	return Key{Indicator: o.Indicator, Country: o.Country, Partner: o.Partner, Period: o.Period}
}

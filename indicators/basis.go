package indicators

// Russia's trade is published by several sources that disagree: the IMF's
// partner table as Russia reports it (DOTS, which Russia stopped feeding after
// 2020), the same flows as the partners report them (the mirror), the WTO's
// totals (carried by the World Bank's WDI), Russia's customs service (FCS), and
// officials quoting a bilateral turnover. Clout keeps every one of them: each
// basis of a figure has its own indicator code (below, or the DOTS flow codes
// with the country being the side that reports), so an import of one never
// overwrites another, and TradeShare reports the range over all of them.
//
// | basis            | what                          | indicator codes                        | country  | partner |
// |------------------|-------------------------------|----------------------------------------|----------|---------|
// | dots             | Russia-reported partner table | TXG_FOB_USD, TMG_CIF_USD               | RUS      | X, WLD  |
// | mirror           | partner-reported (IMF DOTS)   | TXG_FOB_USD, TMG_CIF_USD               | X, WLD   | RUS     |
// | wto              | WTO total via WDI             | TX.VAL.MRCH.CD.WT, TM.VAL.MRCH.CD.WT   | RUS      | (none)  |
// | fcs              | Russian customs total         | FCS_TRADE_USD (or FCS_TXG_USD + FCS_TMG_USD) | RUS | WLD   |
// | russian-side     | turnover quoted by Russia     | TRADE_USD                              | RUS      | X       |
// | partner-side     | turnover quoted by partner X  | TRADE_USD                              | X        | RUS     |
//
// The World mirror (country WLD, partner RUS) is the sum of what every partner
// reports: a total, not a partner. Quoted figures carry the statement flag, and
// "more than X" quotes the lower_bound flag.
const (
	// WTOExportsCode and WTOImportsCode: a country's merchandise exports and
	// imports in current US$ as compiled by the WTO (WDI codes; no partner).
	WTOExportsCode = "TX.VAL.MRCH.CD.WT"
	WTOImportsCode = "TM.VAL.MRCH.CD.WT"
	// CustomsTurnoverCode: the reporter's goods turnover (exports + imports) with
	// partner WLD as its customs service publishes it; CustomsExportsCode and
	// CustomsImportsCode are the two flows, used when no turnover is published.
	CustomsTurnoverCode = "FCS_TRADE_USD"
	CustomsExportsCode  = "FCS_TXG_USD"
	CustomsImportsCode  = "FCS_TMG_USD"
	// TurnoverCode: a bilateral goods turnover (exports + imports, US$) as the
	// country's side quotes it; partner = the counterpart.
	TurnoverCode = "TRADE_USD"
)

// Trade bases: where a trade figure comes from (see the table above).
const (
	BasisDOTS        = "dots"
	BasisMirror      = "mirror"
	BasisWTO         = "wto"
	BasisCustoms     = "fcs"
	BasisRussianSide = "russian-side"
	BasisPartnerSide = "partner-side"
	// BasisSum is the DOTS total summed over partners when the World row is missing.
	BasisSum = "sum"
	// BasisWorld is the DOTS World row as reported (the "dots" total).
	BasisWorld = "world"
)

// basisLabels name the bases for readers.
var basisLabels = map[string]string{
	BasisDOTS:        "IMF DOTS, Russia-reported",
	BasisWorld:       "IMF DOTS World row, Russia-reported",
	BasisSum:         "IMF DOTS, summed over partners",
	BasisMirror:      "IMF DOTS, partner-reported (mirror)",
	BasisWTO:         "WTO via World Bank WDI",
	BasisCustoms:     "Russian customs (FCS)",
	BasisRussianSide: "quoted by the Russian side",
	BasisPartnerSide: "quoted by the partner's side",
}

// BasisLabel names a trade basis for readers ("Russian customs (FCS)").
func BasisLabel(b string) string {
	if l, ok := basisLabels[b]; ok {
		return l
	}
	return b
}

// tradeShareCodes are the indicators TradeShare reads.
var tradeShareCodes = []string{ExportsCode, ImportsCode, WTOExportsCode, WTOImportsCode,
	CustomsTurnoverCode, CustomsExportsCode, CustomsImportsCode, TurnoverCode}

package importer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// comtradePlusHeader is the header of a Comtrade+ csv download, cut to the
// columns the layout reads and a few it ignores.
const comtradePlusHeader = "typeCode,freqCode,refYear,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,classificationCode,cmdCode,cmdDesc,primaryValue"

// allChaptersCSV writes an AG2 download: every HS chapter, exports of RUS to TUR
// worth the chapter's number, plus imports with a TOTAL row.
func allChaptersCSV(drop string) []byte {
	lines := []string{"refYear,flowCode,reporterISO,partnerISO,cmdCode,primaryValue"}
	for c := 1; c <= 97; c++ {
		ch := fmt.Sprintf("%02d", c)
		if c == 77 || ch == drop {
			continue
		}
		lines = append(lines, fmt.Sprintf("2019,X,RUS,TUR,%s,%d", ch, c))
	}
	lines = append(lines, "2019,M,RUS,TUR,84,10", "2019,M,RUS,TUR,TOTAL,99")
	return csvText(lines...)
}

// TestComtradeLayouts covers real Comtrade quirks: special partner and reporter
// codes, a file of one commodity, and sums that are (or are not) total goods.
func TestComtradeLayouts(t *testing.T) {
	runLayoutCases(t, []layoutCase{
		{
			name: "Comtrade+ special partner codes kept as areas", file: "comtrade_special.csv", layout: "comtrade", observations: 8,
			data: func(testing.TB) []byte {
				return csvText(comtradePlusHeader,
					"C,A,2021,2021,643,RUS,Russian Federation,X,Export,792,TUR,Türkiye,H6,TOTAL,All Commodities,33000000000",
					"C,A,2021,2021,643,RUS,Russian Federation,X,Export,490,S19,\"Other Asia, nes\",H6,TOTAL,All Commodities,1500000",
					"C,A,2021,2021,643,RUS,Russian Federation,X,Export,577,F19,\"Other Africa, nes\",H6,TOTAL,All Commodities,2500000",
					"C,A,2021,2021,643,RUS,Russian Federation,X,Export,636,A79,\"Rest of America, nes\",H6,TOTAL,All Commodities,300000",
					"C,A,2021,2021,643,RUS,Russian Federation,X,Export,568,E19,\"Other Europe, nes\",H6,TOTAL,All Commodities,700000",
					"C,A,2021,2021,643,RUS,Russian Federation,M,Import,473,A59,\"LAIA, nes\",H6,TOTAL,All Commodities,100",
					"C,A,2021,2021,643,RUS,Russian Federation,X,Export,899,_X,\"Areas, nes\",H6,TOTAL,All Commodities,9000000",
					"C,A,2021,2021,643,RUS,Russian Federation,X,Export,837,X1,Bunkers,H6,TOTAL,All Commodities,450000",
				)
			},
			obs: []want{
				{k: key("TXG_FOB_USD", "RUS", "TUR", "2021"), v: 33e9},
				{k: key("TXG_FOB_USD", "RUS", "XAN", "2021"), v: 1.5e6},
				{k: key("TXG_FOB_USD", "RUS", "XXN", "2021"), v: 9e6},
				{k: key("TXG_FOB_USD", "RUS", "XBK", "2021"), v: 450000},
				{k: key("TMG_CIF_USD", "RUS", "XWN", "2021"), v: 100},
			},
			warnings: []string{"7 rows with Comtrade special areas", "UN Comtrade special areas stored under their codes"},
		},
		{
			name: "legacy Comtrade with reporter EU2 (EU-28)", file: "comtrade_eu2.csv", layout: "comtrade", observations: 1,
			data: func(testing.TB) []byte {
				return csvText("Classification,Year,Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,Commodity Code,Trade Value (US$)",
					"HS,2018,Import,97,EU-28,EU2,643,Russian Federation,RUS,TOTAL,190000000000")
			},
			obs:      []want{{k: key("TMG_CIF_USD", "XE8", "RUS", "2018"), v: 190e9, unit: "US$"}},
			warnings: []string{"1 rows with Comtrade special areas"},
		},
		{
			name: "single commodity stored under its own code", file: "comtrade_wheat.csv", layout: "comtrade", observations: 2,
			data: func(testing.TB) []byte {
				return csvText(comtradePlusHeader,
					"C,A,2021,2021,643,RUS,Russian Federation,X,Export,792,TUR,Türkiye,H6,1001,Wheat and meslin,2100000000",
					"C,A,2021,2021,643,RUS,Russian Federation,X,Export,818,EGY,Egypt,H6,1001,Wheat and meslin,1800000000",
				)
			},
			obs: []want{
				{k: key("TXG_FOB_USD.HS1001", "RUS", "TUR", "2021"), v: 2.1e9, unit: "US$"},
				{k: key("TXG_FOB_USD.HS1001", "RUS", "EGY", "2021"), v: 1.8e9},
			},
			warnings: []string{"2 observations of single commodities stored under commodity codes (TXG_FOB_USD.HS1001...)"},
		},
		{
			name: "every HS chapter summed on request", file: "comtrade_ag2.csv", layout: "comtrade", sum: true, observations: 2,
			data: func(testing.TB) []byte { return allChaptersCSV("") },
			obs: []want{
				{k: key("TXG_FOB_USD", "RUS", "TUR", "2019"), v: 97*98/2 - 77},
				{k: key("TMG_CIF_USD", "RUS", "TUR", "2019"), v: 99},
			},
			warnings: []string{"1 observations summed over all HS chapters", "1 commodity sums not used"},
		},
	})
}

// TestComtradeSumRefused checks that one commodity summed on request is refused,
// not stored as total goods.
func TestComtradeSumRefused(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"one commodity", csvText("refYear,flowCode,reporterISO,partnerISO,cmdCode,primaryValue", "2021,X,RUS,EGY,1001,1800000000"),
			"holds 0 of the 96 HS chapters (and commodities 1001)"},
		{"one chapter missing", allChaptersCSV("27"), "holds 95 of the 96 HS chapters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := MustOpenStore(t)
			_, err := New(st, Options{}).Import(context.Background(), Request{FileName: "hs.csv", Data: tc.data, SumCommodities: true})
			if indicators.ErrorCode(err) != indicators.EINVALID || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want EINVALID mentioning %q", err, tc.msg)
			}
			if obs := MustObservations(t, st, indicators.Query{}); len(obs) != 0 {
				t.Errorf("store holds %d observations, want none", len(obs))
			}
		})
	}
}

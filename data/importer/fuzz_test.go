package importer

import (
	"context"
	"math"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// FuzzImport feeds arbitrary bytes (seeded with every layout, csv and xlsx) to the
// whole importer in every format. Every input must give a report, and either no
// error or a coded user error; a panic or an internal error fails. Run it with
// go test -run '^$' -fuzz FuzzImport -fuzztime 10m ./data/importer
func FuzzImport(f *testing.F) {
	seeds := [][]byte{
		csvText("indicator,country,partner,period,value,unit,source", "NATGAS_EXP_MCM,RUS,TUR,2020-04,470,million m3,EPDK", "SP.POP.TOTL,Kyrgyz Republic,,2019,\"6 456 900\",,"),
		[]byte("\ufeffindicator;country;year;value\nSP.POP.TOTL;KAZ;2019;18\u00a0513\u00a0930\nX;KAZ;2020;1,5%\n"),
		csvText("indicator,country,2019,2020-04,2020Q1", "SP.POP.TOTL,ARM,1,..,–"),
		csvText(`"Data Source","World Development Indicators",`, "", `"Country Name","Country Code","Indicator Name","Indicator Code","2019",`, `"World","WLD","Population","SP.POP.TOTL","7.7E+09",`),
		csvText("Series Name,Series Code,Country Name,Country Code,2019 [YR2019]", "Pop,SP.POP.TOTL,Armenia,ARM,..", ",,,,", "Data from database: WDI,,,,"),
		csvText("Country Name,Country Code,Indicator Name,Indicator Code,Counterpart Country Name,Counterpart Country Code,Attribute,2019", "Russia,922,Exports,TXG_FOB_USD,Turkey,186,Value,1", "Russia,922,Exports,TXG_FOB_USD,Turkey,186,Status,E"),
		csvText("refYear,flowCode,reporterISO,partnerISO,cmdCode,primaryValue", "2019,X,RUS,W00,TOTAL,1", "2019,M,RUS,TUR,27,2"),
		csvText("---", "a: b", "---", "ORIGIN,Origin,PRODUCT,Product,COUNTRY,Country,TIME,Time,Value", "RUS,Russia,NATGAS,Natural gas,DEU,Germany,2019,2019,56300"),
		csvText("value", "1e400", "NaN", "12,3,4"),
		{},
		[]byte("PK\x03\x04garbage"),
	}
	seeds = append(seeds,
		imfReportFixture(f),
		MustXLSX(f, sheet{name: "Data", rows: [][]any{{"indicator", "country", "period", "value"}, {"SP.POP.TOTL", "ARM", 2019, 2957731.5}}}),
		MustXLSX(f, sheet{name: "README", rows: [][]any{{"x"}}}, sheet{name: "Data", rows: [][]any{{"Country", "Indicator", "2019"}, {"RUS", "X", "1,5"}}}),
	)
	for i, s := range seeds {
		f.Add(s, uint8(i))
	}
	formats := append([]string{"auto"}, Formats()...)
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		im := New(nil, Options{MaxCells: 50_000, MaxUnzipped: 8 << 20, MaxErrors: 50})
		req := Request{FileName: "fuzz.bin", Data: data, Format: formats[int(format)%len(formats)], DryRun: true, SumCommodities: format&0x80 != 0}
		rep, err := im.Import(context.Background(), req)
		if rep == nil {
			t.Fatal("no report")
		}
		switch code := indicators.ErrorCode(err); code {
		case "":
			if !rep.OK() {
				t.Fatalf("report lists errors %+v but Import returned none", rep.Errors)
			}
		case indicators.EINTERNAL:
			t.Fatalf("internal error: %v", err)
		}
		for _, o := range rep.Sample {
			if o.Indicator == "" || o.Country == "" || o.Period.IsZero() || math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
				t.Fatalf("invalid observation in sample: %+v", o)
			}
		}
		if len(rep.Errors) > 51 {
			t.Fatalf("%d errors listed, over the cap", len(rep.Errors))
		}
	})
}

package importer

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// TestTextBounds checks that every text of a file is held to the domain's
// bounds (indicators/text.go) with an error at its place, that the messages
// stay short whatever the text, and that nothing is stored.
func TestTextBounds(t *testing.T) {
	header := "indicator,country,period,value,unit,source,note,vintage"
	// A csv whose first 64 KiB are good rows, so that sniffing sees text only.
	var longHead []string
	for i := 0; len(strings.Join(longHead, "\n")) < 70<<10; i++ {
		longHead = append(longHead, fmt.Sprintf("SP.POP.TOTL,ARM,%d,%d,persons,WDI,,", 1000+i, i))
	}
	tests := []struct {
		name    string
		file    string
		dataset string
		data    func(testing.TB) []byte
		want    []string // in the first error
	}{
		{name: "code with =", file: "c.csv", data: func(testing.TB) []byte {
			return csvText(header, "SP.POP=TOTL,ARM,2019,1,,,,")
		}, want: []string{"row 2 column indicator", `"SP.POP=TOTL" is not an indicator code`}},
		{name: "code with < and '", file: "c.csv", data: func(testing.TB) []byte {
			return csvText(header, "<b>'x',ARM,2019,1,,,,")
		}, want: []string{"row 2 column indicator", "is not an indicator code"}},
		{name: "code of 65 characters", file: "c.csv", data: func(testing.TB) []byte {
			return csvText(header, strings.Repeat("A", 65)+",ARM,2019,1,,,,")
		}, want: []string{"row 2 column indicator", "65 characters long, over the limit of 64"}},
		{name: "code of 30 MiB", file: "c.csv", data: func(testing.TB) []byte {
			return csvText(header, strings.Repeat("A", 30<<20)+",ARM,2019,1,,,,")
		}, want: []string{"row 2 column indicator", "cell \"AAAA", "31457280 characters long, over the limit of 32767"}},
		{name: "NUL after the first 64 KiB", file: "c.csv", data: func(testing.TB) []byte {
			return csvText(append(append([]string{header}, longHead...), "SP.POP.TOTL,ARM,2019,1,persons,WDI\x00evil,,")...)
		}, want: []string{fmt.Sprintf("row %d column source", len(longHead)+2), "control character U+0000"}},
		{name: "control character in a unit (xlsx)", file: "c.xlsx", data: func(tb testing.TB) []byte {
			return MustXLSX(tb, sheet{name: "Data", rows: [][]any{{"indicator", "country", "period", "value", "unit"}, {"SP.POP.TOTL", "ARM", 2019, 1, "per_x001B_sons"}}})
		}, want: []string{`sheet "Data" row 2 column E`, "unit", "U+001B"}},
		{name: "bidi override in a source", file: "c.csv", data: func(testing.TB) []byte {
			return csvText(header, "SP.POP.TOTL,ARM,2019,1,,WDI\u202Egnp.exe,,")
		}, want: []string{"row 2 column source", "U+202E"}},
		{name: "source over 1000 characters", file: "c.csv", data: func(testing.TB) []byte {
			return csvText(header, "SP.POP.TOTL,ARM,2019,1,,"+strings.Repeat("s", 1001)+",,")
		}, want: []string{"row 2 column source", "1001 characters long, over the limit of 1000"}},
		{name: "note over 2000 characters", file: "c.csv", data: func(testing.TB) []byte {
			return csvText(header, "SP.POP.TOTL,ARM,2019,1,,,"+strings.Repeat("n", 2001)+",")
		}, want: []string{"row 2 column note", "over the limit of 2000"}},
		{name: "vintage a chart cannot select", file: "c.csv", data: func(testing.TB) []byte {
			return csvText(header, "SP.POP.TOTL,ARM,2019,1,,,,newest")
		}, want: []string{"row 2 column vintage", "is not a vintage"}},
		{name: "country cell of 300 characters", file: "c.csv", data: func(testing.TB) []byte {
			return csvText(header, "SP.POP.TOTL,"+strings.Repeat("Armenia ", 40)+",2019,1,,,,")
		}, want: []string{"row 2 column country", "over the limit of 200"}},
		{name: "wide: code with a space", file: "w.csv", data: func(testing.TB) []byte {
			return csvText("indicator,country,2019", "POP TOTAL,ARM,1")
		}, want: []string{"row 2 column indicator", "is not an indicator code"}},
		{name: "dataset name with a control character", file: "c.csv", dataset: "pop\alation", data: func(testing.TB) []byte {
			return csvText(header, "SP.POP.TOTL,ARM,2019,1,,,,")
		}, want: []string{"dataset name", "U+0007"}},
		{name: "file name of 300 characters", file: strings.Repeat("f", 296) + ".csv", data: func(testing.TB) []byte {
			return csvText(header, "SP.POP.TOTL,ARM,2019,1,,,,")
		}, want: []string{"file name", "over the limit of 255"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := MustOpenStore(t)
			im := New(st, Options{MaxUpload: 64 << 20})
			MustImport(t, im, Request{Dataset: "pop", FileName: "pop.csv", Data: csvText("indicator,country,period,value", "SP.POP.TOTL,ARM,2019,2957731")})
			dv, _ := st.DataVersion(ctx)
			ds := tc.dataset
			if ds == "" {
				ds = "pop"
			}
			data := tc.data(t)
			start := time.Now()
			rep, err := im.Import(ctx, Request{Dataset: ds, FileName: tc.file, Data: data})
			took := time.Since(start)
			if indicators.ErrorCode(err) != indicators.EINVALID || rep.OK() {
				t.Fatalf("err = %v, report errors %v; want EINVALID listed in the report", err, rep.Errors)
			}
			msg := indicators.ErrorMessage(err)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if len(msg) > 600 {
				t.Errorf("error message is %d bytes long", len(msg))
			}
			d, _ := st.Dataset(ctx, "pop")
			if dv2, _ := st.DataVersion(ctx); dv2 != dv || d.Current != 1 || len(d.Versions) != 1 {
				t.Fatalf("store changed: data version %d→%d, dataset %+v", dv, dv2, d)
			}
			t.Logf("rejected in %v: %s", took.Round(time.Millisecond), msg)
		})
	}
}

// TestTextBoundsKeepRealCodes imports codes of the real sources Clout reads,
// each of which must pass the bounds.
func TestTextBoundsKeepRealCodes(t *testing.T) {
	st := MustOpenStore(t)
	im := New(st, Options{})
	rep := MustImport(t, im, Request{FileName: "codes.csv", Data: csvText(
		"indicator,country,partner,period,value,unit,source,note,vintage",
		"SP.POP.TOTL,ARM,,2019,2957731,persons,\"World Bank, WDI\",,2023-05",
		"NY.GDP.MKTP.PP.CD,ARM,,2019,4.2e10,current international $,WDI,,WDI April 2024",
		"TXG_FOB_USD,RUS,TUR,2019,2.5e10,US$,\"IMF, DOTS\",,",
		"TXG_FOB_USD.HS2711,RUS,TUR,2019,1e9,US$,UN Comtrade,,",
		"NATGAS_EXP_MCM,RUS,TUR,2020-04,470,million m3,EPDK,\"470 / (1 − 0.6857)\nline two\",",
		"OWID.SHARE_OF_THE_WORLD_POPULATION,ARM,,2019,0.04,%,Our World in Data,,",
		"B1_GE.CPCARSA-x,ARM,,2019,1,Ünits € ,OECD,,",
	)})
	if rep.Observations != 7 {
		t.Fatalf("%d observations, want 7: %+v", rep.Observations, rep.Errors)
	}
}

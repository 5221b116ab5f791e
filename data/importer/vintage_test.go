package importer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// worldBankPop writes a World Bank bulk csv of SP.POP.TOTL for three countries
// and 2010–2015, as released on updated (the "Last Updated Date" line), with
// every figure scaled by scale so two releases differ.
func worldBankPop(updated string, scale float64) []byte {
	var b strings.Builder
	b.WriteString("\ufeff\"Data Source\",\"World Development Indicators\",\n\n")
	fmt.Fprintf(&b, "\"Last Updated Date\",\"%s\",\n\n", updated)
	b.WriteString(`"Country Name","Country Code","Indicator Name","Indicator Code"`)
	for y := 2010; y <= 2015; y++ {
		fmt.Fprintf(&b, `,"%d"`, y)
	}
	b.WriteString(",\n")
	for i, c := range []string{"ARM", "KAZ", "KGZ"} {
		fmt.Fprintf(&b, `"%s","%s","Population, total","SP.POP.TOTL"`, c, c)
		for y := 2010; y <= 2015; y++ {
			fmt.Fprintf(&b, `,"%.0f"`, float64((i+1)*1_000_000+y)*scale)
		}
		b.WriteString(",\n")
	}
	return []byte(b.String())
}

func TestNormalizeVintage(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"world bank date", "2023-05-10", "2023-05"},
		{"year-month", "2026-07", "2026-07"},
		{"databank footnote", "05/10/2023", "2023-05"},
		{"timestamp", "2023-12-18T10:00:00Z", "2023-12"},
		{"quoted", ` "2017-06-01" `, "2017-06"},
		{"label kept", "WDI April 2024", "WDI April 2024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NormalizeVintage(tc.in); got != tc.want {
				t.Errorf("NormalizeVintage(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFileVintage(t *testing.T) {
	im := New(nil, Options{})
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"world bank last updated date", worldBankPop("2023-05-10", 1), "2023-05"},
		{"csvy metadata", csvText("---", "name: pop", "last_updated: 2024-02-29", "---", "indicator,country,period,value", "SP.POP.TOTL,ARM,2019,1"), "2024-02"},
		{"vintage column", csvText("indicator,country,period,value,vintage", "SP.POP.TOTL,ARM,2019,1,2022-07-01"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := MustImport(t, im, Request{FileName: "f.csv", Data: tc.data, DryRun: true})
			if rep.Vintage != tc.want {
				t.Errorf("report vintage %q, want %q", rep.Vintage, tc.want)
			}
			for _, o := range rep.Sample {
				if want := cmpOr(tc.want, "2022-07"); o.Vintage != want {
					t.Errorf("figure %v has vintage %q, want %q", o.Key(), o.Vintage, want)
				}
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// An older release imported over a newer one is refused unless asked for; with
// AllowOlder both vintages are kept and the newest still reads by default.
func TestOlderVintage(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	im := New(st, Options{})
	newer := MustImport(t, im, Request{FileName: "API_SP.POP.TOTL_DS2_en_csv_v2_2023.csv", Data: worldBankPop("2023-12-18", 1.01)})
	if newer.Vintage != "2023-12" {
		t.Fatalf("newer vintage %q", newer.Vintage)
	}
	old := Request{FileName: "API_SP.POP.TOTL_DS2_en_csv_v2_2017.csv", Data: worldBankPop("2017-06-01", 1)}
	const msg = "this file's vintage 2017-06 is older than 2023-12 of the figures it would sit under: 18 figures"

	dry := old
	dry.DryRun = true
	rep := MustImport(t, im, dry)
	if !hasProblem(rep.Warnings, msg) || rep.OlderFigures != 18 {
		t.Errorf("dry run warnings %+v (older %d), want %q", rep.Warnings, rep.OlderFigures, msg)
	}

	rep, err := im.Import(ctx, old)
	if indicators.ErrorCode(err) != indicators.ECONFLICT || !strings.Contains(indicators.ErrorMessage(err), msg) ||
		!strings.Contains(indicators.ErrorMessage(err), "--allow-older") {
		t.Fatalf("import without allow-older: %v", err)
	}
	if !hasProblem(rep.Errors, msg) {
		t.Errorf("report errors %+v", rep.Errors)
	}
	all := MustObservations(t, st, indicators.Query{Vintage: indicators.AllVintages})
	if len(all) != 18 {
		t.Fatalf("refused import stored figures: %d live, want 18", len(all))
	}
	dss, _ := st.Datasets(ctx)
	if len(dss) != 1 {
		t.Errorf("refused import created a dataset: %+v", dss)
	}

	old.AllowOlder = true
	rep = MustImport(t, im, old)
	if !hasProblem(rep.Warnings, msg) {
		t.Errorf("allowed import does not warn: %+v", rep.Warnings)
	}
	all = MustObservations(t, st, indicators.Query{Vintage: indicators.AllVintages})
	if len(all) != 36 {
		t.Fatalf("both vintages: %d live, want 36", len(all))
	}
	k := key("SP.POP.TOTL", "ARM", "", "2015")
	k.Vintage = "2023-12"
	newest := MustObservations(t, st, indicators.Query{Indicators: []string{"SP.POP.TOTL"}, Countries: []string{"ARM"}})
	if o, ok := find(newest, k); !ok {
		t.Errorf("default read does not show the newest vintage: %+v", newest)
	} else if o.Value != 1_012_035 || o.Source != "World Bank, World Development Indicators, release 2023-12" {
		t.Errorf("newest 2015 figure %v from %q", o.Value, o.Source)
	}
	v, err := st.Dataset(ctx, DatasetName(old.FileName))
	if err != nil || len(v.Versions) == 0 || v.Versions[0].Report == nil || v.Versions[0].Report.Vintage != "2017-06" {
		t.Errorf("version does not keep the file's vintage: %+v %v", v, err)
	}

	// A newer release over an older one is the usual case: no word.
	rep = MustImport(t, im, Request{FileName: "API_SP.POP.TOTL_DS2_en_csv_v2_2024.csv", Data: worldBankPop("2024-07-01", 1.02), DryRun: true})
	if hasProblem(rep.Warnings, "older than") {
		t.Errorf("newer file warned: %+v", rep.Warnings)
	}
}

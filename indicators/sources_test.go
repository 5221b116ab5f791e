package indicators_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

// seedSources returns the distinct source texts of the seed, as stored.
func seedSources(t *testing.T) []string { return seedColumn(t, "source") }

func TestCiteSeedSources(t *testing.T) {
	sources := seedSources(t)
	cites := indicators.Cite(sources)
	details := 0
	for _, c := range cites {
		details += len(c.Details)
		if c.Title == "" || len(c.Details) == 0 {
			t.Errorf("citation %+v has no title or no details", c)
		}
	}
	if details != len(sources) {
		t.Fatalf("%d source texts became %d details: some were lost or doubled", len(sources), details)
	}
	if len(cites) >= len(sources)/2 {
		t.Errorf("%d source texts became %d citations: the registry groups too little", len(sources), len(cites))
	}
	byText := map[string]indicators.Citation{}
	for _, c := range cites {
		byText[c.Text()] = c
	}
	want := map[string]struct {
		url     string
		details int // at least
	}{
		"IMF, Direction of Trade Statistics (Russia-reported)":                                                       {"https://data.imf.org/", 4},
		"IMF, Direction of Trade Statistics (partner-reported)":                                                      {"https://data.imf.org/", 6},
		"World Bank, World Development Indicators, 2023-05 release":                                                  {"https://databank.worldbank.org/", 2},
		"World Bank, World Development Indicators, 2026-07 release":                                                  {"https://databank.worldbank.org/", 3},
		"WTO, Merchandise trade statistics, via World Bank World Development Indicators, 2026-07 release":            {"https://data.worldbank.org/", 2},
		"IEA, Natural gas imports by origin (importer-reported, OECD.Stat)":                                          {"https://www.iea.org/", 2},
		"EPDK (Energy Market Regulatory Authority of Türkiye), Natural gas market reports, as reported in the press": {"https://www.epdk.gov.tr/", 10},
	}
	for text, w := range want {
		c, ok := byText[text]
		if !ok {
			t.Errorf("no citation %q among %d", text, len(cites))
			continue
		}
		if !strings.HasPrefix(c.URL, w.url) || len(c.Details) < w.details {
			t.Errorf("%q: url %q, %d details; want %s…, at least %d", text, c.URL, len(c.Details), w.url, w.details)
		}
	}
	if c := byText["World Bank, World Development Indicators, 2026-07 release"]; c.Retrieved != "2026-07-01" {
		t.Errorf("WDI 2026-07: retrieved %q, want the commit date 2026-07-01", c.Retrieved)
	}
	for _, c := range cites {
		if c.Publisher == "" && !strings.HasPrefix(c.Title, "Figures derived") {
			t.Logf("unmatched: %s", c.Title)
		}
	}
}

func TestCiteUnmatchedSourceKeepsItsText(t *testing.T) {
	text := "MEES 2021-03-19 https://www.mees.com/2021/3/19/power-water/turkey-gas, page 4"
	cs := indicators.Cite([]string{text, text + " (again)", "Ministry of Energy of Georgia, annual balance"})
	if len(cs) != 3 {
		t.Fatalf("3 unmatched sources became %d citations: %+v", len(cs), cs)
	}
	if cs[0].Title != "MEES 2021-03-19 page 4" {
		t.Errorf("title %q", cs[0].Title)
	}
	if cs[0].URL != "https://www.mees.com/2021/3/19/power-water/turkey-gas" || cs[0].Details[0] != text {
		t.Errorf("citation %+v lost the link or the text", cs[0])
	}
	if cs[2].Text() != "Ministry of Energy of Georgia, annual balance" || cs[2].URL != "" {
		t.Errorf("plain unmatched text cites as %q (url %q)", cs[2].Text(), cs[2].URL)
	}
}

// TestCiteImportedSources imports files of the importer's World Bank and IMF
// layouts into a real store and cites the sources it stored.
func TestCiteImportedSources(t *testing.T) {
	ctx := context.Background()
	st := testkit.OpenStore(t)
	imp := importer.New(st, importer.Options{Countries: indicators.DefaultCountries()})
	files := map[string]string{
		"API_SP.POP.TOTL.csv": "\"Data Source\",\"World Development Indicators\",\n\n\"Last Updated Date\",\"2024-06-28\",\n\n" +
			"Country Name,Country Code,Indicator Name,Indicator Code,2019,2020\nArmenia,ARM,\"Population, total\",SP.POP.TOTL,2957728,2963251\n",
		"dots.csv": "Country Name,Country Code,Indicator Name,Indicator Code,Counterpart Country Name,Counterpart Country Code,Attribute,2019\n" +
			"Armenia,ARM,\"Goods, Value of Exports, Free on board (FOB), US Dollars\",TXG_FOB_USD,Russian Federation,RUS,Value,752000000\n",
	}
	for name, body := range files {
		if _, err := imp.Import(ctx, importer.Request{Dataset: name, FileName: name, Data: []byte(body), Who: "test"}); err != nil {
			t.Fatalf("import %s: %v", name, err)
		}
	}
	obs, err := st.Observations(ctx, indicators.Query{Indicators: []string{indicators.PopulationCode, indicators.ExportsCode}})
	if err != nil || len(obs) != 3 {
		t.Fatalf("read back %d observations, err %v", len(obs), err)
	}
	var sources []string
	for _, o := range obs {
		if !slices.Contains(sources, o.Source) {
			sources = append(sources, o.Source)
		}
	}
	var texts []string
	for _, c := range indicators.Cite(sources) {
		texts = append(texts, c.Text())
	}
	slices.Sort(texts)
	want := []string{"IMF, Direction of Trade Statistics", "World Bank, World Development Indicators, 2024-06 release"}
	if !slices.Equal(texts, want) {
		t.Fatalf("sources %q cite as %q, want %q", sources, texts, want)
	}
}

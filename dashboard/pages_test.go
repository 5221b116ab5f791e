package dashboard

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPagesFollowNewData: a cached page is replaced once the data change.
func TestPagesFollowNewData(t *testing.T) {
	store := MustOpenStore(t)
	workbook := func(v float64) []byte {
		return MustTidyWorkbook(t, [][]any{{"TEST.NEW", "RUS", "", "2019", v, "u", "s"}})
	}
	MustImport(t, store, "new", "new.xlsx", workbook(111))
	s := MustServer(t, store, Config{VersionTTL: time.Hour}) // only DataChanged can refresh
	url := "/charts/series?indicator=TEST.NEW&countries=RUS"
	if body := get(t, s.Handler(), url).Body.String(); !strings.Contains(body, `<td class="num" data-v="111">111</td>`) {
		t.Fatal("first page lacks 111")
	}
	MustImport(t, store, "new", "new.xlsx", workbook(222))
	if body := get(t, s.Handler(), url).Body.String(); !strings.Contains(body, `<td class="num" data-v="111">111</td>`) {
		t.Fatal("within the TTL the cached page should still show 111")
	}
	s.DataChanged()
	body := get(t, s.Handler(), url).Body.String()
	if !strings.Contains(body, `<td class="num" data-v="222">222</td>`) || !strings.Contains(body, "Data version 2") {
		t.Errorf("after DataChanged the page does not show the new data")
	}
}

// TestPagesSayVintageAndCaveats: a chart page says which vintage it shows, offers
// the vintages on hand, says where vintages disagree, and names every flagged
// figure it uses; the CSV export carries the same words.
func TestPagesSayVintageAndCaveats(t *testing.T) {
	s := MustServer(t, MustSeededStore(t), testConfig())
	runScenarios(t, s.Handler(), []scenario{
		{name: "newest vintage", url: "/charts/integration-gain?year=2019", status: 200, want: []string{
			"Newest vintage of each figure", `<option value="2023-05">2023-05</option>`,
			"30.6% in vintage 2023-05", "32.5% in vintage 2026-07", "Caveats", "60 figures of GDP (PPP)",
		}},
		{name: "chosen vintage", url: "/charts/integration-gain?year=2019&vintage=2023-05", status: 200, want: []string{
			"Vintage 2023-05 where the figures come in it", `<option value="2023-05" selected>2023-05</option>`,
		}},
		{name: "derived gas baseline", url: "/charts/gas-exports?destinations=TUR&freq=monthly", status: 200, want: []string{
			"Caveats", "Russia→Turkey 2019-04", "derived: back-calculated",
		}},
	})
}

func TestAppliesWhen(t *testing.T) {
	for _, tc := range []struct{ help, name, value string }{
		{"partners to highlight (metric=trade-share)", "metric", "trade-share"},
		{"measure compared with Russia's (metric=bloc)", "metric", "bloc"},
		{"first period (2015, 2019-01)", "", ""},
		{"annual or monthly figures", "", ""},
		{"the bloc: a group name or countries (Russia is the reference and is left out)", "", ""},
	} {
		name, value, ok := appliesWhen(tc.help)
		if name != tc.name || value != tc.value || ok != (tc.name != "") {
			t.Errorf("appliesWhen(%q) = %q, %q, %v; want %q, %q", tc.help, name, value, ok, tc.name, tc.value)
		}
	}
}

// TestChartPageWithoutScript: the form a browser sends without script (a
// multi-select as repeated parameters, empty fields) gives the chart page of
// those parameters, with the choices selected, the button to apply them, the
// data table, the sources and the share and cite texts.
func TestChartPageWithoutScript(t *testing.T) {
	s := MustServer(t, MustSeededStore(t), testConfig())
	rec := get(t, s.Handler(), "/charts/gas-exports?destinations=TUR&destinations=DEU&freq=annual&from=&to=&vintage=")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	today := time.Now().UTC().Format("2 January 2006")
	if sub, ok := containsAll(body,
		"To Turkey and Germany", `<option value="TUR" selected data-kind="country">Turkey (TUR)</option>`,
		`<option value="DEU" selected data-kind="country">`, `<button type="submit" class="apply">Update chart</button>`,
		`<table id="tbl-gas-exports"`, `aria-describedby="st-gas-exports"`, `<p class="statement" id="st-gas-exports"`,
		`<ul class="citations"`, `data-bind="share-url"`, "destinations=TUR,DEU&amp;freq=annual&amp;v=1", "&lt;iframe",
		"Retrieved "+today); !ok {
		t.Errorf("the page lacks %q", sub)
	}
	if !strings.Contains(body, `data-tab="map" hidden`) {
		t.Errorf("gas exports offers a map tab: it has no country map")
	}

	// Aggregates and residual lines are listed apart from the countries.
	body = get(t, s.Handler(), "/charts/trade-share").Body.String()
	countries, aggregates, ok := strings.Cut(body, `<optgroup label="Aggregates and residual lines">`)
	if !ok {
		t.Fatal("the partners list has no aggregates group")
	}
	aggregates, _, _ = strings.Cut(aggregates, "</optgroup>")
	countries = countries[strings.LastIndex(countries, `<optgroup label="Countries">`):]
	for _, code := range []string{"WLD", "XAN"} {
		if strings.Contains(countries, `value="`+code+`"`) || !strings.Contains(aggregates, `value="`+code+`" data-kind="aggregate"`) {
			t.Errorf("%s is not listed as an aggregate apart from the countries", code)
		}
	}
	if !strings.Contains(countries, `value="TUR" selected data-kind="country"`) {
		t.Error("Turkey is not among the countries")
	}
}

// TestChartAPIPage: the API answers what the page redraws in place: links
// pinned to the data version, the map of the same partners, the citation.
func TestChartAPIPage(t *testing.T) {
	s := MustServer(t, MustSeededStore(t), testConfig())
	type response struct {
		DataVersion int64     `json:"data_version"`
		Page        chartPage `json:"page"`
	}
	for _, tc := range []struct{ url, mapAPI string }{
		{"/api/charts/trade-share?partners=TUR,KAZ&year=2019", "/api/charts/map?metric=trade-share&partners=TUR,KAZ&year=2019"},
		{"/api/charts/integration-gain?bloc=EAEU&measure=gdp-ppp", "/api/charts/map?bloc=EAEU&measure=gdp-ppp&metric=bloc"},
		{"/api/charts/gas-exports", ""},
	} {
		rec := get(t, s.Handler(), tc.url)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d", tc.url, rec.Code)
		}
		var resp response
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		p := resp.Page
		if p.MapAPI != tc.mapAPI {
			t.Errorf("%s: map %q, want %q", tc.url, p.MapAPI, tc.mapAPI)
		}
		if want := "v=" + strconv.FormatInt(resp.DataVersion, 10); !strings.HasSuffix(p.Pinned, want) || !strings.Contains(p.EmbedCode, "/embed?") || !strings.Contains(p.Cite, p.Pinned) {
			t.Errorf("%s: pinned %q, embed %q, cite %q: want links pinned with %s", tc.url, p.Pinned, p.EmbedCode, p.Cite, want)
		}
		if len(p.CitationTexts) == 0 {
			t.Errorf("%s: no citations", tc.url)
		}
		if tc.mapAPI != "" {
			if rec := get(t, s.Handler(), tc.mapAPI); rec.Code != 200 {
				t.Errorf("%s: the map view answers %d: %s", tc.url, rec.Code, rec.Body)
			}
		}
	}
}

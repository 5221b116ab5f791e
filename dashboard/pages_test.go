package dashboard

import (
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
			"30.6% in vintage 2023-05", "32.5% in vintage 2026-07", "Caveats", "60 figures of NY.GDP.MKTP.PP.CD",
		}},
		{name: "chosen vintage", url: "/charts/integration-gain?year=2019&vintage=2023-05", status: 200, want: []string{
			"Vintage 2023-05 where the figures come in it", `<option value="2023-05" selected>2023-05</option>`,
		}},
		{name: "derived gas baseline", url: "/charts/gas-exports?destinations=TUR&freq=monthly", status: 200, want: []string{
			"Caveats", "RUS→TUR 2019-04", "derived: back-calculated",
		}},
	})
}

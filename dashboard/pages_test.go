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
	if body := get(t, s.Handler(), url).Body.String(); !strings.Contains(body, `<td class="num">111</td>`) {
		t.Fatal("first page lacks 111")
	}
	MustImport(t, store, "new", "new.xlsx", workbook(222))
	if body := get(t, s.Handler(), url).Body.String(); !strings.Contains(body, `<td class="num">111</td>`) {
		t.Fatal("within the TTL the cached page should still show 111")
	}
	s.DataChanged()
	body := get(t, s.Handler(), url).Body.String()
	if !strings.Contains(body, `<td class="num">222</td>`) || !strings.Contains(body, "Data version 2") {
		t.Errorf("after DataChanged the page does not show the new data")
	}
}

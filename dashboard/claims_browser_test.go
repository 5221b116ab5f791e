package dashboard

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clout-dev/clout/indicators"
)

// claimCardJS reads the claim cards of a page: text, verdict word, since and
// whether the sparkline is drawn with points.
const claimCardJS = `(() => Array.from(document.querySelectorAll('.claim-card')).map(c => ({
  text: c.querySelector('h3').textContent,
  verdict: c.querySelector('.verdict').textContent.trim(),
  since: (c.querySelector('.since') || {textContent: ''}).textContent,
  spark: c.querySelector('svg.sparkline polyline') ? c.querySelector('svg.sparkline polyline').getAttribute('points').split(' ').length : 0,
  box: c.querySelector('svg.sparkline') ? c.querySelector('svg.sparkline').getBoundingClientRect().width : 0,
})))()`

type browserCard struct {
	Text, Verdict, Since string
	Spark                int
	Box                  float64
}

func TestBrowser_claims(t *testing.T) {
	chromiumPath(t)
	store := MustSeededStore(t)
	srv := httptest.NewServer(MustServer(t, store, testConfig()).Handler())
	t.Cleanup(srv.Close)
	ctx, w := newBrowser(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`.claim-card`)); err != nil {
		t.Fatalf("overview: %v", err)
	}
	cards, err := chromedp.Run(ctx, chromedp.Evaluate[[]browserCard](claimCardJS))
	if err != nil {
		t.Fatal(err)
	}
	claimsFirst, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#h-claims').compareDocumentPosition(document.querySelector('.headline')) === Node.DOCUMENT_POSITION_FOLLOWING`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 4 || !claimsFirst {
		t.Fatalf("overview: %d claim cards, claims before the charts %v", len(cards), claimsFirst)
	}
	for _, c := range cards {
		if !strings.Contains(c.Text, "“") || c.Spark < 2 || c.Box == 0 || c.Since == "" {
			t.Errorf("card %+v: want the quoted text, a drawn sparkline and since when", c)
		}
		if v := strings.Fields(c.Verdict); len(v) != 2 || !indicators.Verdict(v[1]).Testable() {
			t.Errorf("card verdict %q: want a symbol and the verdict in words", c.Verdict)
		}
	}
	time.Sleep(300 * time.Millisecond)
	assertClean(t, w, "/")

	path := "/claims/" + indicators.ClaimTradeShare
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
		t.Fatalf("navigate %s: %v", path, err)
	}
	states := mustCharts(t, ctx)
	if len(states) != 1 || states[0].Series != 3 || states[0].Painted < 50 {
		t.Fatalf("%s: chart %+v, want the verdict bars and the range marks drawn", path, states)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]map[string]string](`Array.from(document.querySelectorAll('table.verdicts tbody tr')).map(r => ({
	  period: r.dataset.period, verdict: r.querySelector('.verdict').textContent.trim(), range: r.cells[2].textContent}))`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]string{}
	for _, r := range rows {
		got[r["period"]] = r
	}
	for p, want := range map[string]string{"2019": "holds", "2022": "fails", "2025": "untestable"} {
		if !strings.HasSuffix(got[p]["verdict"], want) {
			t.Errorf("%s row %s: %+v, want %s", path, p, got[p], want)
		}
	}
	if !strings.Contains(got["2022"]["range"], "–") {
		t.Errorf("2022 row shows no range across sources: %+v", got["2022"])
	}
	time.Sleep(300 * time.Millisecond)
	assertClean(t, w, path)
}

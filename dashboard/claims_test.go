package dashboard

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/data/seed"
	"github.com/clout-dev/clout/indicators"
)

// seededClaimServer runs a data server over the seed and returns it with a client.
func seededClaimServer(tb testing.TB) (*Server, *testClient) {
	tb.Helper()
	store := MustDataStore(tb)
	MustImport(tb, store, seed.Dataset, seed.FileName, seed.Workbook())
	s := MustDataServer(tb, store, Config{})
	tb.Cleanup(func() { s.rejudging.Wait() })
	return s, newTestClient(tb, serve(tb, s))
}

func TestClaimsAPI(t *testing.T) {
	_, c := seededClaimServer(t)
	res := c.do(http.MethodGet, "/api/claims", nil)
	if res.status != http.StatusOK {
		t.Fatalf("GET /api/claims: %d %s", res.status, res.body)
	}
	var rep claims.Report
	if err := json.Unmarshal(res.body, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Claims) != 4 || rep.DataVersion == 0 {
		t.Fatalf("report %d claims at %d", len(rep.Claims), rep.DataVersion)
	}

	res = c.do(http.MethodGet, "/api/claims/"+indicators.ClaimGasFall, nil)
	var one ClaimResponse
	if err := json.Unmarshal(res.body, &one); err != nil || res.status != http.StatusOK {
		t.Fatalf("GET claim: %d %v %s", res.status, err, res.body)
	}
	var held []string
	for _, v := range one.Verdicts {
		if v.Verdict == indicators.VerdictHolds {
			held = append(held, v.Period.String())
		}
	}
	if !strings.HasPrefix(strings.Join(held, ","), "2020-03,2020-04") || one.Summary == "" || one.History == nil ||
		one.Current.Verdict != indicators.VerdictFails || !strings.HasSuffix(one.Page, "/claims/"+indicators.ClaimGasFall) {
		t.Errorf("gas claim: held %v, %+v", held, one.Current)
	}
	var raw map[string]any
	json.Unmarshal(res.body, &raw)
	first := raw["verdicts"].([]any)[0].(map[string]any)
	for _, k := range []string{"period", "value", "verdict", "flags", "sources", "missing", "reason"} {
		if _, ok := first[k]; !ok {
			t.Errorf("verdict JSON lacks %q: %v", k, first)
		}
	}

	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/api/claims/no-such-claim", http.StatusNotFound},
	} {
		if res := c.do(http.MethodGet, tc.path, nil); res.status != tc.status || !strings.Contains(string(res.body), `"error"`) {
			t.Errorf("GET %s: %d %s, want %d", tc.path, res.status, res.body, tc.status)
		}
	}
}

func TestClaimPages(t *testing.T) {
	_, c := seededClaimServer(t)
	home := c.do(http.MethodGet, "/", nil)
	body := string(home.body)
	claimsAt, chartsAt := strings.Index(body, `id="h-claims"`), strings.Index(body, `class="headline"`)
	if home.status != http.StatusOK || claimsAt < 0 || chartsAt < 0 || claimsAt > chartsAt {
		t.Fatalf("the overview does not lead with the claims (%d, claims at %d, charts at %d)", home.status, claimsAt, chartsAt)
	}
	if miss, ok := containsAll(body, `href="/claims/`+indicators.ClaimTradeShare+`"`, `<svg class="sparkline"`, "<polyline points=", `class="verdict verdict-`, "since "); !ok {
		t.Errorf("overview lacks %q", miss)
	}
	if strings.Contains(body, "ZgotmplZ") {
		t.Error("a template value was refused by html/template")
	}

	page := c.do(http.MethodGet, "/claims/"+indicators.ClaimTradeShare, nil)
	body = string(page.body)
	if page.status != http.StatusOK {
		t.Fatalf("claim page: %d", page.status)
	}
	if miss, ok := containsAll(body, `<script type="application/json" id="opt-claim">`, `<tr data-period="2019">`, "History of verdict changes",
		"Caveats", "From 2021 Russian customs publish no partner table", "> holds</span>"); !ok {
		t.Errorf("claim page lacks %q", miss)
	}
	opt := regexp.MustCompile(`(?s)id="opt-claim">(.*?)</script>`).FindStringSubmatch(body)
	var parsed map[string]any
	if opt == nil || json.Unmarshal([]byte(opt[1]), &parsed) != nil || parsed["series"] == nil {
		t.Errorf("claim option is not JSON with series")
	}
	if list := c.do(http.MethodGet, "/claims", nil); list.status != http.StatusOK || strings.Count(string(list.body), `class="claim-card"`) != 4 {
		t.Errorf("/claims: %d with %d cards", list.status, strings.Count(string(list.body), `class="claim-card"`))
	}
	if res := c.do(http.MethodGet, "/claims/nope", nil); res.status != http.StatusNotFound {
		t.Errorf("unknown claim page: %d", res.status)
	}
}

// Adding a claim needs a writer and the CSRF token; a bad one shows the form
// again naming each problem.
func TestAddClaimForm(t *testing.T) {
	_, c := seededClaimServer(t)
	form := url.Values{"id": {"pop-over-60"}, "text": {"The bloc has over 60% of Russia's population"}, "said_title": {"A talk"},
		"chart": {"integration-gain"}, "params": {"bloc=FSU-CORE\nmeasure=population"}, "figure": {"bloc-ratio"}, "unit": {"%"},
		"test": {">60"}, "periods": {"each year"}, "caveats": {"Rounded.\n"}}
	post := func(f url.Values) response {
		return c.do(http.MethodPost, "/claims", strings.NewReader(f.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	}
	if res := post(form); res.status != http.StatusUnauthorized {
		t.Fatalf("anonymous add: %d, want 401", res.status)
	}
	if res := c.login(testAdminToken); res.status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.status)
	}
	if res := post(form); res.status != http.StatusForbidden {
		t.Errorf("add without CSRF: %d, want 403", res.status)
	}
	form.Set("_csrf", c.formToken("/claims/new"))
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("test", "=>60")
	bad.Set("periods", "sometimes")
	res := post(bad)
	if res.status != http.StatusBadRequest || !strings.Contains(string(res.body), "claim pop-over-60: test:") || !strings.Contains(string(res.body), "claim pop-over-60: periods:") {
		t.Errorf("bad claim: %d %s", res.status, res.body)
	}
	res = post(form)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/claims/pop-over-60" {
		t.Fatalf("add: %d %s", res.status, res.body)
	}
	page := c.do(http.MethodGet, "/claims/pop-over-60", nil)
	if page.status != http.StatusOK || !strings.Contains(string(page.body), "user claim") || !strings.Contains(string(page.body), "Rounded.") {
		t.Errorf("new claim page: %d", page.status)
	}
	if home := c.do(http.MethodGet, "/", nil); !strings.Contains(string(home.body), `href="/claims/pop-over-60"`) {
		t.Error("the overview does not list the new claim")
	}
	if res := post(form); res.status != http.StatusConflict {
		t.Errorf("same id again: %d, want 409", res.status)
	}
}

// An upload that changes a figure re-judges the claims: the change is in the
// history on the claim page and the API; the gauge shows the current verdict.
func TestClaims_uploadRejudges(t *testing.T) {
	s, c := seededClaimServer(t)
	c.do(http.MethodGet, "/claims", nil) // the baseline
	if g := metricValue(t, c, indicators.ClaimTradeShare); g != -1 {
		t.Fatalf("gauge: %v, want -1 (fails since 2022)", g)
	}
	uploadWorkbook(t, c, "correction.xlsx", MustTidyWorkbook(t, [][]any{
		{indicators.ExportsCode, "RUS", "TUR", "2020", 60e9, "US$", "test correction"},
		{indicators.ImportsCode, "RUS", "TUR", "2020", 30e9, "US$", "test correction"},
	}))
	s.rejudging.Wait()
	res := c.do(http.MethodGet, "/api/claims/"+indicators.ClaimTradeShare, nil)
	var one ClaimResponse
	json.Unmarshal(res.body, &one)
	if len(one.History) != 1 || one.History[0].Period != indicators.Year(2020) || one.History[0].Old != indicators.VerdictHolds {
		t.Fatalf("history after the upload: %+v", one.History)
	}
	page := string(c.do(http.MethodGet, "/claims/"+indicators.ClaimTradeShare, nil).body)
	if !strings.Contains(page, "holds → "+string(one.History[0].New)) {
		t.Errorf("claim page does not show the change holds → %s", one.History[0].New)
	}
}

// uploadWorkbook imports a file through the upload API as the admin.
func uploadWorkbook(tb testing.TB, c *testClient, name string, file []byte) {
	tb.Helper()
	body, ct := multipartBody(tb, map[string]string{"dataset": "correction"}, name, file)
	res := c.do(http.MethodPost, "/api/imports", body, "Content-Type", ct, "Authorization", "Bearer "+testAdminToken)
	if res.status != http.StatusCreated && res.status != http.StatusOK {
		tb.Fatalf("upload: %d %s", res.status, res.body)
	}
}

// metricValue scrapes /metrics for clout_claim_verdict{claim=id}.
func metricValue(tb testing.TB, c *testClient, id string) float64 {
	tb.Helper()
	res := c.do(http.MethodGet, "/metrics", nil)
	m := regexp.MustCompile(`clout_claim_verdict\{claim="` + regexp.QuoteMeta(id) + `"\} (\S+)`).FindSubmatch(res.body)
	if m == nil {
		tb.Fatalf("no clout_claim_verdict for %s in /metrics", id)
	}
	var v float64
	json.Unmarshal(m[1], &v)
	return v
}

// Scripts add a claim with the token and a JSON body written like a config claim.
func TestAddClaimJSON(t *testing.T) {
	_, c := seededClaimServer(t)
	body := `{"id": "gdp-over-25", "text": "The bloc's GDP is over a quarter of Russia's", "said": {"title": "A report"},
	  "metric": {"chart": "integration-gain", "params": {"measure": "gdp-ppp"}, "figure": "bloc-ratio", "unit": "%"},
	  "test": ">25", "periods": "each year, from 2015"}`
	res := c.do(http.MethodPost, "/claims", strings.NewReader(body), "Content-Type", "application/json", "Authorization", "Bearer "+testAdminToken)
	if res.status != http.StatusCreated || !strings.Contains(string(res.body), `"page":"/claims/gdp-over-25"`) {
		t.Fatalf("POST JSON: %d %s", res.status, res.body)
	}
	var one ClaimResponse
	json.Unmarshal(c.do(http.MethodGet, "/api/claims/gdp-over-25", nil).body, &one)
	if one.Origin != claims.OriginUser || one.Current.Verdict != indicators.VerdictHolds || one.Claim.Periods.From != indicators.Year(2015) {
		t.Errorf("added claim judged %+v, origin %s", one.Current, one.Origin)
	}
}

package dashboard

import (
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var navLink = regexp.MustCompile(`<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>`)

// navOf reads the site menu of a page: each entry as "label url", the
// current one marked with a star.
func navOf(t *testing.T, body string) []string {
	t.Helper()
	start, end := strings.Index(body, `<nav aria-label="Site">`), strings.Index(body, `</nav>`)
	if start < 0 || end < start {
		t.Fatalf("no site menu in the page")
	}
	var out []string
	for _, m := range navLink.FindAllStringSubmatch(body[start:end], -1) {
		entry := m[3] + " " + m[1]
		if m[2] != "" {
			entry = "*" + entry
		}
		out = append(out, entry)
	}
	return out
}

func TestSiteMenu(t *testing.T) {
	c := startSeededDataServer(t)
	if up := c.upload(map[string]string{"dataset": "population"}, "population.csv", goodCSV(), bearerHeader(testAdminToken)...); up.status != http.StatusOK {
		t.Fatalf("import: %d %s", up.status, up.body)
	}
	all := []string{"Overview /", "Claims /claims", "Trade /charts/trade-share", "Gas /charts/gas-exports",
		"Integration /charts/integration-gain", "Indicators /charts/series", "Map /charts/map",
		"Datasets /datasets", "Upload /upload", "Jobs /jobs"}
	for _, tc := range []struct {
		path, current string
	}{
		{"/", "Overview /"},
		{"/charts/gas-exports?freq=annual", "Gas /charts/gas-exports"},
		{"/claims", "Claims /claims"},
		{"/datasets", "Datasets /datasets"},
		{"/datasets/population", "Datasets /datasets"},
		{"/jobs", "Jobs /jobs"},
		{"/login", ""},
	} {
		res := c.do(http.MethodGet, tc.path, nil)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: %d", tc.path, res.status)
		}
		got := navOf(t, string(res.body))
		want := make([]string, len(all))
		for i, e := range all {
			want[i] = e
			if e == tc.current {
				want[i] = "*" + e
			}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("menu of %s:\n got %v\nwant %v", tc.path, got, want)
		}
	}
	// The overview names each chart it links to by the same short name.
	body := string(c.do(http.MethodGet, "/", nil).body)
	for _, want := range []string{"Open the Trade chart", "Open the Gas chart", "Open the Integration chart"} {
		if !strings.Contains(body, want) {
			t.Errorf("the overview lacks %q", want)
		}
	}
}

var (
	loginLink   = regexp.MustCompile(`<a class="login-link" href="/login\?next=([^"]*)">Log in</a>`)
	signedInAs  = "Signed in as <strong>admin</strong>"
	logoutToken = regexp.MustCompile(`<form class="logout" method="post" action="/logout"><input type="hidden" name="_csrf" value="([^"]+)">`)
)

// TestAccountArea checks the header's account area on a cached page (a chart
// page) and on a rendered one (datasets): anonymous visitors get Log in
// returning to the page, a session gets who is signed in and Log out with its
// own token, and the shared cached page never carries a session's area.
func TestAccountArea(t *testing.T) {
	anon := startSeededDataServer(t)
	srv := anon.base
	const page = "/charts/trade-share?year=2019"

	first := anon.do(http.MethodGet, page, nil)
	m := loginLink.FindStringSubmatch(string(first.body))
	if m == nil || m[1] != "%2fcharts%2ftrade-share%3fyear%3d2019" && m[1] != "%2Fcharts%2Ftrade-share%3Fyear%3D2019" {
		t.Fatalf("anonymous chart page: Log in link %v, want one returning to %s", m, page)
	}

	user := newTestClientAt(t, srv)
	if res := user.login(testAdminToken); res.status != http.StatusSeeOther {
		t.Fatalf("log in: %d", res.status)
	}
	token := user.formToken("/upload")
	for _, path := range []string{page, "/", "/datasets", "/charts/no-such-chart"} {
		res := user.do(http.MethodGet, path, nil)
		body := string(res.body)
		if !strings.Contains(body, signedInAs) || loginLink.MatchString(body) {
			t.Errorf("%s signed in: the header does not say who is signed in", path)
		}
		if m := logoutToken.FindStringSubmatch(body); m == nil || m[1] != token {
			t.Errorf("%s signed in: Log out form token %v, want the session's %q", path, m, token)
		}
	}
	own := user.do(http.MethodGet, page, nil)
	if own.header.Get("ETag") == first.header.Get("ETag") || !strings.Contains(own.header.Get("Cache-Control"), "private") {
		t.Errorf("the signed-in page shares the anonymous tag %q or is not private (%q)", own.header.Get("ETag"), own.header.Get("Cache-Control"))
	}
	again := anon.do(http.MethodGet, page, nil)
	if string(again.body) != string(first.body) || strings.Contains(string(again.body), token) {
		t.Errorf("the anonymous page changed after a signed-in request (a session's area leaked into the cache)")
	}
	if res := anon.do(http.MethodGet, page, nil, "If-None-Match", first.header.Get("ETag")); res.status != http.StatusNotModified {
		t.Errorf("anonymous revalidation: %d, want 304", res.status)
	}

	logout := user.do(http.MethodPost, "/logout", strings.NewReader("_csrf="+token), "Content-Type", "application/x-www-form-urlencoded")
	if logout.status != http.StatusSeeOther {
		t.Fatalf("log out: %d", logout.status)
	}
	if body := string(user.do(http.MethodGet, page, nil).body); strings.Contains(body, signedInAs) || !loginLink.MatchString(body) {
		t.Errorf("after log out the header still names the admin")
	}
}

// TestAPIVersion: the footer's endpoint answers the current data version and
// the next one after an import.
func TestAPIVersion(t *testing.T) {
	c := startSeededDataServer(t)
	var before struct {
		DataVersion int64 `json:"data_version"`
	}
	res := c.do(http.MethodGet, "/api/version", nil)
	res.json(t, &before)
	if res.status != http.StatusOK || res.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /api/version: %d, Cache-Control %q", res.status, res.header.Get("Cache-Control"))
	}
	if up := c.upload(map[string]string{"dataset": "population"}, "population.csv", goodCSV(), bearerHeader(testAdminToken)...); up.status != http.StatusOK {
		t.Fatalf("import: %d %s", up.status, up.body)
	}
	var after struct {
		DataVersion int64 `json:"data_version"`
	}
	c.do(http.MethodGet, "/api/version", nil).json(t, &after)
	if after.DataVersion != before.DataVersion+1 {
		t.Errorf("data version %d after an import, want %d", after.DataVersion, before.DataVersion+1)
	}
	if body := string(c.do(http.MethodGet, "/datasets", nil).body); !strings.Contains(body, `data-version="`) ||
		!strings.Contains(body, `<span class="data-version-number">`+strconv.FormatInt(after.DataVersion, 10)+`</span>`) {
		t.Errorf("the footer does not show data version %d after a reload", after.DataVersion)
	}
}

// newTestClientAt is another browser (its own cookies) on the server at base.
func newTestClientAt(tb testing.TB, base string) *testClient {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &testClient{tb: tb, base: base, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// startSeededDataServer serves the seed data with the importer and the test
// admin token, and returns a client of it.
func startSeededDataServer(tb testing.TB) *testClient {
	tb.Helper()
	return newTestClient(tb, serve(tb, MustDataServer(tb, MustSeededStore(tb), Config{})))
}

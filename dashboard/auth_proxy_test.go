package dashboard

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// privateAPI asks GET /api/datasets of a private server with a Bearer token,
// as the client reached through a proxy that appended client to
// X-Forwarded-For (xff is what the client itself sent, "" for none).
func privateAPI(c *testClient, token, xff, client string) response {
	c.tb.Helper()
	hops := client
	if xff != "" {
		hops = xff + ", " + client
	}
	return c.do(http.MethodGet, "/api/datasets", nil, append(bearerHeader(token), "X-Forwarded-For", hops)...)
}

// TestLoginLimitKeyedOnTrustedProxyAddress sends wrong tokens with a rotating
// X-Forwarded-For from the test client (a loopback peer): the limit must hold
// on the address the trusted proxy saw, or on the peer when it trusts none,
// and another client's right token must still be accepted.
func TestLoginLimitKeyedOnTrustedProxyAddress(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cases := []struct {
		name string
		cfg  Config
		// otherClientAccepted: another client address can log in while the
		// attacker is limited (false when every request is the proxy's own).
		otherClientAccepted bool
	}{
		{name: "trusted_proxies lists the proxy", cfg: Config{TrustedProxies: loopback}, otherClientAccepted: true},
		{name: "trust_proxy alias trusts loopback", cfg: Config{TrustProxy: true}, otherClientAccepted: true},
		{name: "no proxy trusted: the header is ignored", cfg: Config{}},
		{name: "another proxy trusted: the header is ignored", cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16")}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Private = true
			_, _, c := startDataServer(t, tc.cfg)
			var limited int
			for i := range 40 {
				spoof := "198.18." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250+1)
				res := privateAPI(c, "wrong-"+strconv.Itoa(i), spoof, "203.0.113.66")
				switch {
				case i < addressBurst && res.status != http.StatusUnauthorized:
					t.Fatalf("guess %d: %d, want 401", i, res.status)
				case i >= addressBurst && res.status != http.StatusTooManyRequests:
					t.Fatalf("guess %d with X-Forwarded-For %s: %d, want 429", i, spoof, res.status)
				case res.status == http.StatusTooManyRequests:
					limited++
					if ra, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || ra < 1 || ra > int(addressRefill/time.Second) {
						t.Fatalf("guess %d: Retry-After %q", i, res.header.Get("Retry-After"))
					}
				}
			}
			if limited != 40-addressBurst {
				t.Fatalf("%d of 40 guesses limited, want %d", limited, 40-addressBurst)
			}
			// The right token from the attacker's address is refused too.
			if res := privateAPI(c, testAdminToken, "", "203.0.113.66"); res.status != http.StatusTooManyRequests {
				t.Fatalf("attacker's address with the right token: %d, want 429", res.status)
			}
			want := http.StatusOK
			if !tc.otherClientAccepted {
				want = http.StatusTooManyRequests // one address for all: the peer's
			}
			if res := privateAPI(c, testAdminToken, "", "198.51.100.20"); res.status != want {
				t.Fatalf("another client's right token: %d, want %d: %s", res.status, want, res.body)
			}
		})
	}
}

// TestClientAddressExtraction checks which X-Forwarded-For hop is the client.
func TestClientAddressExtraction(t *testing.T) {
	proxies := proxyTrust{ranges: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("2001:db8::/32")}}
	alias := proxyTrust{private: true}
	cases := []struct {
		name  string
		trust proxyTrust
		peer  string
		xff   string
		want  string
	}{
		{"no trust: the peer", proxyTrust{}, "198.51.100.1:5000", "203.0.113.9", "198.51.100.1"},
		{"untrusted peer: header ignored", proxies, "198.51.100.1:5000", "203.0.113.9", "198.51.100.1"},
		{"trusted peer: its hop", proxies, "192.0.2.7:5000", "203.0.113.9", "203.0.113.9"},
		{"client-sent hops before the proxy's are skipped", proxies, "192.0.2.7:5000", "1.2.3.4, 5.6.7.8, 203.0.113.9", "203.0.113.9"},
		{"two trusted proxies in a row", proxies, "192.0.2.7:5000", "1.2.3.4, 203.0.113.9, 192.0.2.8", "203.0.113.9"},
		{"IPv6 proxy", proxies, "[2001:db8::5]:5000", "2001:db8:ffff::1, 2a00:1450::1", "2a00:1450::1"},
		{"garbage hop: the proxy itself", proxies, "192.0.2.7:5000", "not-an-ip", "192.0.2.7"},
		{"alias trusts private proxies", alias, "10.0.0.2:5000", "203.0.113.9, 172.16.0.4", "203.0.113.9"},
		{"alias ignores public peers", alias, "198.51.100.1:5000", "203.0.113.9", "198.51.100.1"},
		{"listed ranges do not trust private addresses", proxies, "10.0.0.2:5000", "203.0.113.9", "10.0.0.2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodGet, "/", nil)
			if err != nil {
				t.Fatal(err)
			}
			r.RemoteAddr = tc.peer
			r.Header.Set("X-Forwarded-For", tc.xff)
			if got := tc.trust.ipExtractor()(r); got != tc.want {
				t.Fatalf("client %q, want %q", got, tc.want)
			}
		})
	}
}

// TestAccountBackoff checks the account's hold with a controlled clock: none
// for the free failures, then doubling to the cap, forgotten after a quiet
// spell, ended by a success.
func TestAccountBackoff(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	b := newAccountBackoff(func() time.Time { return now })
	for range accountFreeFailures {
		b.fail()
		if h := b.hold(); h != 0 {
			t.Fatalf("hold %s within the free failures", h)
		}
	}
	want := accountHoldBase
	for range 8 {
		b.fail()
		if h := b.hold(); h != want {
			t.Fatalf("hold %s, want %s", h, want)
		}
		want = min(2*want, accountHoldMax)
	}
	now = now.Add(accountHoldMax / 2)
	if h := b.hold(); h != accountHoldMax/2 {
		t.Fatalf("hold %s half way through, want %s", h, accountHoldMax/2)
	}
	now = now.Add(accountHoldMax)
	if h := b.hold(); h != 0 {
		t.Fatalf("hold %s after the delay passed", h)
	}
	b.fail()
	if h := b.hold(); h != accountHoldMax {
		t.Fatalf("hold %s after one more failure, want the cap", h)
	}
	b.succeed()
	if h := b.hold(); h != 0 {
		t.Fatalf("hold %s after a success", h)
	}
	for range accountFreeFailures + 3 {
		b.fail()
	}
	now = now.Add(accountForget)
	if h := b.hold(); h != 0 {
		t.Fatalf("hold %s after a quiet spell", h)
	}
}

// TestAccountBackoffHoldsButAccepts spreads wrong tokens over many addresses
// (each within its own limit): the account backs off, and the right token from
// yet another address is held briefly, then accepted.
func TestAccountBackoffHoldsButAccepts(t *testing.T) {
	_, _, c := startDataServer(t, Config{Private: true, TrustProxy: true})
	for i := range accountFreeFailures + 2 {
		if res := privateAPI(c, "wrong", "", "203.0.113."+strconv.Itoa(i+1)); res.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, res.status)
		}
	}
	start := time.Now()
	res := privateAPI(c, testAdminToken, "", "198.51.100.20")
	took := time.Since(start)
	if res.status != http.StatusOK {
		t.Fatalf("right token during the back-off: %d %s", res.status, res.body)
	}
	if took < accountHoldBase || took > accountHoldMax+time.Second {
		t.Fatalf("right token answered after %s; want a hold between %s and %s", took, accountHoldBase, accountHoldMax)
	}
	start = time.Now()
	if res := privateAPI(c, testAdminToken, "", "198.51.100.21"); res.status != http.StatusOK || time.Since(start) > accountHoldBase {
		t.Fatalf("after a success: %d in %s; the back-off should be over", res.status, time.Since(start))
	}
}

var metaCSRF = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

// TestCSRFBoundToSession logs two browsers in: a token from one session is
// refused in the other, and the login form's token is not a session's token.
func TestCSRFBoundToSession(t *testing.T) {
	s, _, a := startDataServer(t, Config{})
	b := newTestClient(t, serve(t, s))
	loginToken := a.formToken("/login")
	for _, c := range []*testClient{a, b} {
		if res := c.login(testAdminToken); res.status != http.StatusSeeOther {
			t.Fatalf("login: %d", res.status)
		}
	}
	tokA, tokB := a.formToken("/upload"), b.formToken("/upload")
	if tokA == tokB || tokA == loginToken {
		t.Fatalf("tokens not bound to sessions: A %q, B %q, login %q", tokA, tokB, loginToken)
	}
	if again := a.formToken("/datasets"); again != tokA {
		t.Fatalf("one session, two tokens: %q and %q", tokA, again)
	}
	if m := metaCSRF.FindSubmatch(a.do(http.MethodGet, "/upload", nil).body); m == nil || string(m[1]) != tokA {
		t.Fatalf("the upload page's meta token is not the session's: %q", m)
	}
	dry := func(c *testClient, fields map[string]string, headers ...string) int {
		fields["dry_run"] = "true"
		return c.upload(fields, "pop.csv", goodCSV(), headers...).status
	}
	for _, tc := range []struct {
		name   string
		c      *testClient
		fields map[string]string
		hdr    []string
		status int
	}{
		{"own token in the form", a, map[string]string{"_csrf": tokA}, nil, 200},
		{"own token in the header", b, map[string]string{}, []string{"X-CSRF-Token", tokB}, 200},
		{"other session's token in the form", a, map[string]string{"_csrf": tokB}, nil, 403},
		{"other session's token in the header", b, map[string]string{}, []string{"X-CSRF-Token", tokA}, 403},
		{"the login form's token", a, map[string]string{"_csrf": loginToken}, nil, 403},
		{"no token", a, map[string]string{}, nil, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := dry(tc.c, tc.fields, tc.hdr...); got != tc.status {
				t.Fatalf("status %d, want %d", got, tc.status)
			}
		})
	}
	// Logging out needs the session's own token too.
	form := "application/x-www-form-urlencoded"
	if res := a.do(http.MethodPost, "/logout", strings.NewReader(url.Values{"_csrf": {tokB}}.Encode()), "Content-Type", form); res.status != 403 {
		t.Fatalf("logout with another session's token: %d", res.status)
	}
	if res := a.do(http.MethodPost, "/logout", strings.NewReader(url.Values{"_csrf": {tokA}}.Encode()), "Content-Type", form); res.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.status)
	}
	if got := dry(a, map[string]string{"_csrf": tokA}); got != 401 {
		t.Fatalf("the token of a closed session: %d, want 401", got)
	}
}

// TestOriginChecked sends session writes and logins without Sec-Fetch-Site
// (as older browsers do) and with various Origin headers.
func TestOriginChecked(t *testing.T) {
	s, _, c := startDataServer(t, Config{BaseURL: "https://clout.example.org"})
	self := c.base // http://127.0.0.1:port
	if res := c.login(testAdminToken); res.status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.status)
	}
	tok := c.formToken("/upload")
	for _, tc := range []struct {
		name, origin, fetchSite string
		status                  int
	}{
		{name: "no Origin", status: 200},
		{name: "this host", origin: self, status: 200},
		{name: "the base URL", origin: "https://clout.example.org", status: 200},
		{name: "another site", origin: "https://evil.example", status: 403},
		{name: "another port", origin: "http://127.0.0.1:1", status: 403},
		{name: "opaque origin", origin: "null", status: 403},
		{name: "same-origin by Fetch Metadata", origin: "https://evil.example", fetchSite: "same-origin", status: 200},
		{name: "cross-site by Fetch Metadata", origin: self, fetchSite: "cross-site", status: 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.origin != "" {
				hdr = append(hdr, "Origin", tc.origin)
			}
			if tc.fetchSite != "" {
				hdr = append(hdr, "Sec-Fetch-Site", tc.fetchSite)
			}
			res := c.upload(map[string]string{"_csrf": tok, "dry_run": "true"}, "pop.csv", goodCSV(), hdr...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
		})
	}
	t.Run("login from another site", func(t *testing.T) {
		fresh := newTestClient(t, serve(t, s))
		csrf := fresh.formToken("/login")
		form := url.Values{"token": {testAdminToken}, "_csrf": {csrf}}
		res := fresh.do(http.MethodPost, "/login", strings.NewReader(form.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example")
		if res.status != 403 {
			t.Fatalf("login with a foreign Origin: %d", res.status)
		}
	})
}

// TestPrivateMetricsAndHealth checks what /metrics and /healthz show with and
// without --private, and /metrics on its own address.
func TestPrivateMetricsAndHealth(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		path    string
		headers []string
		status  int
		has     string
		hasNot  string
	}{
		{name: "public metrics", path: "/metrics", status: 200, has: "clout_"},
		{name: "private metrics without a token", cfg: Config{Private: true}, path: "/metrics", status: 401, hasNot: "clout_"},
		{name: "private metrics, wrong token", cfg: Config{Private: true}, path: "/metrics", headers: bearerHeader("nope"), status: 401, hasNot: "clout_"},
		{name: "private metrics with the token", cfg: Config{Private: true}, path: "/metrics", headers: bearerHeader(testAdminToken), status: 200, has: "clout_"},
		{name: "metrics on their own address", cfg: Config{MetricsOnOwnAddr: true}, path: "/metrics", headers: bearerHeader(testAdminToken), status: 404, hasNot: "clout_"},
		{name: "public health", path: "/healthz", status: 200, has: `"data_version"`},
		{name: "private health: status only", cfg: Config{Private: true}, path: "/healthz", status: 200, has: `{"status":"ok"}`, hasNot: "data_version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, c := startDataServer(t, tc.cfg)
			res := c.do(http.MethodGet, tc.path, nil, tc.headers...)
			if res.status != tc.status || !strings.Contains(string(res.body), tc.has) ||
				(tc.hasNot != "" && strings.Contains(string(res.body), tc.hasNot)) {
				t.Fatalf("status %d, want %d; body %.200s (want %q, not %q)", res.status, tc.status, res.body, tc.has, tc.hasNot)
			}
		})
	}
	t.Run("MetricsHandler serves them unguarded", func(t *testing.T) {
		s, _, _ := startDataServer(t, Config{Private: true, MetricsOnOwnAddr: true})
		srv := newTestClient(t, serveHandler(t, s.MetricsHandler()))
		if res := srv.do(http.MethodGet, "/metrics", nil); res.status != 200 || !strings.Contains(string(res.body), "clout_") {
			t.Fatalf("%d %.200s", res.status, res.body)
		}
	})
}

// TestHeadWhereverGet asks every kind of GET route with HEAD: same status and
// headers, no body.
func TestHeadWhereverGet(t *testing.T) {
	for _, private := range []bool{false, true} {
		s, _, c := startDataServer(t, Config{Private: private})
		c.upload(map[string]string{"dataset": "pop"}, "pop.csv", goodCSV(), bearerHeader(testAdminToken)...)
		static, err := s.assets.URL("app.js")
		if err != nil {
			t.Fatal(err)
		}
		paths := []string{"/", "/datasets", "/datasets/pop", "/upload", "/api/datasets", "/api/charts", "/charts/trade-share",
			"/template.xlsx", "/healthz", "/metrics", static, "/favicon.ico", "/login", "/no-such-page", "/api/datasets/no-such"}
		for _, path := range paths {
			for _, hdr := range [][]string{nil, bearerHeader(testAdminToken)} {
				get := c.do(http.MethodGet, path, nil, hdr...)
				head := c.do(http.MethodHead, path, nil, hdr...)
				if head.status != get.status || head.status == http.StatusMethodNotAllowed {
					t.Fatalf("private=%v %s (auth %v): HEAD %d, GET %d", private, path, hdr != nil, head.status, get.status)
				}
				if len(head.body) != 0 {
					t.Fatalf("%s: HEAD sent a body of %d bytes", path, len(head.body))
				}
				for _, h := range []string{"Content-Type", "Location", "Cache-Control", "Content-Security-Policy"} {
					if head.header.Get(h) != get.header.Get(h) {
						t.Fatalf("%s: HEAD %s %q, GET %q", path, h, head.header.Get(h), get.header.Get(h))
					}
				}
			}
		}
	}
	// A route that only writes still refuses HEAD as it refuses GET.
	_, _, c := startDataServer(t, Config{})
	get, head := c.do(http.MethodGet, "/logout", nil), c.do(http.MethodHead, "/logout", nil)
	if get.status != head.status {
		t.Fatalf("/logout: GET %d, HEAD %d", get.status, head.status)
	}
}

// serveHandler runs h on loopback until the test ends.
func serveHandler(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

package dashboard

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestEnsureAdminToken(t *testing.T) {
	store := MustDataStore(t)
	token, err := EnsureAdminToken(t.Context(), store, quietLogger())
	if err != nil || len(token) < 32 {
		t.Fatalf("first start: token %q, err %v", token, err)
	}
	stored, ok, err := store.Setting(t.Context(), AdminTokenSetting)
	if err != nil || !ok {
		t.Fatalf("no stored hash: %v", err)
	}
	sum := sha256.Sum256([]byte(token))
	if stored != hex.EncodeToString(sum[:]) || strings.Contains(stored, token) {
		t.Fatalf("stored %q is not the token's SHA-256", stored)
	}
	again, err := EnsureAdminToken(t.Context(), store, quietLogger())
	if err != nil || again != "" {
		t.Fatalf("second start printed %q (err %v); the token is printed once", again, err)
	}

	// A server without CLOUT_ADMIN_TOKEN accepts the generated token.
	s := MustDataServer(t, store, Config{AdminToken: ""})
	s.cfg.AdminToken = ""
	s.data = newDataState(s.cfg, s.deps)
	c := newTestClient(t, serve(t, s))
	for _, tc := range []struct {
		name   string
		token  string
		status int
	}{
		{name: "generated token", token: token, status: 200},
		{name: "the stored hash is not a token", token: stored, status: 401},
		{name: "wrong token", token: "x" + token, status: 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.upload(map[string]string{"dry_run": "true"}, "pop.csv", goodCSV(), bearerHeader(tc.token)...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
		})
	}
}

func TestNoTokenConfiguredRefusesWrites(t *testing.T) {
	store := MustDataStore(t)
	s := MustDataServer(t, store, Config{})
	s.cfg.AdminToken = ""
	s.data = newDataState(s.cfg, s.deps) // no token, nothing stored: writes are closed
	c := newTestClient(t, serve(t, s))
	for _, token := range []string{"", "anything"} {
		if res := c.upload(nil, "pop.csv", goodCSV(), bearerHeader(token)...); res.status != 401 {
			t.Fatalf("token %q: %d %s", token, res.status, res.body)
		}
	}
}

func TestLoginFailuresAreRateLimited(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	store := MustDataStore(t)
	s := MustDataServer(t, store, Config{})
	s.data = newDataState(s.cfg, Deps{Store: store, Now: clock})
	c := newTestClient(t, serve(t, s))

	for i := 1; i <= 5; i++ {
		if res := c.login("wrong"); res.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, res.status)
		}
	}
	if res := c.login(testAdminToken); res.status != http.StatusTooManyRequests {
		t.Fatalf("6th attempt, even with the right token: %d, want 429", res.status)
	}
	res := c.upload(nil, "pop.csv", goodCSV(), bearerHeader(testAdminToken)...)
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") != "12" || !bytes.Contains(res.body, []byte("too many failed attempts")) {
		t.Fatalf("API token from a blocked address: %d %q %s, want 429 with Retry-After", res.status, res.header.Get("Retry-After"), res.body)
	}
	advance(13 * time.Second) // one attempt refilled
	if res := c.login(testAdminToken); res.status != http.StatusSeeOther {
		t.Fatalf("after waiting: %d %s", res.status, res.body)
	}
	advance(time.Hour)
	for i := 0; i < 5; i++ {
		c.upload(nil, "pop.csv", goodCSV(), bearerHeader("wrong")...)
	}
	if res := c.upload(nil, "pop.csv", goodCSV(), bearerHeader(testAdminToken)...); res.status != http.StatusTooManyRequests {
		t.Fatalf("wrong API tokens are not limited: %d", res.status)
	}
}

func TestSessionCookie(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/28")}
	cases := []struct {
		name       string
		trustProxy bool
		trusted    []netip.Prefix
		peer       string
		tls        bool
		proto      string
		secure     bool
	}{
		{name: "plain http", secure: false},
		{name: "direct TLS", tls: true, secure: true},
		{name: "listed proxy says https", trusted: proxies, peer: "192.0.2.3:4000", proto: "https", secure: true},
		{name: "unlisted peer says https", trusted: proxies, peer: "192.0.2.200:4000", proto: "https", secure: false},
		{name: "trust_proxy and a private proxy says https", trustProxy: true, peer: "10.1.2.3:4000", proto: "https", secure: true},
		{name: "trust_proxy and a public peer says https", trustProxy: true, peer: "198.51.100.7:4000", proto: "https", secure: false},
		{name: "untrusted X-Forwarded-Proto", proto: "https", secure: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := MustDataServer(t, MustDataStore(t), Config{TrustProxy: tc.trustProxy, TrustedProxies: tc.trusted})
			get := httptest.NewRequest(http.MethodGet, "/login", nil)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, get)
			csrf := csrfInput.FindStringSubmatch(rec.Body.String())
			if csrf == nil {
				t.Fatalf("no CSRF field: %s", rec.Body)
			}
			form := url.Values{"token": {testAdminToken}, "_csrf": {csrf[1]}}
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: csrfCookie, Value: csrf[1]})
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if tc.peer != "" {
				req.RemoteAddr = tc.peer
			}
			rec = httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("login: %d %s", rec.Code, rec.Body)
			}
			var session *http.Cookie
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == sessionCookie {
					session = ck
				}
			}
			if session == nil || len(session.Value) < 32 {
				t.Fatalf("no session cookie: %v", rec.Result().Cookies())
			}
			if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure != tc.secure || session.Path != "/" {
				t.Fatalf("cookie %+v: want HttpOnly, SameSite=Strict, Secure=%v", session, tc.secure)
			}
		})
	}
}

func TestLoginRedirectStaysOnSite(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"/datasets", "/datasets"},
		{"/charts/series?indicator=X", "/charts/series?indicator=X"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"", "/"},
		{"javascript:alert(1)", "/"},
	} {
		if got := safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

func TestPrivateMode(t *testing.T) {
	cases := []struct {
		name     string
		private  bool
		path     string
		headers  []string
		status   int
		location string
	}{
		{name: "public API", path: "/api/datasets", status: 200},
		{name: "public page", path: "/datasets", status: 200},
		{name: "public template", path: "/template.xlsx", status: 200},
		{name: "private API without auth", private: true, path: "/api/datasets", status: 401},
		{name: "private charts API without auth", private: true, path: "/api/charts", status: 401},
		{name: "private page redirects to login", private: true, path: "/datasets", status: 303, location: "/login?next=%2Fdatasets"},
		{name: "private overview redirects", private: true, path: "/", status: 303, location: "/login?next=%2F"},
		{name: "private template without auth", private: true, path: "/template.xlsx", status: 303},
		{name: "private API with token", private: true, path: "/api/datasets", headers: bearerHeader(testAdminToken), status: 200},
		{name: "private API with wrong token", private: true, path: "/api/datasets", headers: bearerHeader("nope"), status: 401},
		{name: "login page stays open", private: true, path: "/login", status: 200},
		{name: "health stays open", private: true, path: "/healthz", status: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, c := startDataServer(t, Config{Private: tc.private})
			res := c.do(http.MethodGet, tc.path, nil, tc.headers...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %.300s", res.status, tc.status, res.body)
			}
			if tc.location != "" && res.header.Get("Location") != tc.location {
				t.Fatalf("Location %q, want %q", res.header.Get("Location"), tc.location)
			}
		})
	}
	t.Run("private with a session", func(t *testing.T) {
		_, _, c := startDataServer(t, Config{Private: true})
		if res := c.login(testAdminToken); res.status != http.StatusSeeOther {
			t.Fatalf("login: %d", res.status)
		}
		if res := c.do(http.MethodGet, "/datasets", nil); res.status != 200 {
			t.Fatalf("datasets with a session: %d", res.status)
		}
	})
}

func TestFailureLimiterIsBounded(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	l := newFailureLimiter(func() time.Time { return now }, 2, time.Minute, 4)
	for i := range 100 {
		ip := "10.0.0." + strconv.Itoa(i)
		l.fail(ip)
		l.fail(ip)
		if l.retryAfter(ip) <= 0 {
			t.Fatalf("%s not blocked after 2 failures", ip)
		}
		if len(l.buckets) > 4 {
			t.Fatalf("%d buckets kept, bound is 4", len(l.buckets))
		}
	}
	if l.retryAfter("192.0.2.1") != 0 {
		t.Fatalf("an address with no failures is blocked")
	}
}

// TestResetAdminToken replaces a generated token while a server runs: the new
// token works there at once and the old one no longer does.
func TestResetAdminToken(t *testing.T) {
	store := MustDataStore(t)
	old, err := EnsureAdminToken(t.Context(), store, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	s := MustDataServer(t, store, Config{})
	s.cfg.AdminToken = ""
	s.data = newDataState(s.cfg, s.deps)
	c := newTestClient(t, serve(t, s))
	dryRun := map[string]string{"dry_run": "true"}
	if res := c.upload(dryRun, "pop.csv", goodCSV(), bearerHeader(old)...); res.status != 200 {
		t.Fatalf("generated token before the reset: %d", res.status)
	}
	fresh, err := ResetAdminToken(t.Context(), store)
	if err != nil || len(fresh) < 32 || fresh == old {
		t.Fatalf("reset: %q, %v", fresh, err)
	}
	if res := c.upload(dryRun, "pop.csv", goodCSV(), bearerHeader(fresh)...); res.status != 200 {
		t.Fatalf("new token: %d %s", res.status, res.body)
	}
	if res := c.upload(dryRun, "pop.csv", goodCSV(), bearerHeader(old)...); res.status != 401 {
		t.Fatalf("old token after the reset: %d, want 401", res.status)
	}
}

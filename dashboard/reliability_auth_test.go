package dashboard

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clout-dev/clout/internal/testkit"
)

// loopbackClient is an HTTP client whose connections come from source, a
// loopback address of its own (127.0.0.0/8 all reach this host), so the server
// and the proxy see distinct clients.
func loopbackClient(tb testing.TB, source string) *http.Client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}, Timeout: 5 * time.Second}
	return &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// reliabilityGet asks base+path with a Bearer token and a client-chosen
// X-Forwarded-For, and returns the status and Retry-After.
func reliabilityGet(tb testing.TB, c *http.Client, base, token, xff string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/datasets", nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	res, err := c.Do(req)
	if err != nil {
		tb.Fatalf("GET %s: %v", base, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Retry-After")
}

// browserLogin logs in through the login form as a browser from c would.
func browserLogin(tb testing.TB, c *http.Client, base, token string) int {
	tb.Helper()
	res, err := c.Get(base + "/login")
	if err != nil {
		tb.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfInput.FindSubmatch(page)
	if m == nil {
		tb.Fatalf("no CSRF field on the login page (%d)", res.StatusCode)
	}
	form := url.Values{"token": {token}, "_csrf": {string(m[1])}}
	res, err = c.Post(base+"/login", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestReliabilityLoginLimits runs the real server behind a real reverse proxy
// (httputil.ReverseProxy on 127.0.0.1, the one trusted proxy) and attacks its
// admin token from other loopback addresses: rotating X-Forwarded-For through
// the proxy, the same directly, and wrong tokens spread over 24 addresses at
// once. Every attacking address is limited (429 with Retry-After after its 5
// attempts); the right token from a client that did nothing wrong is accepted
// within a few seconds throughout.
func TestReliabilityLoginLimits(t *testing.T) {
	testkit.Reliability(t)
	store := MustDataStore(t)
	s := MustDataServer(t, store, Config{Private: true, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	direct := "http://" + ln.Addr().String()
	target, _ := url.Parse(direct)
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(target)) // appends the client's address to X-Forwarded-For
	t.Cleanup(proxy.Close)
	viaProxy := proxy.URL

	// The right token's answer time from a client that did nothing wrong.
	legit := func(name, source string) {
		t.Helper()
		start := time.Now()
		if code := browserLogin(t, loopbackClient(t, source), viaProxy, testAdminToken); code != http.StatusSeeOther {
			t.Fatalf("%s: login of a legitimate client (%s): %d, want 303", name, source, code)
		}
		took := time.Since(start)
		if took > accountHoldMax+time.Second {
			t.Fatalf("%s: the legitimate login took %s", name, took)
		}
		t.Logf("%s: legitimate login accepted in %s", name, took.Round(time.Millisecond))
	}

	attack := func(name string, c *http.Client, base string) {
		t.Helper()
		var limited, refused int
		for i := range 40 {
			spoof := fmt.Sprintf("198.18.%d.%d, 100.64.0.%d", i/200, i%200+1, i+1)
			code, retry := reliabilityGet(t, c, base, "guess-"+strconv.Itoa(i), spoof)
			switch code {
			case http.StatusUnauthorized:
				refused++
			case http.StatusTooManyRequests:
				limited++
				if n, err := strconv.Atoi(retry); err != nil || n < 1 || n > int(addressRefill/time.Second) {
					t.Fatalf("%s: guess %d: Retry-After %q", name, i, retry)
				}
			default:
				t.Fatalf("%s: guess %d: %d", name, i, code)
			}
		}
		if refused != addressBurst || limited != 40-addressBurst {
			t.Fatalf("%s: %d guesses checked and %d limited; want %d and %d", name, refused, limited, addressBurst, 40-addressBurst)
		}
		t.Logf("%s: 40 rotating X-Forwarded-For guesses: %d checked, %d answered 429", name, refused, limited)
		if code, _ := reliabilityGet(t, c, base, testAdminToken, ""); code != http.StatusTooManyRequests {
			t.Fatalf("%s: the attacker's address with the right token: %d, want 429", name, code)
		}
	}

	attack("through the proxy", loopbackClient(t, "127.0.0.2"), viaProxy)
	legit("after the proxied attack", "127.0.0.3")
	attack("directly", loopbackClient(t, "127.0.0.4"), direct)
	legit("after the direct attack", "127.0.0.5")

	// Five wrong tokens from one client, then the right one from another.
	other := loopbackClient(t, "127.0.0.6")
	for i := range 5 {
		if code, _ := reliabilityGet(t, other, viaProxy, "wrong-"+strconv.Itoa(i), ""); code != http.StatusUnauthorized {
			t.Fatalf("wrong token %d: %d", i, code)
		}
	}
	legit("after 5 wrong tokens from another client", "127.0.0.7")

	// Wrong tokens from 24 addresses at once, 4 each (within each address's
	// limit): the account backs off, the addresses that go on are limited,
	// and the right token still gets in.
	var wg sync.WaitGroup
	errs := make(chan string, 24)
	for a := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := loopbackClient(t, fmt.Sprintf("127.0.1.%d", a+1))
			for i := range 4 {
				if code, _ := reliabilityGet(t, c, viaProxy, fmt.Sprintf("spread-%d-%d", a, i), ""); code != http.StatusUnauthorized {
					errs <- fmt.Sprintf("address %d, guess %d: %d", a, i, code)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if hold := s.data.auth.account.hold(); hold <= 0 {
		t.Fatalf("no account back-off after %d failures from 24 addresses", 24*4)
	}
	legit("during the account back-off", "127.0.0.8")
}

package dashboard

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/clout-dev/clout/indicators"
)

// AdminTokenSetting is the settings key under which the SHA-256 (hex) of a
// generated admin token is stored; the token itself is never stored.
const AdminTokenSetting = "admin_token_sha256"

// Settings keeps small named values. The SQLite store implements it; when the
// Store given to New also implements Settings and Config.AdminToken is empty, the
// token hash stored by EnsureAdminToken guards writes.
type Settings interface {
	// Setting returns the value stored under key and whether there is one.
	Setting(ctx context.Context, key string) (string, bool, error)
	// SetSetting stores value under key.
	SetSetting(ctx context.Context, key, value string) error
}

// SettingAdder is Settings that can add a value only where none is stored
// (data.Store implements it), so replicas starting together on an empty store
// generate one admin token, not one each of which only the last works.
type SettingAdder interface {
	// AddSetting stores value under key unless a value is stored there; it
	// reports whether it stored it.
	AddSetting(ctx context.Context, key, value string) (bool, error)
}

// EnsureAdminToken makes sure an admin token exists when CLOUT_ADMIN_TOKEN is not
// set: on first start it generates a random token, stores only its SHA-256 hash
// in settings and returns the token, which the caller prints. It returns ""
// when a hash is already stored (a lost token is replaced with ResetAdminToken).
func EnsureAdminToken(ctx context.Context, settings Settings, log *slog.Logger) (printOnce string, err error) {
	if log == nil {
		log = slog.Default()
	}
	stored, err := storedTokenHash(ctx, settings)
	if err != nil {
		return "", err
	}
	if stored != "" {
		return "", nil
	}
	token, hash, err := newAdminToken()
	if err != nil {
		return "", err
	}
	if adder, ok := settings.(SettingAdder); ok {
		added, err := adder.AddSetting(ctx, AdminTokenSetting, hash)
		if err != nil {
			return "", fmt.Errorf("store admin token hash: %w", err)
		}
		if !added {
			return "", nil // another replica generated it first and prints it
		}
	} else if err := settings.SetSetting(ctx, AdminTokenSetting, hash); err != nil {
		return "", fmt.Errorf("store admin token hash: %w", err)
	}
	log.Info("generated an admin token; only its hash is stored")
	return token, nil
}

// SettingDeleter is Settings that can remove a value (data.Store implements it).
type SettingDeleter interface {
	// DeleteSetting removes the value stored under key, if any.
	DeleteSetting(ctx context.Context, key string) error
}

// ForgetGeneratedToken is called at start when CLOUT_ADMIN_TOKEN (or
// admin_token) is set: the configured token is then the only admin token, and
// a generated token's hash stored by an earlier start is removed, so that a
// later start without the variable generates a new token and prints it instead
// of silently accepting one nobody may remember. It reports whether it removed
// one.
func ForgetGeneratedToken(ctx context.Context, settings Settings, log *slog.Logger) (bool, error) {
	if log == nil {
		log = slog.Default()
	}
	stored, err := storedTokenHash(ctx, settings)
	if err != nil || stored == "" {
		return false, err
	}
	deleter, ok := settings.(SettingDeleter)
	if !ok {
		return false, fmt.Errorf("forget generated admin token: the store cannot delete settings")
	}
	if err := deleter.DeleteSetting(ctx, AdminTokenSetting); err != nil {
		return false, fmt.Errorf("forget generated admin token: %w", err)
	}
	log.Warn("the configured admin token replaces the generated one, whose hash was removed; without CLOUT_ADMIN_TOKEN a new token is generated and printed")
	return true, nil
}

// ResetAdminToken replaces the stored admin token with a new random one and
// returns it: the way back in when a generated token was lost. Running servers
// accept the new token at once, since they read the hash on every check.
func ResetAdminToken(ctx context.Context, settings Settings) (string, error) {
	token, hash, err := newAdminToken()
	if err != nil {
		return "", err
	}
	if err := settings.SetSetting(ctx, AdminTokenSetting, hash); err != nil {
		return "", fmt.Errorf("store admin token hash: %w", err)
	}
	return token, nil
}

// newAdminToken returns a random token and the hex SHA-256 that is stored.
func newAdminToken() (token, hash string, err error) {
	if token, err = randomID(32); err != nil {
		return "", "", err
	}
	sum := sha256.Sum256([]byte(token))
	return token, hex.EncodeToString(sum[:]), nil
}

// storedTokenHash reads the stored token hash; a missing setting is "".
func storedTokenHash(ctx context.Context, settings Settings) (string, error) {
	v, ok, err := settings.Setting(ctx, AdminTokenSetting)
	if err != nil {
		return "", fmt.Errorf("read admin token hash: %w", err)
	}
	if !ok {
		return "", nil
	}
	return strings.TrimSpace(v), nil
}

// randomID returns n random bytes, base64url-encoded.
func randomID(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Context keys and cookie names of the auth layer.
const (
	sessionCookie = "clout_session"
	csrfCookie    = "clout_csrf"
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"
	ctxCSRF       = "csrf"
	ctxPrincipal  = "clout.principal"
)

// principal is who makes a request: the API token or a browser session.
type principal struct {
	Who     string // recorded with each version: "token" or "session"
	Owner   string // staging owner: "token" or the session's owner id
	Session bool
}

// authState is the server's authentication state: the token hash, the sessions,
// the failed-login limiter and the CSRF middleware (one per cookie security).
// Only the failure limiter is per process.
type authState struct {
	tokenHash atomic.Pointer[[32]byte]
	settings  Settings
	sessions  *scs.SessionManager
	failures  *failureLimiter
	account   *accountBackoff
	csrfPlain echo.MiddlewareFunc
	csrfTLS   echo.MiddlewareFunc
}

// newAuthState builds the auth state from the config; the Store serves as Settings
// when it implements them.
func newAuthState(cfg Config, store indicators.Store, now func() time.Time) *authState {
	sessionStore, _ := store.(SessionStore)
	a := &authState{
		sessions: newSessionManager(sessionStore, now),
		failures: newFailureLimiter(now, addressBurst, addressRefill, addressBuckets),
		account:  newAccountBackoff(now),
	}
	if cfg.AdminToken != "" {
		sum := sha256.Sum256([]byte(cfg.AdminToken))
		a.tokenHash.Store(&sum)
	} else if st, ok := store.(Settings); ok {
		a.settings = st
	}
	a.csrfPlain = newCSRF(false)
	a.csrfTLS = newCSRF(true)
	return a
}

// newCSRF returns Echo's CSRF middleware: a double-submit cookie checked against
// the form field or the X-CSRF-Token header; a failure is 403.
func newCSRF(secure bool) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:" + csrfHeader + ",form:" + csrfField,
		ContextKey:     ctxCSRF,
		CookieName:     csrfCookie,
		CookiePath:     "/",
		CookieMaxAge:   12 * 3600,
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: http.SameSiteStrictMode,
		ErrorHandler:   func(error, echo.Context) error { return errCSRF },
	})
}

// hash returns the admin token hash: the configured token's, or the stored one,
// read at every check (they are rare) so a token reset through any replica or
// the CLI holds at once everywhere.
func (a *authState) hash(ctx context.Context) (*[32]byte, error) {
	if h := a.tokenHash.Load(); h != nil {
		return h, nil
	}
	if a.settings == nil {
		return nil, nil
	}
	v, err := storedTokenHash(ctx, a.settings)
	if err != nil || v == "" {
		return nil, err
	}
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("stored admin token hash is malformed")
	}
	var h [32]byte
	copy(h[:], b)
	return &h, nil
}

// checkToken compares token with the admin token in constant time (of the
// hashes, so the length of the token leaks nothing either).
func (a *authState) checkToken(ctx context.Context, token string) (bool, error) {
	h, err := a.hash(ctx)
	if err != nil || h == nil || token == "" {
		return false, err
	}
	sum := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(sum[:], h[:]) == 1, nil
}

// SessionStore keeps browser sessions where every replica finds them (the
// store's sessions table; data.Store implements it). When the Store given to New
// implements it, sessions live there; otherwise in this process's memory.
type SessionStore interface {
	// Session returns the data of a session unless it expired at now.
	Session(ctx context.Context, token string, now time.Time) ([]byte, bool, error)
	// SaveSession stores a session's data until expires and purges expired ones.
	SaveSession(ctx context.Context, token string, data []byte, expires, now time.Time) error
	// DeleteSession removes a session.
	DeleteSession(ctx context.Context, token string) error
}

// sessionLifetime is the absolute lifetime of a login session.
const sessionLifetime = 12 * time.Hour

// sessionOwnerKey is the session value naming its owner: a random id made at
// login, which owns the dry runs staged through the session.
const sessionOwnerKey = "owner"

// newSessionManager returns the scs session manager over store (nil: memory).
// Its tokens, codec and expiry are scs's; the cookie is written by the server,
// whose Secure flag follows each request.
func newSessionManager(store SessionStore, now func() time.Time) *scs.SessionManager {
	sm := scs.New()
	sm.Lifetime = sessionLifetime
	sm.Cookie.Name = sessionCookie
	if store != nil {
		sm.Store = scsStore{store: store, now: now}
	} else {
		sm.Store = memstore.NewWithCleanupInterval(0) // expired sessions are dropped on read
	}
	return sm
}

// scsStore adapts a SessionStore to scs.CtxStore with the server's clock.
type scsStore struct {
	store SessionStore
	now   func() time.Time
}

// FindCtx implements scs.CtxStore; Find, Commit and Delete are its
// context-free forms.
func (s scsStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	return s.store.Session(ctx, token, s.now())
}

// CommitCtx implements scs.CtxStore; expired sessions are purged as it stores.
func (s scsStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return s.store.SaveSession(ctx, token, b, expiry, s.now())
}

// DeleteCtx implements scs.CtxStore.
func (s scsStore) DeleteCtx(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, token)
}

func (s scsStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

func (s scsStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

func (s scsStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// Failed-login limits. Every wrong admin token (login form or Bearer) costs its
// address one attempt of a token bucket: addressBurst at once, then one more per
// addressRefill; an address without attempts left is refused (429 with
// Retry-After) before its token is looked at. The account (there is one, the
// admin) backs off as well: past accountFreeFailures failures from anywhere, each
// further one doubles a hold (from accountHoldBase up to accountHoldMax) that
// every attempt, from every address, waits before it is checked. The hold slows
// a guesser spread over many addresses, yet never refuses anyone: the right
// token from an address with attempts left is accepted after at most
// accountHoldMax. Failures are forgotten accountForget after the last one.
const (
	addressBurst        = 5
	addressRefill       = 12 * time.Second
	addressBuckets      = 4096
	accountFreeFailures = 10
	accountHoldBase     = 250 * time.Millisecond
	accountHoldMax      = 2 * time.Second
	accountForget       = 10 * time.Minute
)

// failureLimiter limits failed logins (and wrong API tokens) per client address
// with a token bucket each (golang.org/x/time/rate): burst failures are allowed,
// then one more every refill interval. The clock is injected, so tests control it.
type failureLimiter struct {
	now    func() time.Time
	burst  int
	refill time.Duration
	max    int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newFailureLimiter(now func() time.Time, burst int, refill time.Duration, max int) *failureLimiter {
	return &failureLimiter{now: now, burst: burst, refill: refill, max: max, buckets: map[string]*rate.Limiter{}}
}

// bucketLocked returns ip's bucket, creating a full one.
func (l *failureLimiter) bucketLocked(ip string, now time.Time) *rate.Limiter {
	b, ok := l.buckets[ip]
	if !ok {
		if len(l.buckets) >= l.max {
			l.pruneLocked(now)
		}
		b = rate.NewLimiter(rate.Every(l.refill), l.burst)
		l.buckets[ip] = b
	}
	return b
}

// pruneLocked drops full buckets, and everything if that is not enough, so
// many addresses cannot grow the map without bound.
func (l *failureLimiter) pruneLocked(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= l.max {
		clear(l.buckets)
	}
}

// retryAfter reports how long ip must wait for its next attempt: 0 when it
// has one left.
func (l *failureLimiter) retryAfter(ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	missing := 1 - l.bucketLocked(ip, now).TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return time.Duration(missing * float64(l.refill))
}

// fail records a failed attempt by ip.
func (l *failureLimiter) fail(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.bucketLocked(ip, now).AllowN(now, 1)
}

// accountBackoff is the admin account's back-off: the hold every attempt waits
// once the account has failed more than free times (see addressBurst).
type accountBackoff struct {
	now       func() time.Time
	free      int
	base, max time.Duration
	forget    time.Duration

	mu       sync.Mutex
	failures int
	last     time.Time
}

func newAccountBackoff(now func() time.Time) *accountBackoff {
	return &accountBackoff{now: now, free: accountFreeFailures, base: accountHoldBase, max: accountHoldMax, forget: accountForget}
}

// hold returns how long the next attempt waits before it is checked: what is
// left of the current back-off delay after the last failure, at most max.
func (b *accountBackoff) hold() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if b.failures <= b.free || now.Sub(b.last) >= b.forget {
		return 0
	}
	delay := b.max
	if shift := b.failures - b.free - 1; shift < 16 {
		delay = min(b.base<<shift, b.max)
	}
	return max(0, min(b.last.Add(delay).Sub(now), b.max))
}

// fail records a failed attempt from any address.
func (b *accountBackoff) fail() {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if now.Sub(b.last) >= b.forget {
		b.failures = 0
	}
	b.failures++
	b.last = now
}

// succeed ends the back-off: the admin is in.
func (b *accountBackoff) succeed() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = 0
}

// retryAfterSeconds words a wait for the Retry-After header: whole seconds,
// at least 1.
func retryAfterSeconds(d time.Duration) string { return strconv.Itoa(retrySeconds(d)) }

// retrySeconds is d in whole seconds, rounded up, at least 1.
func retrySeconds(d time.Duration) int { return max(1, int((d+time.Second-1)/time.Second)) }

// proxyTrust says which peers are reverse proxies whose X-Forwarded-For and
// X-Forwarded-Proto are believed: the listed ranges, and with private set
// (Config.TrustProxy) every loopback and private address.
type proxyTrust struct {
	ranges  []netip.Prefix
	private bool
}

func newProxyTrust(cfg Config) proxyTrust {
	return proxyTrust{ranges: cfg.TrustedProxies, private: cfg.TrustProxy}
}

// any reports whether some proxy is trusted.
func (t proxyTrust) any() bool { return t.private || len(t.ranges) > 0 }

// trusts reports whether the peer at addr (host or host:port) is a trusted proxy.
func (t proxyTrust) trusts(addr string) bool {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	if t.private && (ip.IsLoopback() || ip.IsPrivate()) {
		return true
	}
	for _, p := range t.ranges {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ipExtractor is Echo's client-address rule for this trust: the peer address
// when no proxy is trusted, else the rightmost X-Forwarded-For hop that is not a
// trusted proxy (reached only through trusted ones), so a client cannot choose
// its address by sending the header itself.
func (t proxyTrust) ipExtractor() echo.IPExtractor {
	if !t.any() {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{
		echo.TrustLoopback(t.private), echo.TrustPrivateNet(t.private), echo.TrustLinkLocal(false),
	}
	for _, p := range t.ranges {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// clientIP is the address rate limits and logs use: the peer address, or the
// client address that trusted proxies report (Echo's IPExtractor, set from
// proxyTrust.ipExtractor).
func (s *Server) clientIP(c echo.Context) string { return c.RealIP() }

// secureRequest reports whether the client reached Clout over TLS, directly or
// through a trusted proxy; cookies are then marked Secure.
func (s *Server) secureRequest(c echo.Context) bool {
	r := c.Request()
	if r.TLS != nil {
		return true
	}
	return strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") && s.proxies.trusts(r.RemoteAddr)
}

// withCSRF guards forms against cross-site requests. Without a session (the
// login form) it is Echo's CSRF middleware: a double-submit cookie checked
// against the form field or the X-CSRF-Token header, plus Echo's Fetch-Metadata
// check (cross-site writes are refused even with a token). With a session the
// token is the session's own (sessionCSRF), so a token copied from another
// session is refused. On safe methods Sec-Fetch-Site is hidden from Echo,
// because Echo then skips issuing the token cookie and every form needs a real
// token. Unsafe requests from a browser that sends no Sec-Fetch-Site must carry
// an Origin of this site, if any.
func (s *Server) withCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	render := func(c echo.Context) error {
		if tok := s.sessionCSRF(c); tok != "" {
			c.Set(ctxCSRF, tok)
		}
		return next(c)
	}
	return func(c echo.Context) error {
		r := c.Request()
		mw := s.data.auth.csrfPlain
		if s.secureRequest(c) {
			mw = s.data.auth.csrfTLS
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			r.Header.Del(echo.HeaderSecFetchSite)
			return mw(render)(c)
		}
		if err := s.checkOrigin(c); err != nil {
			return err
		}
		if want := s.sessionCSRF(c); want != "" {
			if r.Header.Get(echo.HeaderSecFetchSite) == "cross-site" {
				return errCrossSite
			}
			got := r.Header.Get(csrfHeader)
			if got == "" {
				got = c.FormValue(csrfField)
			}
			if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				return errCSRF
			}
			return next(c)
		}
		return mw(next)(c)
	}
}

var (
	// errCSRF is the answer to a form without its CSRF token.
	errCSRF = indicators.Errorf(indicators.EFORBIDDEN, "missing or invalid CSRF token; reload the page and try again")
	// errCrossSite is the answer to a write sent from another site.
	errCrossSite = indicators.Errorf(indicators.EFORBIDDEN, "cross-site request refused; use the form on this site")
)

// sessionCSRF returns the CSRF token of the request's valid session, or "":
// an HMAC keyed by the session token, so it is the same on every replica and
// page of one session, differs between sessions, and reveals nothing of the
// session token.
func (s *Server) sessionCSRF(c echo.Context) string {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || s.sessionID(c) == "" {
		return ""
	}
	mac := hmac.New(sha256.New, []byte(ck.Value))
	mac.Write([]byte("clout csrf token"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// checkOrigin refuses an unsafe browser request without Sec-Fetch-Site (older
// browsers) whose Origin is not this site: the Host it asked for (or the one a
// trusted proxy forwarded) or the host of Config.BaseURL. A request without
// Origin is left to the token check.
func (s *Server) checkOrigin(c echo.Context) error {
	r := c.Request()
	origin := r.Header.Get(echo.HeaderOrigin)
	if r.Header.Get(echo.HeaderSecFetchSite) != "" || origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return errCrossSite
	}
	hosts := []string{r.Host}
	if fwd := r.Header.Get("X-Forwarded-Host"); fwd != "" && s.proxies.trusts(r.RemoteAddr) {
		hosts = append(hosts, fwd)
	}
	if base, err := url.Parse(s.cfg.BaseURL); err == nil && base.Host != "" {
		hosts = append(hosts, base.Host)
	}
	for _, h := range hosts {
		if strings.EqualFold(u.Host, h) {
			return nil
		}
	}
	s.log.Warn("cross-origin write refused", "origin", origin, "host", r.Host, "path", r.URL.Path)
	return errCrossSite
}

// csrfToken returns the CSRF token set by withCSRF for templates.
func csrfToken(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get(echo.HeaderAuthorization)
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// sessionID returns the owner id of the request's valid session, or "".
func (s *Server) sessionID(c echo.Context) string {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	ctx, err := s.data.auth.sessions.Load(c.Request().Context(), ck.Value)
	if err != nil {
		s.log.Error("load session", "err", err)
		return ""
	}
	return s.data.auth.sessions.GetString(ctx, sessionOwnerKey)
}

// errUnauthorized is the answer to a missing or wrong credential.
var errUnauthorized = indicators.Errorf(indicators.EUNAUTHORIZED, "authentication required: an Authorization: Bearer token or a session opened at /login")

// ETOOMANY is the code of a request refused because its address failed to
// authenticate too often; it maps to 429.
const ETOOMANY = "too_many_requests"

// errTooManyFailures is the answer once an address has failed too often.
var errTooManyFailures = indicators.Errorf(ETOOMANY, "too many failed attempts from your address; wait a minute")

// attemptToken checks an admin token the request presents (login form or
// Bearer) under the failure limits: an address without attempts left gets
// errTooManyFailures and a Retry-After header, and its token is not looked at;
// otherwise the attempt waits out the account's hold, then is checked, and a
// wrong token counts against the address and the account.
func (s *Server) attemptToken(c echo.Context, token string) (bool, error) {
	a := s.data.auth
	ip := s.clientIP(c)
	if wait := a.failures.retryAfter(ip); wait > 0 {
		c.Response().Header().Set("Retry-After", retryAfterSeconds(wait))
		s.log.Warn("admin token refused: too many failures", "ip", ip, "path", c.Request().URL.Path)
		return false, errTooManyFailures
	}
	ctx := c.Request().Context()
	if hold := a.account.hold(); hold > 0 {
		t := time.NewTimer(hold)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		}
	}
	good, err := a.checkToken(ctx, token)
	if err != nil {
		return false, err
	}
	if !good {
		a.failures.fail(ip)
		a.account.fail()
		s.log.Warn("wrong admin token", "ip", ip, "path", c.Request().URL.Path)
		return false, nil
	}
	a.account.succeed()
	return true, nil
}

// authenticate resolves the request's principal: a Bearer token (checked, with
// failures counted) or a session cookie. It returns nil, nil when there is none.
func (s *Server) authenticate(c echo.Context) (*principal, error) {
	if tok, ok := bearer(c.Request()); ok {
		good, err := s.attemptToken(c, tok)
		if err != nil {
			return nil, err
		}
		if !good {
			return nil, errUnauthorized
		}
		return &principal{Who: "token", Owner: "token"}, nil
	}
	if id := s.sessionID(c); id != "" {
		return &principal{Who: "session", Owner: id, Session: true}, nil
	}
	return nil, nil
}

// requireSignedIn lets through a valid Bearer token or session (401 otherwise)
// and leaves the principal in the context.
func (s *Server) requireSignedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := s.authenticate(c)
		if err != nil {
			return err
		}
		if p == nil {
			return errUnauthorized
		}
		c.Set(ctxPrincipal, p)
		return next(c)
	}
}

// requireWriter guards writes: a valid Bearer token, or a session whose request
// carries the CSRF token. The principal is left in the context.
func (s *Server) requireWriter(next echo.HandlerFunc) echo.HandlerFunc {
	csrfNext := s.withCSRF(next)
	return s.requireSignedIn(func(c echo.Context) error {
		if principalOf(c).Session {
			return csrfNext(c)
		}
		return next(c)
	})
}

// requireReader guards reading in private mode: pages redirect to /login, the API
// answers 401.
func (s *Server) requireReader(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := s.authenticate(c)
		if err != nil {
			return err
		}
		if p != nil {
			c.Set(ctxPrincipal, p)
			return next(c)
		}
		r := c.Request()
		if !wantsJSON(c) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
		}
		return errUnauthorized
	}
}

// authReadGuards returns the read guard when Config.Private is set.
func (s *Server) authReadGuards() []echo.MiddlewareFunc {
	if !s.cfg.Private {
		return nil
	}
	return []echo.MiddlewareFunc{s.requireReader}
}

// metricsGuards returns the guard of /metrics: in private mode the admin token
// (Authorization: Bearer, as Prometheus sends it) or a session, else 401.
func (s *Server) metricsGuards() []echo.MiddlewareFunc {
	if !s.cfg.Private {
		return nil
	}
	return []echo.MiddlewareFunc{s.requireSignedIn}
}

// principalOf returns the principal set by a guard (nil when anonymous).
func principalOf(c echo.Context) *principal {
	p, _ := c.Get(ctxPrincipal).(*principal)
	return p
}

// loggedIn reports whether the request carries a valid session (for templates).
func (s *Server) loggedIn(c echo.Context) bool { return s.sessionID(c) != "" }

// registerAuthRoutes adds /login and /logout.
func (s *Server) registerAuthRoutes(e *echo.Echo) {
	e.GET("/login", s.handleLoginPage, s.withCSRF)
	e.POST("/login", s.handleLogin, s.withCSRF)
	e.POST("/logout", s.handleLogout, s.withCSRF)
}

// loginPage is the data of the login template.
type loginPage struct {
	formView
	Next    string
	Message string
}

func (s *Server) handleLoginPage(c echo.Context) error {
	return s.renderData(c, http.StatusOK, "login", "Log in", loginPage{formView: s.formViewOf(c), Next: safeNext(c.QueryParam("next"))})
}

// handleLogin checks the admin token from the form, in constant time and under
// the per-address failure limit, and opens a session.
func (s *Server) handleLogin(c echo.Context) error {
	ip := s.clientIP(c)
	next := safeNext(c.FormValue("next"))
	good, err := s.attemptToken(c, c.FormValue("token"))
	if errors.Is(err, errTooManyFailures) {
		return s.renderData(c, http.StatusTooManyRequests, "login", "Log in",
			loginPage{formView: s.formViewOf(c), Next: next, Message: "Too many failed attempts from your address; wait a minute and try again."})
	}
	if err != nil {
		return err
	}
	if !good {
		return s.renderData(c, http.StatusUnauthorized, "login", "Log in",
			loginPage{formView: s.formViewOf(c), Next: next, Message: "That token is not the admin token."})
	}
	token, err := s.newSession(c.Request().Context())
	if err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie(c, token, int(sessionLifetime/time.Second)))
	s.log.Info("login", "ip", ip)
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) handleLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		sm := s.data.auth.sessions
		ctx, err := sm.Load(c.Request().Context(), ck.Value)
		if err == nil {
			err = sm.Destroy(ctx)
		}
		if err != nil {
			return fmt.Errorf("logout: %w", err)
		}
	}
	c.SetCookie(s.sessionCookie(c, "", -1))
	return c.Redirect(http.StatusSeeOther, "/")
}

// newSession opens a session with a fresh owner id, stores it and returns the
// token for the cookie.
func (s *Server) newSession(ctx context.Context) (string, error) {
	sm := s.data.auth.sessions
	ctx, err := sm.Load(ctx, "")
	if err != nil {
		return "", err
	}
	owner, err := randomID(24)
	if err != nil {
		return "", err
	}
	sm.Put(ctx, sessionOwnerKey, owner)
	token, _, err := sm.Commit(ctx)
	if err != nil {
		return "", fmt.Errorf("store session: %w", err)
	}
	return token, nil
}

// sessionCookie builds the session cookie: HttpOnly, SameSite=Strict, Secure
// behind TLS; maxAge < 0 deletes it.
func (s *Server) sessionCookie(c echo.Context, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secureRequest(c),
		SameSite: http.SameSiteStrictMode,
	}
}

// safeNext keeps a post-login redirect on this site: a path starting with one
// slash, no scheme, host or backslash tricks.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

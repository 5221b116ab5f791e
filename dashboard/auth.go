package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
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
	csrfPlain echo.MiddlewareFunc
	csrfTLS   echo.MiddlewareFunc
}

// newAuthState builds the auth state from the config; the Store serves as Settings
// when it implements them.
func newAuthState(cfg Config, store indicators.Store, now func() time.Time) *authState {
	sessionStore, _ := store.(SessionStore)
	a := &authState{
		sessions: newSessionManager(sessionStore, now),
		failures: newFailureLimiter(now, 5, 12*time.Second, 4096),
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
		ErrorHandler: func(err error, c echo.Context) error {
			return indicators.Errorf(indicators.EFORBIDDEN, "missing or invalid CSRF token; reload the page and try again")
		},
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

// blocked reports whether ip has used up its failed attempts.
func (l *failureLimiter) blocked(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	return l.bucketLocked(ip, now).TokensAt(now) < 1
}

// fail records a failed attempt by ip.
func (l *failureLimiter) fail(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.bucketLocked(ip, now).AllowN(now, 1)
}

// clientIP is the address rate limits and logs use: the peer address, or the
// proxy's X-Forwarded-For / X-Real-IP when Config.TrustProxy says a proxy sets it.
func (s *Server) clientIP(c echo.Context) string {
	if s.cfg.TrustProxy {
		return c.RealIP()
	}
	host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		return c.Request().RemoteAddr
	}
	return host
}

// secureRequest reports whether the client reached Clout over TLS, directly or
// through a trusted proxy; cookies are then marked Secure.
func (s *Server) secureRequest(c echo.Context) bool {
	r := c.Request()
	if r.TLS != nil {
		return true
	}
	return s.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// withCSRF runs Echo's CSRF middleware before next. On safe methods the
// Sec-Fetch-Site header is hidden from it, because Echo then skips issuing the
// token cookie and every form needs a real token; unsafe methods still get Echo's
// Fetch-Metadata check (cross-site writes are refused even with a token).
func (s *Server) withCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			r.Header.Del(echo.HeaderSecFetchSite)
		}
		mw := s.data.auth.csrfPlain
		if s.secureRequest(c) {
			mw = s.data.auth.csrfTLS
		}
		return mw(next)(c)
	}
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

// authenticate resolves the request's principal: a Bearer token (checked, with
// failures counted) or a session cookie. It returns nil, nil when there is none.
func (s *Server) authenticate(c echo.Context) (*principal, error) {
	if tok, ok := bearer(c.Request()); ok {
		ip := s.clientIP(c)
		if s.data.auth.failures.blocked(ip) {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(s.data.auth.failures.refill/time.Second)))
			return nil, errTooManyFailures
		}
		good, err := s.data.auth.checkToken(c.Request().Context(), tok)
		if err != nil {
			return nil, err
		}
		if !good {
			s.data.auth.failures.fail(ip)
			s.log.Warn("rejected API token", "ip", ip, "path", c.Request().URL.Path)
			return nil, errUnauthorized
		}
		return &principal{Who: "token", Owner: "token"}, nil
	}
	if id := s.sessionID(c); id != "" {
		return &principal{Who: "session", Owner: id, Session: true}, nil
	}
	return nil, nil
}

// requireWriter guards writes: a valid Bearer token, or a session whose request
// carries the CSRF token. The principal is left in the context.
func (s *Server) requireWriter(next echo.HandlerFunc) echo.HandlerFunc {
	csrfNext := s.withCSRF(next)
	return func(c echo.Context) error {
		p, err := s.authenticate(c)
		if err != nil {
			return err
		}
		if p == nil {
			return errUnauthorized
		}
		c.Set(ctxPrincipal, p)
		if p.Session {
			return csrfNext(c)
		}
		return next(c)
	}
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
	if s.data.auth.failures.blocked(ip) {
		s.log.Warn("login refused: too many failures", "ip", ip)
		return s.renderData(c, http.StatusTooManyRequests, "login", "Log in",
			loginPage{formView: s.formViewOf(c), Next: next, Message: "Too many failed attempts from your address; wait a minute and try again."})
	}
	good, err := s.data.auth.checkToken(c.Request().Context(), c.FormValue("token"))
	if err != nil {
		return err
	}
	if !good {
		s.data.auth.failures.fail(ip)
		s.log.Warn("login failed", "ip", ip)
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

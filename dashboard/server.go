package dashboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
)

// Config is the dashboard's configuration, filled by cmd/clout from flags, the
// environment and the config file. Zero values take the defaults listed.
type Config struct {
	// BaseURL is the absolute URL the dashboard is reached at ("http://localhost:8080"),
	// used for permalinks in exports; empty means relative links only.
	BaseURL string
	// Private makes reading need a session or a token too.
	Private bool
	// AdminToken guards writes.
	AdminToken string
	// MaxUploadBytes bounds uploads (importer.DefaultMaxUpload).
	MaxUploadBytes int64
	// CacheEntries bounds the rendered pages kept, and the computed charts kept
	// by the chart service New builds when Deps.Charts is nil
	// (chart.DefaultCacheEntries).
	CacheEntries int
	// MaxObservations bounds one GET /api/observations answer (200,000); a wider
	// query is asked to narrow its filters.
	MaxObservations int
	// VersionTTL is how long the current data version is trusted before the store
	// is asked again (chart.DefaultVersionTTL); in-process writers call Server.DataChanged at once.
	VersionTTL time.Duration
	// TrustedProxies are the reverse proxies (address ranges) whose
	// X-Forwarded-For and X-Forwarded-Proto are believed: the client address is
	// the rightmost X-Forwarded-For hop that is not one of them.
	TrustedProxies []netip.Prefix
	// TrustProxy is the older switch for TrustedProxies: it trusts every
	// loopback and private address as a proxy.
	TrustProxy bool
	// MetricsOnOwnAddr leaves /metrics out of Handler: the caller serves
	// MetricsHandler on a listen address of its own (metrics_addr).
	MetricsOnOwnAddr bool
	// ReadTimeout, WriteTimeout and ShutdownTimeout bound the HTTP server
	// (10s, 60s, 10s). An upload's body is not bound by ReadTimeout but by
	// UploadMinRate; ReadTimeout is then how long it may stall.
	ReadTimeout, WriteTimeout, ShutdownTimeout time.Duration
	// UploadMinRate is the slowest average rate, in bytes per second, an upload
	// is received at (DefaultUploadMinRate); slower or stalled, it is 408.
	UploadMinRate int64
	// Imports bounds the imports (and dry runs) running at once in this process
	// (DefaultImports); ImportQueue more wait for one (DefaultImportQueue);
	// beyond that an upload is 503 with Retry-After.
	Imports, ImportQueue int
}

func (c Config) withDefaults() Config {
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = importer.DefaultMaxUpload
	}
	if c.CacheEntries <= 0 {
		c.CacheEntries = chart.DefaultCacheEntries
	}
	if c.MaxObservations <= 0 {
		c.MaxObservations = 200_000
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 10 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 60 * time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.UploadMinRate <= 0 {
		c.UploadMinRate = DefaultUploadMinRate
	}
	if c.Imports <= 0 {
		c.Imports = DefaultImports
	}
	if c.ImportQueue <= 0 {
		c.ImportQueue = DefaultImportQueue
	}
	return c
}

// Deps are the dashboard's collaborators. Store is required; the rest are optional.
type Deps struct {
	// Store holds the observations.
	Store indicators.Store
	// Logger receives request logs and internal errors (slog.Default() if nil).
	Logger *slog.Logger
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Charts computes, links and renders the charts; nil builds one over Store
	// from Config (CacheEntries, VersionTTL, BaseURL) without snapshots.
	Charts *chart.Service
	// Importer runs uploads; nil disables the upload routes.
	Importer Importer
	// Jobs lists and runs the scheduled jobs (jobs.go); nil: /jobs says
	// none are configured. Server.SetJobs sets it after New.
	Jobs JobRunner
	// Claims judges the claims (claims.go); nil builds one over Store with the
	// built-in claims when Store keeps claims (claims.Store), else the claim
	// pages are off.
	Claims *claims.Service
}

// Server is the dashboard: an Echo instance with Clout's routes, templates, asset
// table, chart cache and Prometheus registry.
type Server struct {
	cfg     Config
	store   indicators.Store
	log     *slog.Logger
	now     func() time.Time
	charts  *chart.Service
	deps    Deps
	echo    *echo.Echo
	assets  *assetTable
	pages   *pageTemplates
	metrics *Metrics
	// responses keeps rendered pages and API bodies; keys carry the data version.
	responses *lru.Cache[string, *cachedPage]
	facets    facetCache
	claims    *claims.Service
	// rejudging tracks the background re-judging started by DataChanged.
	rejudging sync.WaitGroup
	data      *dataState // auth, sessions and staged uploads (auth.go, upload.go)

	jobsSet atomic.Pointer[jobsRef] // the scheduler set by SetJobs (jobs.go)

	mu     sync.Mutex
	server *http.Server

	proxies proxyTrust // whose forwarding headers are believed (auth.go)

	headers preparedHeaders
}

// preparedHeaders are header values made once per server: assigning one to a
// response header costs nothing, where Header.Set allocates a slice for its
// value on every request (Echo runs the middleware chain per request too).
// Nothing appends to them in place: Header.Add on a full slice copies it.
type preparedHeaders struct {
	nosniff, sameOrigin        []string
	framedHere, framedAnywhere []string // Content-Security-Policy
	noCache, privateNoCache    []string // Cache-Control
	htmlType, jsonType         []string // Content-Type
}

func newPreparedHeaders() preparedHeaders {
	return preparedHeaders{
		nosniff:        []string{"nosniff"},
		sameOrigin:     []string{"same-origin"},
		framedHere:     []string{contentSecurityPolicy + "; frame-ancestors 'self'"},
		framedAnywhere: []string{contentSecurityPolicy},
		noCache:        []string{"no-cache"},
		privateNoCache: []string{"private, no-cache"},
		htmlType:       []string{echo.MIMETextHTMLCharsetUTF8},
		jsonType:       []string{echo.MIMEApplicationJSON},
	}
}

// New builds a Server; it parses the templates and hashes the assets, so it fails
// early on a broken build.
func New(cfg Config, deps Deps) (*Server, error) {
	if deps.Store == nil {
		return nil, errors.New("dashboard: Deps.Store is required")
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	cfg = cfg.withDefaults()
	if deps.Charts == nil {
		svc, err := chart.New(chart.Config{CacheEntries: cfg.CacheEntries, VersionTTL: cfg.VersionTTL, BaseURL: cfg.BaseURL}, chart.Deps{Store: deps.Store})
		if err != nil {
			return nil, err
		}
		deps.Charts = svc
	}
	responses, err := lru.New[string, *cachedPage](cfg.CacheEntries)
	if err != nil {
		return nil, fmt.Errorf("dashboard: cache: %w", err)
	}
	s := &Server{
		cfg:       cfg,
		store:     deps.Store,
		log:       deps.Logger,
		now:       deps.Now,
		charts:    deps.Charts,
		deps:      deps,
		metrics:   newMetrics(),
		responses: responses,
		headers:   newPreparedHeaders(),
		proxies:   newProxyTrust(cfg),
	}
	if s.assets, err = newAssetTable(); err != nil {
		return nil, fmt.Errorf("dashboard: assets: %w", err)
	}
	if s.pages, err = parseTemplates(s.assets); err != nil {
		return nil, fmt.Errorf("dashboard: templates: %w", err)
	}
	s.metrics.registerDataVersion(s.currentVersionForMetrics)
	if s.claims, err = claimsService(deps); err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	if s.claims != nil {
		s.metrics.Registry.MustRegister(claims.NewCollector(s.claims))
	}
	s.data = newDataState(cfg, deps)
	s.echo = s.newEcho()
	return s, nil
}

// Handler returns the HTTP handler: the Echo instance with every route, which
// answers HEAD as GET.
func (s *Server) Handler() http.Handler { return headAsGet(s.echo) }

// Echo returns the Echo instance, for wiring code and tests that add routes.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Metrics returns the Prometheus metrics of the server; jobs register their own
// collectors on Metrics().Registry.
func (s *Server) Metrics() *Metrics { return s.metrics }

// DataChanged tells the server the data changed in this process (an upload, a
// rollback or a job import), so the cached data version is dropped at once and
// the next request sees the new data. Imports are counted separately, on
// Metrics().Imports.
func (s *Server) DataChanged() {
	s.charts.DataChanged()
	s.claimsChanged()
}

// Serve serves on ln until ctx ends or Shutdown is called.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.ReadTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.mu.Lock()
	s.server = srv
	s.mu.Unlock()

	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		if err := s.Shutdown(sctx); err != nil {
			s.log.Error("shutdown", "err", err)
		}
	})
	defer stop()
	s.log.Info("dashboard listening", "addr", ln.Addr().String())
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits for requests in flight until ctx
// ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv := s.server
	s.mu.Unlock()
	defer s.rejudging.Wait()
	defer s.data.ops.wait(ctx) // imports in progress finish, or are recorded as stopped
	if srv == nil {
		return nil
	}
	return srv.Shutdown(ctx)
}

// newEcho builds the Echo instance: error handler, middleware and routes.
func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = s.proxies.ipExtractor()
	e.Use(s.observe) // outermost: it sees the status of recovered panics too
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll:   true,
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(s.securityHeaders)
	s.routes(e)
	return e
}

// routes registers every route. Each resource registers its routes in its own
// file (pages, API, snapshots, data, jobs); read routes go on the read group so
// --private can guard them in one place.
func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.handleHealth)
	if !s.cfg.MetricsOnOwnAddr {
		e.GET("/metrics", s.handleMetrics, s.metricsGuards()...)
	}
	s.registerStaticRoutes(e)
	e.GET("/geo/:file", newGeoMaps().serve) // dashboard/geo.go

	read := e.Group("", s.readGuards()...)
	s.registerPageRoutes(read)
	s.registerSiteRoutes(read)
	s.registerAPIRoutes(read)
	if s.charts.Exports() {
		s.registerSnapshotRoutes(read)
	}
	s.registerDataRoutes(e, read)
	s.registerJobRoutes(e, read)
	if s.claims != nil {
		s.registerClaimRoutes(e, read)
	}
}

// readGuards returns the middleware that protects reading. It is empty for a
// public dashboard and the session/token check (auth.go) when Config.Private is
// set.
func (s *Server) readGuards() []echo.MiddlewareFunc { return s.authReadGuards() }

func (s *Server) handleHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("healthz: store ping", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	if s.cfg.Private { // load balancers need the answer, not the data version
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	}
	v, err := s.charts.DataVersion(ctx)
	if err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "data_version": v})
}

// headAsGet answers HEAD wherever GET is answered (uptime monitors use it): the
// request is routed and handled as a GET, and net/http, which still holds the
// HEAD request, sends the same status and headers without the body.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.WithContext(r.Context())
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets headers every response carries: no sniffing, only
// Clout's own scripts, and no framing except of the embed pages (which exist to
// be framed), so the login and upload forms cannot be clickjacked.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h["X-Content-Type-Options"] = s.headers.nosniff
		h["Referrer-Policy"] = s.headers.sameOrigin
		if strings.HasSuffix(c.Request().URL.Path, "/embed") {
			h["Content-Security-Policy"] = s.headers.framedAnywhere
		} else {
			h["Content-Security-Policy"] = s.headers.framedHere
		}
		return next(c)
	}
}

// contentSecurityPolicy lets pages load only Clout's own scripts and data; the
// chart options are JSON data, never script.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"

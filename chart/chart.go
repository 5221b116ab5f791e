// Package chart is the chart service that the dashboard, the CLI and the jobs share:
// it reads a chart request (chart id, parameters, data version), computes the chart
// through indicators.ComputeChart with a bounded cache, builds its ECharts option
// (chart/option), makes its permalink, and renders its snapshots through export.
//
// Keeping these in one type means a chart asked for by a page, by `clout export`
// and by a scheduled snapshot is the same computation with the same link.
package chart

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/clout-dev/clout/chart/option"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
)

// Defaults of Config's zero fields.
const (
	DefaultCacheEntries = 512
	DefaultImageEntries = 64
	DefaultVersionTTL   = time.Second
)

// Config sizes the service. Zero values take the defaults above.
type Config struct {
	// CacheEntries bounds the computed charts kept (DefaultCacheEntries).
	CacheEntries int
	// ImageEntries bounds the rendered PNG and SVG snapshots kept
	// (DefaultImageEntries); an SVG with its embedded fonts is about 200 KB.
	ImageEntries int
	// VersionTTL is how long the current data version is trusted before the store
	// is asked again (DefaultVersionTTL), so another process or replica writing to the same store
	// is seen within it; writers in this process call DataChanged at once.
	VersionTTL time.Duration
	// BaseURL, when set, makes permalinks absolute ("https://clout.example.org").
	BaseURL string
	// MaxImagePixels bounds one PNG's rendered pixels, width·scale × height·scale
	// (DefaultMaxImagePixels, at most render.MaxPixels); a larger one is ETOOLARGE.
	MaxImagePixels int64
	// RenderPixels bounds the PNG pixels rendered at once (DefaultRenderPixels,
	// at least MaxImagePixels); a render waits up to RenderWait
	// (DefaultRenderWait) for room, then is EBUSY.
	RenderPixels int64
	RenderWait   time.Duration
}

func (c Config) withDefaults() Config {
	if c.CacheEntries <= 0 {
		c.CacheEntries = DefaultCacheEntries
	}
	if c.ImageEntries <= 0 {
		c.ImageEntries = DefaultImageEntries
	}
	if c.VersionTTL <= 0 {
		c.VersionTTL = DefaultVersionTTL
	}
	if c.MaxImagePixels <= 0 {
		c.MaxImagePixels = DefaultMaxImagePixels
	}
	if c.RenderPixels <= 0 {
		c.RenderPixels = max(DefaultRenderPixels, c.MaxImagePixels)
	}
	if c.RenderWait <= 0 {
		c.RenderWait = DefaultRenderWait
	}
	return c
}

// Deps are the service's collaborators; Store is required.
type Deps struct {
	Store indicators.ObservationReader
	// Exporter renders snapshots (an *export.Exporter); nil: Exports reports false
	// and Snapshot fails.
	Exporter Exporter
	// Charts is the catalogue (indicators.Charts() if nil).
	Charts []indicators.Chart
	// Now is the clock of the export time printed in snapshots (time.Now if nil).
	Now func() time.Time
	// CacheObserver, if set, is told of every computed-chart cache hit or miss.
	CacheObserver func(hit bool)
}

// Exporter writes a snapshot in a format; *export.Exporter is the implementation.
type Exporter interface {
	Write(ctx context.Context, w io.Writer, f export.Format, s export.Snapshot, img export.Image) error
}

// Service computes, caches, links and renders charts. It is safe for concurrent use.
type Service struct {
	cfg      Config
	store    indicators.ObservationReader
	exporter Exporter
	charts   []indicators.Chart
	byID     map[string]indicators.Chart
	now      func() time.Time
	observe  func(hit bool)
	computed *lru.Cache[string, *Computed]
	images   *lru.Cache[string, Snapshot]
	budget   *renderBudget
	// computing makes concurrent computations of one chart request share one.
	computing singleflight.Group
	warm      warmState // image renders in flight and the default views (warm.go)

	versionMu      sync.Mutex
	version        int64
	versionFetched time.Time
}

// New builds a Service.
func New(cfg Config, deps Deps) (*Service, error) {
	if deps.Store == nil {
		return nil, errors.New("chart: Deps.Store is required")
	}
	cfg = cfg.withDefaults()
	if err := validBudget(cfg); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	if deps.Charts == nil {
		deps.Charts = indicators.Charts()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.CacheObserver == nil {
		deps.CacheObserver = func(bool) {}
	}
	computed, err := lru.New[string, *Computed](cfg.CacheEntries)
	if err != nil {
		return nil, fmt.Errorf("chart: cache: %w", err)
	}
	images, err := lru.New[string, Snapshot](cfg.ImageEntries)
	if err != nil {
		return nil, fmt.Errorf("chart: image cache: %w", err)
	}
	s := &Service{
		cfg: cfg, store: deps.Store, exporter: deps.Exporter, charts: deps.Charts,
		byID: make(map[string]indicators.Chart, len(deps.Charts)), now: deps.Now,
		observe: deps.CacheObserver, computed: computed, images: images, budget: newRenderBudget(cfg),
		warm: newWarmState(),
	}
	for _, c := range deps.Charts {
		s.byID[c.ID()] = c
	}
	return s, nil
}

// Charts returns the catalogue in display order.
func (s *Service) Charts() []indicators.Chart { return slices.Clone(s.charts) }

// Chart returns a chart of the catalogue, or ENOTFOUND listing the ids.
func (s *Service) Chart(id string) (indicators.Chart, error) {
	c, ok := s.byID[id]
	if !ok {
		ids := make([]string, len(s.charts))
		for i, c := range s.charts {
			ids[i] = c.ID()
		}
		return nil, indicators.Errorf(indicators.ENOTFOUND, "no chart %q (charts: %s)", id, strings.Join(ids, ", "))
	}
	return c, nil
}

// Exports reports whether the service can render snapshots.
func (s *Service) Exports() bool { return s.exporter != nil }

// Absolute prefixes a site path with Config.BaseURL when one is set.
func (s *Service) Absolute(path string) string {
	return strings.TrimSuffix(s.cfg.BaseURL, "/") + path
}

// DataVersion returns the current data version, from memory while it is fresher
// than Config.VersionTTL.
func (s *Service) DataVersion(ctx context.Context) (int64, error) {
	s.versionMu.Lock()
	defer s.versionMu.Unlock()
	now := time.Now()
	if !s.versionFetched.IsZero() && now.Sub(s.versionFetched) < s.cfg.VersionTTL {
		return s.version, nil
	}
	n, err := s.store.DataVersion(ctx)
	if err != nil {
		return 0, err
	}
	s.version, s.versionFetched = n, now
	return n, nil
}

// DataChanged drops the remembered data version, so the next request sees data
// written by this process at once. Cached charts need no flush: their keys carry
// the data version.
func (s *Service) DataChanged() {
	s.versionMu.Lock()
	s.versionFetched = time.Time{}
	s.versionMu.Unlock()
	s.warm.signalChanged()
}

// Request is one chart asked for: the chart, its parameters as asked (defaults are
// left to the chart) and the data version it reads.
type Request struct {
	Chart  indicators.Chart
	Params indicators.Params
	// Pinned is the data version asked for with v= (0: the current one).
	Pinned int64
	// Version is the data version the answer shows; Latest the current one when
	// the request was read.
	Version, Latest int64
}

// reservedParams are query parameters of chart URLs that are not chart parameters.
var reservedParams = []string{"v", "theme", "format", "width", "height", "scale"}

// ParseRequest reads a chart request from a query string: the chart's parameters
// (repeated keys and comma lists mix; empty values mean the default) and v= (pin to
// a data version). With strict set, an unknown parameter is EINVALID naming it (the
// API, the CLI); pages ignore unknown parameters.
func (s *Service) ParseRequest(ctx context.Context, id string, q url.Values, strict bool) (Request, error) {
	c, err := s.Chart(id)
	if err != nil {
		return Request{}, err
	}
	req := Request{Chart: c, Params: indicators.Params{}}
	specs := c.Params()
	for _, spec := range specs {
		var parts []string
		for _, v := range q[spec.Name] {
			for _, x := range strings.Split(v, ",") {
				if x = strings.TrimSpace(x); x != "" {
					parts = append(parts, x)
				}
			}
		}
		if len(parts) > 0 {
			req.Params[spec.Name] = strings.Join(parts, ",")
		}
	}
	if strict {
		names := make([]string, len(specs))
		for i, spec := range specs {
			names[i] = spec.Name
		}
		for k := range q {
			if !slices.Contains(names, k) && !slices.Contains(reservedParams, k) {
				return Request{}, indicators.Errorf(indicators.EINVALID, "%s: unknown parameter of chart %s (parameters: %s)", k, c.ID(), strings.Join(names, ", "))
			}
		}
	}
	if req.Pinned, req.Version, req.Latest, err = s.ResolveVersion(ctx, q.Get("v")); err != nil {
		return Request{}, err
	}
	return req, nil
}

// ResolveVersion reads a v= value: the data version pinned (0 when raw is
// empty), the one to read, and the current one. A version that is not a positive
// integer or does not exist yet is EINVALID.
func (s *Service) ResolveVersion(ctx context.Context, raw string) (pinned, version, latest int64, err error) {
	if latest, err = s.DataVersion(ctx); err != nil {
		return 0, 0, 0, err
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, latest, latest, nil
	}
	n, perr := strconv.ParseInt(raw, 10, 64)
	switch {
	case perr != nil || n < 1:
		return 0, 0, 0, indicators.Errorf(indicators.EINVALID, "v: %q is not a data version (a positive integer)", raw)
	case n > latest:
		return 0, 0, 0, indicators.Errorf(indicators.EINVALID, "v: data version %d does not exist yet (the latest is %d)", n, latest)
	}
	return n, n, latest, nil
}

// Query is the request's canonical query string: parameters sorted by name, then
// v= when pinned. It is the cache key and the query of every link to the chart.
func (r Request) Query() string {
	q := canonicalParams(r.Params)
	if r.Pinned > 0 {
		if q != "" {
			q += "&"
		}
		q += "v=" + strconv.FormatInt(r.Pinned, 10)
	}
	return q
}

// Link returns path with the request's canonical query.
func (r Request) Link(path string) string {
	if q := r.Query(); q != "" {
		return path + "?" + q
	}
	return path
}

// Permalink is the chart page of the request (site-relative).
func (r Request) Permalink() string { return r.Link(PagePath(r.Chart.ID())) }

// PagePath is the site path of a chart's page.
func PagePath(id string) string { return "/charts/" + id }

// canonicalParams encodes params sorted by name; commas stay readable.
func canonicalParams(p indicators.Params) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if p[k] != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(strings.ReplaceAll(url.QueryEscape(p[k]), "%2C", ","))
	}
	return b.String()
}

// Computed is a chart computed for a request, with its light-theme option. The
// Result and Option are shared with the cache and must not be modified.
type Computed struct {
	Request
	Result *indicators.Result
	Option json.RawMessage
}

// Compute returns the chart of req, from the cache when the same chart,
// parameters and data version were computed before.
func (s *Service) Compute(ctx context.Context, req Request) (*Computed, error) {
	if req.Version == 0 {
		latest, err := s.DataVersion(ctx)
		if err != nil {
			return nil, err
		}
		req.Latest = latest
		if req.Version = req.Pinned; req.Version == 0 {
			req.Version = latest
		}
	}
	key := fmt.Sprintf("%s|%s|%d", req.Chart.ID(), canonicalParams(req.Params), req.Version)
	if cached, ok := s.computed.Get(key); ok {
		s.observe(true)
		out := *cached
		out.Request = req
		return &out, nil
	}
	s.observe(false)
	// Right after new data every reader of a chart misses the cache at once;
	// they share one computation instead of each holding its own copy of the
	// observations (memory under load grows with readers, not with charts).
	for {
		v, err, shared := s.computing.Do(key, func() (any, error) {
			if cached, ok := s.computed.Get(key); ok {
				return cached, nil
			}
			res, err := indicators.ComputeChart(ctx, s.store, req.Chart, req.Params, req.Version)
			if err != nil {
				return nil, err
			}
			option.Sanitize(res)
			opt, err := option.JSON(res, "")
			if err != nil {
				return nil, fmt.Errorf("chart %s: option: %w", req.Chart.ID(), err)
			}
			cc := &Computed{Request: req, Result: res, Option: opt}
			s.computed.Add(key, cc)
			return cc, nil
		})
		if err != nil && shared && ctx.Err() == nil && isContextErr(err) {
			continue // the computation belonged to a caller who left
		}
		if err != nil {
			return nil, err
		}
		out := *v.(*Computed)
		out.Request = req
		return &out, nil
	}
}

// OptionFor returns the computed chart's option in a theme ("" or "light", "dark").
func (s *Service) OptionFor(cc *Computed, theme string) (json.RawMessage, error) {
	if theme == "" || theme == "light" {
		return cc.Option, nil
	}
	return option.JSON(cc.Result, theme)
}

// Snapshot is a rendered export of a chart.
type Snapshot struct {
	ContentType string
	FileName    string
	Body        []byte
	// ETag is the entity tag of Body, computed once when it is drawn.
	ETag string
}

// Snapshot renders cc in format f with the image parameters img. Images (PNG,
// SVG) are kept: the same chart, parameters, data and drawing give the same bytes
// but for the export date in the footer, so a kept image is good for its day.
// The other formats print the export time and are made anew.
func (s *Service) Snapshot(ctx context.Context, cc *Computed, f export.Format, img export.Image) (Snapshot, error) {
	if s.exporter == nil {
		return Snapshot{}, indicators.Errorf(indicators.ENOTFOUND, "snapshots are not available on this server")
	}
	permalink := s.Absolute(cc.Permalink())
	now := s.now()
	if err := s.budget.check(f, img); err != nil {
		return Snapshot{}, err
	}
	draw := func(ctx context.Context) (Snapshot, error) {
		opt, err := s.OptionFor(cc, string(img.Theme))
		if err != nil {
			return Snapshot{}, err
		}
		return s.write(ctx, cc.Result, opt, permalink, now, f, img)
	}
	if f.IsImage() {
		return s.cachedImage(ctx, imageKey(permalink, cc.Version, f, img, now), draw)
	}
	return draw(ctx)
}

// SnapshotOf renders a result that is not one of the catalogue's charts (a
// claim's verdicts) with its option, in format f; it is not kept.
func (s *Service) SnapshotOf(ctx context.Context, res *indicators.Result, opt json.RawMessage, path string, f export.Format, img export.Image) (Snapshot, error) {
	if s.exporter == nil {
		return Snapshot{}, indicators.Errorf(indicators.ENOTFOUND, "snapshots are not available on this server")
	}
	return s.write(ctx, res, opt, s.Absolute(path), s.now(), f, img)
}

// write renders a result with its option through the exporter.
func (s *Service) write(ctx context.Context, res *indicators.Result, opt json.RawMessage, permalink string, now time.Time, f export.Format, img export.Image) (Snapshot, error) {
	release, err := s.budget.acquire(ctx, f, img)
	if err != nil {
		return Snapshot{}, err
	}
	defer release()
	var buf bytes.Buffer
	snap := export.Snapshot{Result: res, Option: opt, Permalink: permalink, Time: now}
	if err := s.exporter.Write(ctx, &buf, f, snap, img); err != nil {
		return Snapshot{}, err
	}
	return Snapshot{ContentType: f.ContentType(), FileName: export.FileName(res, f), Body: buf.Bytes(), ETag: EntityTag(buf.Bytes())}, nil
}

// ComputeByID reads a request from a chart id, its parameters (strictly: an
// unknown one is EINVALID) and a pinned data version (0: current), and computes it.
// It is the path of the CLI and the jobs.
func (s *Service) ComputeByID(ctx context.Context, id string, params indicators.Params, pinned int64) (*Computed, error) {
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	if pinned > 0 {
		q.Set("v", strconv.FormatInt(pinned, 10))
	}
	req, err := s.ParseRequest(ctx, id, q, true)
	if err != nil {
		return nil, err
	}
	return s.Compute(ctx, req)
}

// Render computes a chart as ComputeByID does and renders it in format f.
func (s *Service) Render(ctx context.Context, id string, params indicators.Params, pinned int64, f export.Format, img export.Image) (Snapshot, *Computed, error) {
	cc, err := s.ComputeByID(ctx, id, params, pinned)
	if err != nil {
		return Snapshot{}, nil, err
	}
	snap, err := s.Snapshot(ctx, cc, f, img)
	return snap, cc, err
}

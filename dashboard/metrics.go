package dashboard

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the server's Prometheus metrics on a registry the Server owns (never
// the global default registry, so several servers and tests can coexist).
type Metrics struct {
	// Registry is served at /metrics; jobs and other parts register their
	// collectors on it.
	Registry *prometheus.Registry
	// Requests counts requests by method, route pattern and status code.
	Requests *prometheus.CounterVec
	// Latency observes request durations by method and route pattern.
	Latency *prometheus.HistogramVec
	// Imports counts imports by outcome ("ok", "rejected", "failed"); uploads and
	// jobs increment it.
	Imports *prometheus.CounterVec
	// ChartCache counts chart cache lookups by outcome ("hit", "miss").
	ChartCache *prometheus.CounterVec
}

func newMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clout_http_requests_total",
			Help: "HTTP requests by method, route and status code.",
		}, []string{"method", "route", "code"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "clout_http_request_duration_seconds",
			Help:    "HTTP request latency by method and route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
		Imports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clout_imports_total",
			Help: "Imports by outcome.",
		}, []string{"outcome"}),
		ChartCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clout_chart_cache_total",
			Help: "Chart response cache lookups by outcome.",
		}, []string{"outcome"}),
	}
	m.Registry.MustRegister(m.Requests, m.Latency, m.Imports, m.ChartCache,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, o := range []string{"ok", "rejected", "failed"} {
		m.Imports.WithLabelValues(o)
	}
	return m
}

// registerDataVersion adds the data version gauge, read from the store at scrape
// time.
func (m *Metrics) registerDataVersion(read func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "clout_data_version",
		Help: "The current global data version.",
	}, read))
}

func (s *Server) currentVersionForMetrics() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	v, err := s.charts.DataVersion(ctx)
	if err != nil {
		return -1
	}
	return float64(v)
}

func (s *Server) handleMetrics(c echo.Context) error {
	s.MetricsHandler().ServeHTTP(c.Response(), c.Request())
	return nil
}

// MetricsHandler serves the Prometheus metrics without a guard, for a listen
// address of their own (Config.MetricsOnOwnAddr).
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{})
}

// observe logs every request with slog and records its metrics by route pattern
// (not by raw path, so the label set stays bounded).
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // write the error response now so the status is known
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := c.Response().Status
		elapsed := time.Since(start)
		method := c.Request().Method
		s.metrics.Requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
		s.metrics.Latency.WithLabelValues(method, route).Observe(elapsed.Seconds())
		level := s.logLevel(status)
		if s.log.Enabled(c.Request().Context(), level) {
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", method),
				slog.String("path", c.Request().URL.Path),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Duration("duration", elapsed),
				slog.Int64("bytes", c.Response().Size),
				slog.String("remote", c.RealIP()),
			)
		}
		return nil
	}
}

// logLevel is the level of a request log line: server errors stand out.
func (s *Server) logLevel(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

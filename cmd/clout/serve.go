package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/clout-dev/clout/dashboard"
	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/asynclog"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("serve", env)
	common := addCommonFlags(fs)
	addr := fs.String("addr", "", "listen address (env CLOUT_ADDR; default :8080)")
	private := fs.Bool("private", false, "reading needs a session or the admin token too")
	baseURL := fs.String("base-url", "", "public URL of the server, for permalinks in exports")
	metricsAddr := fs.String("metrics-addr", "", "serve /metrics only on this listen address, e.g. 127.0.0.1:9090 (env CLOUT_METRICS_ADDR, config metrics_addr)")
	trusted := fs.String("trusted-proxies", "", "comma-separated addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For/-Proto are believed (env CLOUT_TRUSTED_PROXIES, config trusted_proxies)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: clout serve [--addr :8080] [--db clout.db] [--config clout.yaml] [--private]")
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	cfg, err := common.load(env)
	if err != nil {
		return err
	}
	cfg.Addr = firstNonEmpty(*addr, cfg.Addr)
	cfg.Private = cfg.Private || *private
	cfg.BaseURL = firstNonEmpty(*baseURL, cfg.BaseURL)
	cfg.MetricsAddr = firstNonEmpty(*metricsAddr, cfg.MetricsAddr)
	if *trusted != "" {
		cfg.TrustedProxies = splitList(*trusted)
	}
	proxies, err := proxyPrefixes(cfg.TrustedProxies)
	if err != nil {
		return err
	}
	jc, err := loadJobs(cfg) // config errors stop the start, before anything opens
	if err != nil {
		return err
	}

	started := time.Now()
	// Listen before anything touches the store: a bad or busy address fails
	// here, before migrations run and before an admin token is generated that
	// nobody would see.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return fmt.Errorf("listen %s (metrics): %w", cfg.MetricsAddr, err)
		}
		defer metricsLn.Close()
	}
	// Request logs are written off the request path, in batches.
	logs := asynclog.New(env.Stderr, func(w io.Writer) slog.Handler {
		return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})
	})
	defer logs.Close()
	log := slog.New(logs)
	slog.SetDefault(log)
	app, err := openApp(ctx, env, cfg, nil)
	if err != nil {
		return err
	}
	defer app.Close()
	app.log = log
	if cfg.TrustProxy {
		log.Warn("trust_proxy: true believes X-Forwarded-For from every loopback and private address; list your proxies in trusted_proxies instead")
	}

	if cfg.AdminToken != "" {
		if _, err := dashboard.ForgetGeneratedToken(ctx, app.store, log); err != nil {
			return err
		}
	} else {
		token, err := dashboard.EnsureAdminToken(ctx, app.store, log)
		if err != nil {
			return err
		}
		if token != "" {
			fmt.Fprintf(env.Stderr, "\nAdmin token (shown once; only its hash is stored): %s\n"+
				"Set CLOUT_ADMIN_TOKEN to choose your own; 'clout token reset' replaces a lost one.\n\n", token)
		}
	}

	if cfg.Limits.MemoryMiB > 0 && env.Getenv("GOMEMLIMIT") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(cfg.Limits.MemoryMiB << 20))
	}
	go app.exporter.warm(ctx, log)
	go app.charts.WarmDefaults(ctx, log)
	srv, err := dashboard.New(dashboard.Config{
		BaseURL: cfg.BaseURL, Private: cfg.Private, AdminToken: cfg.AdminToken, TrustProxy: cfg.TrustProxy,
		TrustedProxies: proxies,
		MaxUploadBytes: cfg.Limits.UploadBytes(), ShutdownTimeout: cfg.Shutdown,
		MetricsOnOwnAddr: metricsLn != nil,
		UploadMinRate:    cfg.Limits.UploadMinKiBs << 10, Imports: cfg.Limits.Imports, ImportQueue: cfg.Limits.ImportQueue,
	}, dashboard.Deps{
		Store:    app.store,
		Logger:   log,
		Importer: uploadImporter{app},
		Charts:   app.charts,
		Claims:   app.claims,
	})
	if err != nil {
		return err
	}
	srv.DataChanged() // judge the claims now: the baseline later changes are compared with
	sched, err := newScheduler(app, jc, srv.DataChanged, srv.Metrics().Registry)
	if err != nil {
		return err
	}
	if len(jc.Jobs) > 0 {
		srv.SetJobs(sched)
	}
	sched.Start()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.Shutdown)
		defer cancel()
		if err := sched.Stop(sctx); err != nil {
			log.Error("stop jobs", "err", err)
		}
	}()
	if metricsLn != nil {
		stopMetrics := serveMetrics(ctx, metricsLn, srv.MetricsHandler(), log)
		defer stopMetrics()
	}
	log.Info("clout ready", "addr", ln.Addr().String(), "db", cfg.DB, "jobs", len(jc.Jobs), "private", cfg.Private,
		"startup", time.Since(started).Round(time.Millisecond))
	if err := srv.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("clout stopped")
	return nil
}

// serveMetrics serves the Prometheus metrics on ln (metrics_addr) until the
// returned stop is called.
func serveMetrics(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) (stop func()) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		log.Info("metrics listening", "addr", ln.Addr().String())
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Error("metrics shutdown", "err", err)
		}
		<-done
	}
}

// uploadImporter imports the dashboard's uploads with the app's importer.
type uploadImporter struct{ app *app }

func (u uploadImporter) Import(ctx context.Context, r dashboard.ImportRequest) (*indicators.ImportReport, error) {
	return u.app.importer(nil).Import(ctx, importer.Request{
		Dataset: r.Dataset, FileName: r.FileName, Data: r.File, File: r.Content, Format: r.Format, DryRun: r.DryRun, Who: r.Who,
		Indicator:  r.Indicator,
		AllowOlder: r.AllowOlder,
	})
}

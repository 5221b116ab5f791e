package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/data"
	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/seed"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/render"
)

// app is what every store-using command works with: the opened store (seeded when
// empty), the country registry and the configuration.
type app struct {
	cfg       Config
	store     data.Store
	countries *indicators.Countries
	log       *slog.Logger
	// exporter draws snapshots with the process's one renderer, built on first use.
	exporter *onceExporter
	// charts computes and renders charts for every command and the server.
	charts *chart.Service
	// claims judges the claims for every command and the server.
	claims *claims.Service
}

// openApp opens the configured store and imports the embedded seed into an empty
// one. onWait, if not nil, is told when a write has to wait for another writer
// (the CLI says so; the server's store logs it).
func openApp(ctx context.Context, env *Env, cfg Config, onWait func(time.Duration)) (*app, error) {
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := []data.Option{data.WithWriteWait(cfg.WriteLockWait)}
	if onWait != nil {
		opts = append(opts, data.WithWriteWaitNotice(onWait))
	}
	st, err := data.Open(ctx, cfg.DB, opts...)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg.DB, err)
	}
	a := &app{cfg: cfg, store: st, countries: indicators.DefaultCountries(), log: log}
	a.exporter = newOnceExporter(func() *slog.Logger { return a.log })
	if a.charts, err = chart.New(chart.Config{BaseURL: cfg.BaseURL,
		MaxImagePixels: cfg.Limits.ImagePixels, RenderPixels: cfg.Limits.RenderPixels}, chart.Deps{Store: st, Exporter: a.exporter}); err != nil {
		st.Close()
		return nil, err
	}
	if _, err := seed.ImportIfEmpty(ctx, st, a.importer(nil)); err != nil {
		st.Close()
		return nil, err
	}
	if a.claims, err = claims.New(cfg.Claims, claims.Deps{Charts: a.charts, Store: st, Logger: log}); err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// Close stops webhook retries, closes the renderer, if one was built, and the store.
func (a *app) Close() error {
	a.claims.Close()
	a.exporter.close()
	return a.store.Close()
}

// rejudge judges the claims at the current data version, recording verdict
// changes and posting them to webhooks (waiting for the posts), after a write
// of this process or before one, so that a first judging is the baseline the
// write is compared with.
func (a *app) rejudge(ctx context.Context) ([]indicators.ClaimChange, error) {
	a.charts.DataChanged()
	a.claims.DataChanged()
	changes, err := a.claims.Rejudge(ctx)
	a.claims.Wait()
	return changes, err
}

// onceExporter builds the export renderer (compiling ECharts takes most of a
// second, and every resvg instance compiles its module) once per process: on the first
// snapshot, or in the background when the server starts. Every snapshot of the
// process, the server's and the jobs', shares it.
type onceExporter struct {
	log  func() *slog.Logger
	once sync.Once
	exp  *export.Exporter
	r    *render.Renderer
	err  error
}

func newOnceExporter(log func() *slog.Logger) *onceExporter { return &onceExporter{log: log} }

// build returns the exporter and its renderer, building them on the first call.
func (o *onceExporter) build() (*export.Exporter, *render.Renderer, error) {
	o.once.Do(func() {
		if o.r, o.err = render.New(render.Options{Logger: o.log()}); o.err != nil {
			o.err = fmt.Errorf("export renderer: %w", o.err)
			return
		}
		o.exp = export.New(o.r)
	})
	return o.exp, o.r, o.err
}

// Write implements chart.Exporter.
func (o *onceExporter) Write(ctx context.Context, w io.Writer, f export.Format, s export.Snapshot, img export.Image) error {
	e, _, err := o.build()
	if err != nil {
		return err
	}
	return e.Write(ctx, w, f, s, img)
}

// warm builds the renderer and warms it (every runtime started, each chart kind
// drawn once), so the first snapshot a reader asks for is not the slow one.
func (o *onceExporter) warm(ctx context.Context, log *slog.Logger) {
	_, r, err := o.build()
	if err != nil {
		log.Error("export renderer", "err", err)
		return
	}
	t0 := time.Now()
	if err := r.Warm(ctx); err != nil {
		if ctx.Err() == nil {
			log.Warn("warming the export renderer", "err", err)
		}
		return
	}
	log.Info("export renderer warm", "took", time.Since(t0).Round(time.Millisecond))
}

// close releases the renderer if it was built; a renderer never built stays so.
func (o *onceExporter) close() {
	o.once.Do(func() { o.err = errors.New("export renderer: closed") })
	if o.r != nil {
		o.r.Close()
	}
}

// importer returns an importer over the app's store with the configured limits;
// progress, if not nil, receives the import's progress.
func (a *app) importer(progress func(importer.Progress)) *importer.Importer {
	return importer.New(a.store, importer.Options{
		Countries:   a.countries,
		MaxUpload:   a.cfg.Limits.UploadBytes(),
		MaxUnzipped: a.cfg.Limits.UncompressedMiB << 20,
		MaxCells:    a.cfg.Limits.Cells,
		Progress:    progress,
	})
}

// importRequest is an import from the CLI.
type importRequest struct {
	importer.Request
	Progress func(bytes, rows int64)
}

func (a *app) importFile(ctx context.Context, r importRequest) (*indicators.ImportReport, error) {
	var progress func(importer.Progress)
	if r.Progress != nil {
		progress = func(p importer.Progress) { r.Progress(p.Bytes, p.Rows) }
	}
	return a.importer(progress).Import(ctx, r.Request)
}

// open loads the configuration and opens the app (see openApp).
func (c commonFlags) open(ctx context.Context, env *Env) (*app, error) {
	cfg, err := c.load(env)
	if err != nil {
		return nil, err
	}
	return openApp(ctx, env, cfg, waitNotice(env))
}

// waitNotice tells a CLI user, on stderr and once per command, that a write
// waits for another writer.
func waitNotice(env *Env) func(time.Duration) {
	var once sync.Once
	return func(wait time.Duration) {
		once.Do(func() { fmt.Fprintf(env.Stderr, "another import is writing; waiting (at most %s)…\n", wait) })
	}
}

// writeJSON writes v as indented JSON, the form of every --json output.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/clout-dev/clout/data"
	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/seed"
	"github.com/clout-dev/clout/indicators"
)

// app is what every store-using command works with: the opened store (seeded when
// empty), the country registry and the configuration.
type app struct {
	cfg       Config
	store     data.Store
	countries *indicators.Countries
	log       *slog.Logger
}

// openApp opens the configured store and imports the embedded seed into an empty one.
func openApp(ctx context.Context, env *Env, cfg Config) (*app, error) {
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := data.Open(ctx, cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg.DB, err)
	}
	a := &app{cfg: cfg, store: st, countries: indicators.DefaultCountries(), log: log}
	if _, err := seed.ImportIfEmpty(ctx, st, a.importer(nil)); err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// Close closes the store.
func (a *app) Close() error { return a.store.Close() }

// importer returns an importer over the app's store with the configured limits;
// progress, if not nil, receives the import's progress.
func (a *app) importer(progress func(importer.Progress)) *importer.Importer {
	return importer.New(a.store, importer.Options{
		Countries:   a.countries,
		MaxUpload:   a.cfg.Limits.UploadMiB << 20,
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
	return openApp(ctx, env, cfg)
}

// writeJSON writes v as indented JSON, the form of every --json output.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

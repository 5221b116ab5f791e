package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/clout-dev/clout/dashboard"
	"github.com/clout-dev/clout/dashboard/export"
	"github.com/clout-dev/clout/dashboard/render"
	"github.com/clout-dev/clout/indicators"
)

func runExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("export", env)
	common := addCommonFlags(fs)
	params := paramFlags{}
	fs.Var(params, "param", "chart parameter k=v (repeatable)")
	format := fs.String("format", "", "png|svg|csv|xlsx|html|json (default: from --out's extension, else png)")
	out := fs.String("out", "", "file to write (default: a name from the chart, parameters and data version; - for stdout)")
	width := fs.Int("width", 1200, "image width in px (200–4000)")
	height := fs.Int("height", 675, "image height in px (200–4000)")
	scale := fs.Int("scale", 1, "PNG pixel ratio (1–3)")
	theme := fs.String("theme", "light", "light|dark")
	asOf := fs.Int64("v", 0, "export the data as of this data version (0 = current)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: clout export [--db ...] ID --format png|svg|csv|xlsx|html|json [--param k=v ...] [--out FILE]")
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(fs, "need exactly one chart id")
	}
	if *format == "" {
		*format = strings.TrimPrefix(filepath.Ext(*out), ".")
		if *format == "" {
			*format = "png"
		}
	}
	f, err := export.ParseFormat(*format)
	if err != nil {
		return err
	}
	img := export.Image{Size: render.Size{Width: *width, Height: *height}, Scale: *scale, Theme: render.Light}
	if *theme == "dark" {
		img.Theme = render.Dark
	} else if *theme != "light" {
		return usageError(fs, "--theme must be light or dark, not %q", *theme)
	}
	app, err := common.open(ctx, env)
	if err != nil {
		return err
	}
	defer app.Close()
	exp, err := newSnapshotter(app)
	if err != nil {
		return err
	}
	body, name, err := exp.snapshot(ctx, fs.Arg(0), indicators.Params(params), f, img, *asOf)
	if err != nil {
		return err
	}
	switch *out {
	case "-":
		_, err = env.Stdout.Write(body)
		return err
	case "":
		*out = name
	}
	if err := writeFileAtomic(*out, body); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "wrote %s (%d bytes)\n", *out, len(body))
	return nil
}

// snapshotter renders chart snapshots in-process, with no server running: the same
// computation, option builder and exporter as GET /charts/:id/snapshot.*.
type snapshotter struct {
	app *app
	exp *export.Exporter
	now func() time.Time
}

func newSnapshotter(a *app) (*snapshotter, error) {
	r, err := render.New(render.Options{Logger: a.log})
	if err != nil {
		return nil, err
	}
	return &snapshotter{app: a, exp: export.New(r), now: time.Now}, nil
}

// snapshot returns the export of chart id with params in format f, and its file name.
func (s *snapshotter) snapshot(ctx context.Context, id string, params indicators.Params, f export.Format, img export.Image, asOf int64) ([]byte, string, error) {
	chart, err := indicators.ChartByID(id)
	if err != nil {
		return nil, "", err
	}
	res, err := indicators.ComputeChart(ctx, s.app.store, chart, params, asOf)
	if err != nil {
		return nil, "", err
	}
	theme := ""
	if img.Theme == render.Dark {
		theme = "dark"
	}
	option, err := dashboard.Option(res, theme)
	if err != nil {
		return nil, "", err
	}
	snap := export.Snapshot{Result: res, Option: option, Permalink: permalink(s.app.cfg.BaseURL, res, asOf), Time: s.now()}
	var buf bytes.Buffer
	if err := s.exp.Write(ctx, &buf, f, snap, img); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), export.FileName(res, f), nil
}

// permalink is the chart page of res with its resolved parameters (pinned to asOf
// when given), absolute when a base URL is configured.
func permalink(base string, res *indicators.Result, asOf int64) string {
	q := url.Values{}
	keys := make([]string, 0, len(res.Params))
	for k := range res.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if res.Params[k] != "" {
			q.Set(k, res.Params[k])
		}
	}
	if asOf > 0 {
		q.Set("v", fmt.Sprint(asOf))
	}
	link := "/charts/" + res.Chart
	if len(q) > 0 {
		link += "?" + q.Encode()
	}
	return strings.TrimRight(base, "/") + link
}

// writeFileAtomic writes body to a temporary file beside path and renames it, so a
// reader never sees half a file.
func writeFileAtomic(path string, body []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

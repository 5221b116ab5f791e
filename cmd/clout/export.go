package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/render"
)

func runExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("export", env)
	common := addCommonFlags(fs)
	params := paramFlags{}
	fs.Var(params, "param", "chart parameter k=v (repeatable)")
	format := fs.String("format", "", "png|svg|csv|xlsx|html|json|owid.csv (default: from --out's extension, else png)")
	out := fs.String("out", "", "file to write (default: a name from the chart, parameters and data version; - for stdout)")
	width := fs.Int("width", 1200, "image width in px (200–4000)")
	height := fs.Int("height", 675, "image height in px (200–4000)")
	scale := fs.Int("scale", 1, "PNG pixel ratio (1–3)")
	theme := fs.String("theme", "light", "light|dark")
	asOf := fs.Int64("v", 0, "export the data as of this data version (0 = current)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: clout export [--db ...] ID --format png|svg|csv|xlsx|html|json|owid.csv [--param k=v ...] [--out FILE]")
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(fs, "need exactly one chart id")
	}
	if *format == "" && strings.HasSuffix(strings.ToLower(*out), ".owid.csv") {
		*format = string(export.OWID) // its extension alone would say plain csv
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
	snap, _, err := app.charts.Render(ctx, fs.Arg(0), indicators.Params(params), *asOf, f, img)
	if err != nil {
		return err
	}
	body, name := snap.Body, snap.FileName
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

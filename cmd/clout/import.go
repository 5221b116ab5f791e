package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
)

func runImport(ctx context.Context, env *Env, args []string) error {
	fset := newFlagSet("import", env)
	common := addCommonFlags(fset)
	dataset := fset.String("dataset", "", "dataset name (default: the file name without extension)")
	format := fset.String("format", "auto", "layout: auto|"+strings.Join(importer.Formats(), "|"))
	dryRun := fset.Bool("dry-run", false, "validate and report without storing")
	asJSON := fset.Bool("json", false, "print the import report as JSON")
	sum := fset.Bool("sum-commodities", false, "UN Comtrade: sum the HS chapters into total goods (only a file with every chapter, AG2)")
	indicator := fset.String("indicator", "", "the indicator of a file whose rows name none (Country Name, Country Code, Year, Value); default: from the file name")
	allowOlder := fset.Bool("allow-older", false, "store figures older than the stored vintage of the same cells (both vintages are kept)")
	fset.Usage = func() {
		fmt.Fprintln(fset.Output(), "Usage: clout import [--db ...] [--dataset NAME] [--format auto|...] [--dry-run] [--allow-older] [--json] FILE...")
		fset.PrintDefaults()
	}
	if err := parseInterspersed(fset, args); err != nil {
		return err
	}
	if fset.NArg() == 0 {
		return usageError(fset, "no FILE given")
	}
	if env.Getenv("GOMEMLIMIT") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// Bounded memory for large local files; see importer.CLIMemoryLimit.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(importer.CLIMemoryLimit))
	}
	if *dataset != "" && fset.NArg() > 1 {
		return usageError(fset, "--dataset names one dataset; import one FILE at a time with it")
	}
	app, err := common.open(ctx, env)
	if err != nil {
		return err
	}
	defer app.Close()
	if !*dryRun {
		if _, err := app.rejudge(ctx); err != nil {
			return err
		}
	}
	var failed error
	for _, path := range fset.Args() {
		f, err := openLocalFile(path)
		if err != nil {
			return err
		}
		report, err := importLocalFile(ctx, app, env, f, *asJSON, importer.Request{
			Dataset: *dataset, FileName: filepath.Base(path), Format: *format,
			DryRun: *dryRun, Who: "cli", SumCommodities: *sum, Indicator: *indicator, AllowOlder: *allowOlder, Local: true,
		})
		f.Close()
		if report != nil {
			if *asJSON {
				if err := writeJSON(env.Stdout, report); err != nil {
					return err
				}
			} else {
				printReport(env.Stdout, path, report)
			}
		}
		if err != nil {
			failed = err
		}
	}
	if !*dryRun {
		changes, err := app.rejudge(ctx)
		if err != nil {
			return err
		}
		if !*asJSON {
			printChanges(env.Stdout, changes)
		}
	}
	return failed
}

// openLocalFile opens a file named on the command line.
func openLocalFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, indicators.Errorf(indicators.EINVALID, "%s: no such file", path)
		}
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return f, nil
}

// importLocalFile imports a local file where it lies: the importer streams a
// csv from it and the store keeps it a chunk at a time, so a file of any size is
// imported in bounded memory (the upload limit does not apply to it).
func importLocalFile(ctx context.Context, app *app, env *Env, f *os.File, asJSON bool, req importer.Request) (*indicators.ImportReport, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	size := info.Size()
	if info.Mode().IsRegular() {
		req.File = io.NewSectionReader(f, 0, size)
	} else { // a pipe (/dev/stdin) has no offsets: read it whole
		if req.Data, err = io.ReadAll(f); err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Name(), err)
		}
		size = int64(len(req.Data))
	}
	var progress *progressLine
	if env.StderrIsTTY && !asJSON {
		progress = newProgressLine(env.Stderr, req.FileName, size)
	}
	defer progress.done()
	return app.importFile(ctx, importRequest{Request: req, Progress: progress.update})
}

// printReport writes an import report for people.
func printReport(w io.Writer, path string, r *indicators.ImportReport) {
	verb := "imported"
	switch {
	case !r.OK():
		verb = "REJECTED (nothing stored)"
	case r.DryRun:
		verb = "checked (dry run, nothing stored)"
	}
	fmt.Fprintf(w, "%s: %s\n", path, verb)
	if r.Member != "" {
		fmt.Fprintf(w, "  read %s from the archive\n", r.Member)
	}
	if r.Vintage != "" {
		fmt.Fprintf(w, "  vintage %s (the file's own date)\n", r.Vintage)
	}
	fmt.Fprintf(w, "  layout %s; %d rows, %d observations, %d missing cells, %d rows skipped\n",
		r.Layout, r.Rows, r.Observations, r.Missing, r.SkippedRows)
	if len(r.Indicators) > 0 {
		fmt.Fprintf(w, "  indicators: %s; %d countries; periods %s to %s\n",
			strings.Join(r.Indicators, ", "), r.Countries, r.Periods.From, r.Periods.To)
	}
	if r.OK() && !r.DryRun {
		fmt.Fprintf(w, "  dataset %s version %d, data version %d\n", r.Dataset, r.Version, r.DataVersion)
	}
	for _, p := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", problemString(p))
	}
	for _, p := range r.Errors {
		fmt.Fprintf(w, "  error: %s\n", problemString(p))
	}
}

// progressLine shows an import's progress on a terminal: bytes, rows, rate and ETA.
// A nil *progressLine does nothing, so callers need not check for a terminal.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	name  string
	total int64
	start time.Time
	last  time.Time
}

func newProgressLine(w io.Writer, name string, total int64) *progressLine {
	return &progressLine{w: w, name: name, total: total, start: time.Now()}
}

func (p *progressLine) update(bytes, rows int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start).Seconds()
	line := fmt.Sprintf("%s: %.1f MiB", p.name, float64(bytes)/(1<<20))
	if p.total > 0 {
		line += fmt.Sprintf(" of %.1f MiB (%.0f%%)", float64(p.total)/(1<<20), 100*float64(bytes)/float64(p.total))
	}
	if elapsed > 0 {
		line += fmt.Sprintf(", %d rows, %.0f rows/s", rows, float64(rows)/elapsed)
		if bytes > 0 && p.total > bytes {
			eta := time.Duration(elapsed * float64(p.total-bytes) / float64(bytes) * float64(time.Second))
			line += ", ETA " + eta.Round(time.Second).String()
		}
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

func (p *progressLine) done() {
	if p == nil {
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
}

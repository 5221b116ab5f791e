package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/clout-dev/clout/indicators"
)

// Default limits of one import; the configuration may change the first three
// (README "Configuration").
const (
	DefaultMaxUpload   = 32 << 20  // bytes of the uploaded file
	DefaultMaxUnzipped = 256 << 20 // bytes of an xlsx once decompressed
	DefaultMaxCells    = 5_000_000 // cells read across all sheets
	DefaultMaxErrors   = 1000      // errors listed before "... and N more"
	sampleSize         = 20        // observations shown in a report
	batchSize          = 2048      // observations per batch handed to the store
)

// CLIMemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit) that
// `clout import` sets unless GOMEMLIMIT is given. The file is streamed, but the
// duplicate-check keys and the batches of a large csv still grow the heap, and
// without a limit the Go heap may grow to twice what is live before a
// collection (docs/benchmarks.md). The process also carries about 40 MiB of the
// binary's own pages (V8 is linked in for the exports), so the limit leaves the
// import of a 1 M-row csv under 200 MiB resident; at 96 MiB it costs no time
// there. It is soft: a larger file is still imported, with more collections.
const CLIMemoryLimit = 96 << 20

// Countries resolves the country names and codes found in spreadsheets (ISO3, ISO2,
// IMF numeric codes, names and their variants, aggregate codes) to Clout's codes.
type Countries interface {
	// Resolve returns the ISO3 or aggregate code of s, or an error that suggests
	// the closest names.
	Resolve(s string) (string, error)
	// IsAggregate reports whether code is a regional or income aggregate (WLD, ECS...).
	IsAggregate(code string) bool
}

// Progress is how far an import has read: bytes of a csv (for xlsx, whose
// compressed stream has no useful byte position, 0 until the end), rows of any
// file, out of Total bytes of the file. The last call has Bytes == Total.
type Progress struct {
	Bytes int64
	Total int64
	Rows  int64
	Sheet string
}

// Options configures an Importer. Zero values take the defaults.
type Options struct {
	Countries   Countries        // required: country resolution
	MaxUpload   int64            // bytes; DefaultMaxUpload
	MaxUnzipped int64            // bytes; DefaultMaxUnzipped
	MaxCells    int64            // DefaultMaxCells
	MaxErrors   int              // DefaultMaxErrors
	Now         func() time.Time // clock for progress pacing; time.Now
	Progress    func(Progress)   // called every ~100 ms and at the end; may be nil
	ProgressGap time.Duration    // minimum time between Progress calls; 100 ms
	TempDir     string           // where excelize may spill large sheets; os default
}

// Importer imports spreadsheets into a store. It is safe for concurrent use: every
// Import has its own state.
type Importer struct {
	store indicators.Store
	opts  Options
}

// New returns an Importer writing to store. store may be nil for dry runs only.
func New(store indicators.Store, opts Options) *Importer {
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	if opts.MaxUnzipped <= 0 {
		opts.MaxUnzipped = DefaultMaxUnzipped
	}
	if opts.MaxCells <= 0 {
		opts.MaxCells = DefaultMaxCells
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxErrors
	}
	if opts.Countries == nil {
		opts.Countries = indicators.DefaultCountries()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ProgressGap <= 0 {
		opts.ProgressGap = 100 * time.Millisecond
	}
	return &Importer{store: store, opts: opts}
}

// Request is one file to import.
type Request struct {
	Dataset  string // default: the file name without its extension
	FileName string // as uploaded; used in reports and errors
	Data     []byte // the whole file in memory (it is kept with the version); or File
	// File is the file read where it lies (a local file, a spooled upload) in
	// place of Data: a csv is read from it as a stream, and the store keeps it
	// a chunk at a time, so its size does not bound memory.
	File           indicators.FileContent
	Format         string // "auto" (default) or a layout name; see Formats
	DryRun         bool   // validate and report without storing
	Who            string // who imports, recorded with the version
	SumCommodities bool   // UN Comtrade: sum commodity rows into total goods (only where the file holds every chapter)
	Indicator      string // the indicator of a file whose rows do not say it (Country, Year, Value); else from the file name
	OnlyIfEmpty    bool   // store only into an empty store (ECONFLICT otherwise); see indicators.NewVersion
	// AllowOlder stores figures whose vintage is older than the newest the store
	// holds for the same cells (both vintages are kept); without it such an
	// import fails with ECONFLICT and the dry run warns.
	AllowOlder bool
	// Local says the file was named on the command line, not uploaded: the
	// upload limit does not apply (the unzipped-size and cell limits do).
	Local bool
}

// Import parses, validates and (unless req.DryRun) stores req's file as a new
// version of its dataset, and returns the report. On any problem in the file
// nothing is stored; the error is an *indicators.Error (EINVALID with every problem
// in Details, ETOOLARGE, EUNSUPPORTED) and the report lists the errors too.
func (im *Importer) Import(ctx context.Context, req Request) (rep *indicators.ImportReport, err error) {
	rep = newReport(req)
	defer func() { reportFailure(rep, err) }()
	file := req.content()
	scan, err := scanFile(file)
	if err != nil {
		return rep, fmt.Errorf("read %s: %w", displayName(req.FileName), err)
	}
	rep.Size, rep.SHA256 = file.Size(), scan.sha256
	if err := im.check(req, rep.Size); err != nil {
		return rep, err
	}
	if err := checkNames(req.FileName, rep.Dataset); err != nil {
		return rep, err
	}
	lay, err := formatLayout(req.Format)
	if err != nil {
		return rep, err
	}
	parsed := parsedFile{file: file, scan: scan} // req's file, or the one inside its archive
	kind, err := sniffFile(file, scan)
	if err != nil {
		return rep, err
	}
	if kind == kindZip || kind == kindGzip {
		data, err := im.unpack(req, file, kind, rep)
		if err != nil {
			return rep, err
		}
		parsed.file = bytes.NewReader(data)
		if parsed.scan, err = scanFile(parsed.file); err != nil {
			return rep, err
		}
		if kind, err = sniffFile(parsed.file, parsed.scan); err != nil {
			return rep, err
		}
		if kind == kindZip || kind == kindGzip {
			return rep, indicators.Errorf(indicators.EUNSUPPORTED, "%s holds another archive (%s): unpack it first", displayName(req.FileName), rep.Member)
		}
	}
	r := newRun(ctx, im, req, parsed, rep, lay, kind)
	if err := r.precheck(); err != nil {
		return rep, err
	}
	if req.DryRun {
		err = r.source()(func([]indicators.Observation) error { return nil })
		return rep, err
	}
	if im.store == nil {
		return rep, indicators.Errorf(indicators.EINTERNAL, "importer has no store")
	}
	v, err := im.store.SaveVersion(ctx, indicators.NewVersion{
		Dataset: rep.Dataset, FileName: req.FileName, File: file, SHA256: scan.sha256, Who: req.Who, Report: rep,
		OnlyIfEmpty: req.OnlyIfEmpty,
	}, r.source())
	if err != nil {
		if r.failed != nil && errors.Is(err, r.failed) {
			return rep, r.failed
		}
		return rep, fmt.Errorf("import %s: %w", req.FileName, err)
	}
	rep.Version, rep.DataVersion = v.Number, v.DataVersion
	return rep, nil
}

// parsedFile is the file an import parses (the request's, or the one inside
// its archive) and what a pass over it told.
type parsedFile struct {
	file indicators.FileContent
	scan fileScan
}

// sniffFile tells the kind of f from its head.
func sniffFile(f indicators.FileContent, scan fileScan) (fileKind, error) {
	head, err := readHead(f, sniffSize)
	if err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	return sniff(f, head, scan.blank)
}

// reportFailure lists an error that rejected the file but is no problem at a
// place in it (a limit, a damaged archive, the store) among the report's
// errors, so that every reader of the report (CLI, API, the stored version)
// sees why nothing was imported.
func reportFailure(rep *indicators.ImportReport, err error) {
	if err == nil || len(rep.Errors) > 0 {
		return
	}
	msg := strings.TrimPrefix(indicators.ErrorMessage(err), displayName(rep.File)+": ")
	rep.Errors = append(rep.Errors, indicators.ImportProblem{File: rep.File, Message: msg})
}

// check applies the limits that need no parsing.
func (im *Importer) check(req Request, size int64) error {
	if !req.Local && size > im.opts.MaxUpload {
		return indicators.Errorf(indicators.ETOOLARGE, "%s is %s, %s",
			displayName(req.FileName), humanBytes(size), OverUploadLimit(im.opts.MaxUpload))
	}
	return nil
}

// checkNames applies the domain's bounds to the file's name and the dataset's.
func checkNames(fileName, dataset string) error {
	if fileName != "" {
		if err := indicators.CheckText(indicators.FileName, fileName); err != nil {
			return err
		}
	}
	return indicators.CheckText(indicators.DatasetName, dataset)
}

// OverUploadLimit says a file is over the upload limit and how to raise it; the
// upload route, import jobs and the importer all say it so.
func OverUploadLimit(limit int64) string {
	return fmt.Sprintf("over the %s upload limit; raise it with --max-upload / CLOUT_MAX_UPLOAD (MiB) or limits.upload_mib in the config", humanBytes(limit))
}

func newReport(req Request) *indicators.ImportReport {
	ds := strings.TrimSpace(req.Dataset)
	if ds == "" {
		ds = DatasetName(req.FileName)
	}
	return &indicators.ImportReport{
		Dataset: ds, DryRun: req.DryRun, File: req.FileName, Indicators: []string{},
		Warnings: []indicators.ImportProblem{}, Errors: []indicators.ImportProblem{},
	}
}

// DatasetName is the default dataset of a file: its base name without extension.
func DatasetName(fileName string) string {
	base := filepath.Base(strings.ReplaceAll(fileName, "\\", "/"))
	base = strings.TrimSuffix(base, ".gz")
	if ext := filepath.Ext(base); ext != "" && len(ext) <= 6 {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "." || base == "/" || base == "" {
		return "import"
	}
	return base
}

func displayName(name string) string {
	if name == "" {
		return "the file"
	}
	return name
}

// humanBytes writes a size for people: "32 MiB", "1.5 KiB".
func humanBytes(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }

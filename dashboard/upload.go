package dashboard

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
)

// multipartSlack is what a multipart body may carry besides the file (headers,
// boundaries, small fields) before it counts as over the upload limit.
const multipartSlack = 1 << 20

// multipartMemory is how much of a multipart body is kept in memory while it
// arrives; the file beyond it is spooled to a temporary file.
const multipartMemory = 1 << 20

// Staging keeps dry-run uploads in the store (data.Store implements it), so the
// import of a file checked through one replica may go through another. Without
// it a dry run returns no stage and the file must be sent again.
type Staging interface {
	// StageUpload keeps u until u.Expires, purging expired uploads and the
	// oldest beyond keep.
	StageUpload(ctx context.Context, u indicators.StagedUpload, now time.Time, keep int) error
	// TakeStagedUpload removes and returns the owner's unexpired upload id.
	TakeStagedUpload(ctx context.Context, id, owner string, now time.Time) (indicators.StagedUpload, bool, error)
}

// stagingArea stages dry runs in a Staging store for a while, keeping at most
// a few, under random ids only their owner may use.
type stagingArea struct {
	store Staging // nil: nothing is staged
	now   func() time.Time
	ttl   time.Duration
	keep  int
}

// newStagingArea stages in the Store when it implements Staging: for 30
// minutes, at most 16 files.
func newStagingArea(deps Deps) *stagingArea {
	st, _ := deps.Store.(Staging)
	return &stagingArea{store: st, now: deps.Now, ttl: 30 * time.Minute, keep: 16}
}

// put stages u under a new id and returns it ("" without a store).
func (a *stagingArea) put(ctx context.Context, u indicators.StagedUpload) (string, error) {
	if a.store == nil {
		return "", nil
	}
	id, err := randomID(24)
	if err != nil {
		return "", err
	}
	u.ID = id
	if err := a.restore(ctx, u); err != nil {
		return "", err
	}
	return id, nil
}

// restore stages u again under its id, with a fresh expiry: an upload whose
// import failed for a reason other than its content can be retried.
func (a *stagingArea) restore(ctx context.Context, u indicators.StagedUpload) error {
	if a.store == nil {
		return nil
	}
	now := a.now()
	u.Expires = now.Add(a.ttl)
	return a.store.StageUpload(ctx, u, now, a.keep)
}

// take removes and returns the staged upload id if owner staged it and it has
// not expired; a second take of the same id, on any replica, finds nothing, so
// a double click imports once.
func (a *stagingArea) take(ctx context.Context, id, owner string) (indicators.StagedUpload, bool, error) {
	if a.store == nil {
		return indicators.StagedUpload{}, false, nil
	}
	return a.store.TakeStagedUpload(ctx, id, owner, a.now())
}

// limitUpload refuses a body announced as over the limit at once (413) and caps
// what is read of any other, before authentication or CSRF parse a form.
func (s *Server) limitUpload(next echo.HandlerFunc) echo.HandlerFunc {
	limit := s.cfg.MaxUploadBytes + multipartSlack
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > limit {
			return s.tooLarge()
		}
		s.paceUpload(c, limit)
		r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		return next(c)
	}
}

func (s *Server) tooLarge() error {
	return indicators.Errorf(indicators.ETOOLARGE, "the file is %s", importer.OverUploadLimit(s.cfg.MaxUploadBytes))
}

// importResponse is the body of a successful POST /api/imports: the report, the
// staging id of a dry run (to import the same file), and the charts it changes.
type importResponse struct {
	*indicators.ImportReport
	Stage  string      `json:"stage,omitempty"`
	Charts []chartLink `json:"charts,omitempty"`
}

// rejectResponse is the 422 body: the error shape of every API error plus the
// report, so a client can show what was read as well as every problem.
type rejectResponse struct {
	Error   string                     `json:"error"`
	Details []indicators.ImportProblem `json:"details"`
	Report  *indicators.ImportReport   `json:"report,omitempty"`
	Stage   string                     `json:"stage,omitempty"`
}

// chartLink is a chart an import changes.
type chartLink struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// uploadForm is a parsed POST /api/imports.
type uploadForm struct {
	req   ImportRequest
	stage string // id of the staged file the request commits ("" for a new file)
	// file is the uploaded file (nil with a stage), in the multipart form's
	// temporary file: read into req.File, or spooled, by the caller.
	file *multipart.FileHeader
}

// handleImport is POST /api/imports: multipart file (or stage, the id of a
// dry run's file), dataset, format, dry_run. Imports are tracked operations
// (operations.go) when the store keeps them; dry runs, which change nothing,
// are answered while the client waits. Both queue for an import slot.
func (s *Server) handleImport(c echo.Context) error {
	p := principalOf(c)
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	f, err := s.readUploadForm(c, p)
	if err != nil {
		return err
	}
	if !f.req.DryRun && s.data.ops.store != nil {
		return s.startImport(c, f, p, key)
	}
	ctx := c.Request().Context()
	release, err := s.data.imports.admit()
	if err != nil {
		return err
	}
	defer release()
	if f.file != nil {
		if f.req.File, err = s.readFilePart(f.file); err != nil {
			return err
		}
	}
	slot, err := s.data.imports.run(ctx)
	if err != nil {
		return err
	}
	defer slot()
	status, body := s.importNow(ctx, f, p, s.clientIP(c))
	return c.JSON(status, body)
}

// importNow imports (or checks) an upload and returns the HTTP status and body
// of its answer: 200 with the report, 422 with every problem, 409 for older
// figures, or the error.
func (s *Server) importNow(ctx context.Context, f uploadForm, p *principal, ip string) (int, any) {
	var st indicators.StagedUpload
	if f.stage != "" {
		var ok bool
		var err error
		if st, ok, err = s.data.staging.take(ctx, f.stage, p.Owner); err != nil {
			return s.errorAnswer(err)
		} else if !ok {
			return s.errorAnswer(indicators.Errorf(indicators.ENOTFOUND, "the checked file has expired or was imported already; upload it again"))
		}
		f.req.Dataset, f.req.FileName, f.req.Format, f.req.File = st.Dataset, st.FileName, st.Format, st.Data
	}
	rep, err := s.deps.Importer.Import(ctx, f.req)
	if rejected, ok := rejection(rep, err); ok {
		s.metrics.Imports.WithLabelValues("rejected").Inc()
		return http.StatusUnprocessableEntity, rejected
	}
	if older, ok := olderRejection(rep, err); ok {
		// The staged file stays, so the same check can be imported with allow_older.
		if st.ID != "" {
			if rerr := s.data.staging.restore(context.WithoutCancel(ctx), st); rerr != nil {
				s.log.Error("restore staged upload", "err", rerr)
			}
			older.Stage = st.ID
		}
		return http.StatusConflict, older
	}
	if err != nil {
		if st.ID != "" {
			if rerr := s.data.staging.restore(context.WithoutCancel(ctx), st); rerr != nil {
				s.log.Error("restore staged upload", "err", rerr)
			}
		}
		if indicators.ErrorCode(err) == indicators.EINTERNAL {
			s.metrics.Imports.WithLabelValues("failed").Inc()
		}
		return s.errorAnswer(err)
	}
	out := importResponse{ImportReport: rep}
	if f.req.DryRun {
		out.Stage, err = s.data.staging.put(ctx, indicators.StagedUpload{Owner: p.Owner, Dataset: f.req.Dataset,
			FileName: f.req.FileName, Format: f.req.Format, Data: f.req.File})
		if err != nil {
			return s.errorAnswer(err)
		}
	} else {
		s.DataChanged()
		s.metrics.Imports.WithLabelValues("ok").Inc()
		out.Charts = s.chartsChangedBy(rep)
		s.log.Info("import", "dataset", rep.Dataset, "version", rep.Version, "data_version", rep.DataVersion,
			"observations", rep.Observations, "who", p.Who, "ip", ip)
	}
	return http.StatusOK, out
}

// errorAnswer is the status and JSON body of an error, as the error handler
// would answer it; internal errors are logged.
func (s *Server) errorAnswer(err error) (int, any) {
	ae := resolveError(err)
	if ae.status >= 500 {
		s.log.Error("import failed", "err", err)
	}
	return ae.status, ae.response()
}

// rejection turns a report with errors, or an importer error carrying every
// problem, into the 422 body.
func rejection(rep *indicators.ImportReport, err error) (rejectResponse, bool) {
	code := indicators.ErrorCode(err)
	details := indicators.ErrorDetails(err)
	switch {
	case err != nil && code == indicators.EINVALID && len(details) > 0:
		return rejectResponse{Error: indicators.ErrorMessage(err), Details: details, Report: rep}, true
	case err == nil && rep != nil && !rep.OK():
		return rejectResponse{Error: "the file was rejected: " + strconv.Itoa(len(rep.Errors)) + " errors",
			Details: rep.Errors, Report: rep}, true
	}
	return rejectResponse{}, false
}

// olderRejection is the 409 body of a file whose figures are older than the
// stored ones they would sit under: the error, the report, and the stage to
// import it again with allow_older.
func olderRejection(rep *indicators.ImportReport, err error) (rejectResponse, bool) {
	if err == nil || indicators.ErrorCode(err) != indicators.ECONFLICT || rep == nil || rep.OlderFigures == 0 {
		return rejectResponse{}, false
	}
	return rejectResponse{Error: indicators.ErrorMessage(err), Details: indicators.ErrorDetails(err), Report: rep}, true
}

// readUploadForm parses and checks the multipart form of an import: size (413),
// type sniffed from the bytes (415), format and dry_run (400).
func (s *Server) readUploadForm(c echo.Context, p *principal) (uploadForm, error) {
	r := c.Request()
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(multipartMemory); err != nil {
			if isTooLarge(err) {
				return uploadForm{}, s.tooLarge()
			}
			if slow, ok := s.uploadTimedOut(c); ok {
				return uploadForm{}, slow
			}
			return uploadForm{}, indicators.Errorf(indicators.EINVALID, "expected a multipart/form-data body with a file field")
		}
	}
	form := r.MultipartForm
	f := uploadForm{
		req: ImportRequest{
			Dataset:   strings.TrimSpace(formValue(form, "dataset")),
			Format:    strings.TrimSpace(formValue(form, "format")),
			Who:       p.Who,
			Indicator: strings.TrimSpace(formValue(form, "indicator")),
		},
		stage: formValue(form, "stage"),
	}
	if f.req.Format == "" {
		f.req.Format = "auto"
	}
	if err := importer.CheckFormat(f.req.Format); err != nil {
		return f, err
	}
	dry, err := parseBool(formValue(form, "dry_run"))
	if err != nil {
		return f, indicators.Errorf(indicators.EINVALID, "dry_run: %q is not true or false", formValue(form, "dry_run"))
	}
	f.req.DryRun = dry
	if f.req.AllowOlder, err = parseBool(formValue(form, "allow_older")); err != nil {
		return f, indicators.Errorf(indicators.EINVALID, "allow_older: %q is not true or false", formValue(form, "allow_older"))
	}
	if f.stage != "" {
		return f, nil
	}
	fhs := form.File["file"]
	if len(fhs) == 0 {
		return f, indicators.Errorf(indicators.EINVALID, "file: missing; send the spreadsheet in the multipart field \"file\"")
	}
	if fhs[0].Size > s.cfg.MaxUploadBytes {
		return f, s.tooLarge()
	}
	f.file = fhs[0]
	// An empty dataset is named after the file by the importer.
	f.req.FileName = cleanFileName(fhs[0].Filename)
	return f, nil
}

// readFilePart reads the uploaded file within the limit and sniffs its type.
func (s *Server) readFilePart(fh *multipart.FileHeader) ([]byte, error) {
	if fh.Size > s.cfg.MaxUploadBytes {
		return nil, s.tooLarge()
	}
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	// The part's size is known: one allocation, not a growing buffer.
	data := make([]byte, fh.Size)
	if _, err := io.ReadFull(file, data); err != nil {
		return nil, err
	}
	if _, err := importer.Sniff(data); err != nil {
		return nil, err
	}
	return data, nil
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe) || strings.Contains(err.Error(), "request body too large")
}

func formValue(f *multipart.Form, key string) string {
	if v := f.Value[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// parseBool reads a form boolean: "" is false.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, errors.New("not a boolean")
}

// cleanFileName keeps the base name of an uploaded file without control
// characters, at most 255 bytes; the name is data, never a path on disk.
func cleanFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "upload"
	}
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// chartsChangedBy lists the charts whose data an import touches: built-in charts
// (with default parameters) reading one of its indicators, and a series chart
// per indicator.
func (s *Server) chartsChangedBy(rep *indicators.ImportReport) []chartLink {
	if rep == nil {
		return nil
	}
	var links []chartLink
	for _, c := range s.charts.Charts() {
		if c.ID() == "series" {
			continue
		}
		q, err := c.Query(defaultParams(c))
		if err != nil {
			continue
		}
		if slices.ContainsFunc(q.Indicators, func(code string) bool { return slices.Contains(rep.Indicators, code) }) {
			links = append(links, chartLink{ID: c.ID(), Title: chartName(c.ID()), URL: "/charts/" + c.ID()})
		}
	}
	if series, err := s.charts.Chart("series"); err == nil {
		for i, code := range rep.Indicators {
			if i == 10 {
				break
			}
			links = append(links, chartLink{ID: series.ID(), Title: chartName(series.ID()) + ": " + code,
				URL: "/charts/series?indicator=" + url.QueryEscape(code)})
		}
	}
	return links
}

// defaultParams are a chart's parameters at their defaults.
func defaultParams(c indicators.Chart) indicators.Params {
	p := indicators.Params{}
	for _, spec := range c.Params() {
		if spec.Default != "" {
			p[spec.Name] = spec.Default
		}
	}
	return p
}

// uploadView is the data of the upload page.
type uploadView struct {
	formView
	Layouts  []string
	MaxBytes int64
	MaxLabel string
}

func (s *Server) handleUploadPage(c echo.Context) error {
	if principalOf(c) == nil && !s.loggedIn(c) {
		return c.Redirect(http.StatusSeeOther, "/login?next=%2Fupload")
	}
	return s.renderData(c, http.StatusOK, "upload", "Upload", uploadView{
		formView: s.formViewOf(c),
		Layouts:  append([]string{"auto"}, importer.Formats()...),
		MaxBytes: s.cfg.MaxUploadBytes,
		MaxLabel: formatBytes(s.cfg.MaxUploadBytes),
	})
}

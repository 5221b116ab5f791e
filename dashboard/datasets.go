package dashboard

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
)

// maxDiffRows bounds the changes listed on the diff page (the API returns all).
const maxDiffRows = 2000

// DatasetsResponse is the body of GET /api/datasets.
type DatasetsResponse struct {
	DataVersion int64                `json:"data_version"`
	Datasets    []indicators.Dataset `json:"datasets"`
}

func (s *Server) handleAPIDatasets(c echo.Context) error {
	ctx := c.Request().Context()
	list, err := s.store.Datasets(ctx)
	if err != nil {
		return err
	}
	v, err := s.store.DataVersion(ctx)
	if err != nil {
		return err
	}
	if list == nil {
		list = []indicators.Dataset{}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, DatasetsResponse{DataVersion: v, Datasets: list})
}

func (s *Server) handleAPIDataset(c echo.Context) error {
	name, err := nameParam(c)
	if err != nil {
		return err
	}
	ds, err := s.store.Dataset(c.Request().Context(), name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, ds)
}

// handleVersionFile serves a version's original file byte for byte, as an
// attachment under its original name (safely encoded).
func (s *Server) handleVersionFile(c echo.Context) error {
	name, err := nameParam(c)
	if err != nil {
		return err
	}
	n, err := positiveInt(c.Param("n"), "version")
	if err != nil {
		return err
	}
	file, err := s.store.VersionFile(c.Request().Context(), name, n)
	if err != nil {
		return err
	}
	ct, err := importer.SniffFile(file.Content)
	if err != nil {
		if indicators.ErrorCode(err) == indicators.EINTERNAL { // the store failed, not the file's kind
			return err
		}
		ct = "application/octet-stream"
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", attachment(file.Name))
	h.Set("Cache-Control", "private, max-age=86400") // a version's file never changes
	h.Set(echo.HeaderContentLength, strconv.FormatInt(file.Content.Size(), 10))
	// Streamed a chunk at a time: a large original is never whole in memory.
	return c.Stream(http.StatusOK, ct, io.NewSectionReader(file.Content, 0, file.Content.Size()))
}

// attachment is a Content-Disposition for a download named name; non-ASCII and
// quotes are encoded by mime (RFC 2231), never pasted into the header.
func attachment(name string) string {
	name = cleanFileName(name)
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment; filename=download"
}

// positiveInt parses a version number, naming the parameter when it is bad.
func positiveInt(v, param string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, indicators.Errorf(indicators.EINVALID, "%s: %q is not a version number (1, 2, ...)", param, v)
	}
	return n, nil
}

// diffParams reads from and to; to defaults to the current version and from to
// the one before it.
func (s *Server) diffParams(c echo.Context, name string) (from, to int, err error) {
	q := c.QueryParams()
	if q.Get("to") != "" {
		if to, err = positiveInt(q.Get("to"), "to"); err != nil {
			return 0, 0, err
		}
	} else {
		ds, err := s.store.Dataset(c.Request().Context(), name)
		if err != nil {
			return 0, 0, err
		}
		to = ds.Current
	}
	if q.Get("from") != "" {
		from, err = positiveInt(q.Get("from"), "from")
		return from, to, err
	}
	if to < 2 {
		return 0, 0, indicators.Errorf(indicators.EINVALID, "from: version %d has no earlier version to compare with", to)
	}
	return to - 1, to, nil
}

// diff compares the versions of the dataset the request names (from/to default to
// the previous and the current version).
func (s *Server) diff(c echo.Context) (string, indicators.Diff, error) {
	name, err := nameParam(c)
	if err != nil {
		return "", indicators.Diff{}, err
	}
	from, to, err := s.diffParams(c, name)
	if err != nil {
		return "", indicators.Diff{}, err
	}
	d, err := s.store.Diff(c.Request().Context(), name, from, to)
	return name, d, err
}

func (s *Server) handleAPIDiff(c echo.Context) error {
	_, d, err := s.diff(c)
	if err != nil {
		return err
	}
	if d.Changes == nil {
		d.Changes = []indicators.ObservationChange{}
	}
	return c.JSON(http.StatusOK, d)
}

// rollbackRequest is the body of POST /api/datasets/:name/rollback.
type rollbackRequest struct {
	Version int `json:"version"`
}

// handleRollback makes an earlier version current again by appending a version.
// JSON in, JSON out; an HTML form post is redirected to the dataset's page.
func (s *Server) handleRollback(c echo.Context) error {
	name, err := nameParam(c)
	if err != nil {
		return err
	}
	number, err := rollbackVersion(c)
	if err != nil {
		return err
	}
	v, err := s.store.Rollback(c.Request().Context(), name, number, principalOf(c).Who)
	if err != nil {
		return err
	}
	s.DataChanged()
	s.log.Info("rollback", "dataset", name, "to", number, "version", v.Number, "who", principalOf(c).Who, "ip", s.clientIP(c))
	if wantsHTML(c) {
		return c.Redirect(http.StatusSeeOther, datasetURL(name)+"?rolledback="+strconv.Itoa(v.Number))
	}
	return c.JSON(http.StatusOK, v)
}

// rollbackVersion reads the version to restore from a JSON body or a form.
func rollbackVersion(c echo.Context) (int, error) {
	if wantsHTML(c) {
		return positiveInt(c.FormValue("version"), "version")
	}
	var req rollbackRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, 4096))
	if err := dec.Decode(&req); err != nil {
		return 0, indicators.Errorf(indicators.EINVALID, `body: expected JSON {"version": N}`)
	}
	if req.Version < 1 {
		return 0, indicators.Errorf(indicators.EINVALID, "version: %d is not a version number (1, 2, ...)", req.Version)
	}
	return req.Version, nil
}

// datasetsView is the data of the datasets page (all datasets, or one).
type datasetsView struct {
	formView
	Datasets   []datasetView
	Single     bool
	RolledBack string
}

// datasetView is one dataset with its versions, formatted for the page.
type datasetView struct {
	Name         string
	URL          string
	DiffURL      string
	Current      int
	Observations string
	Updated      string
	Versions     []versionView
}

// versionView is one version row of the datasets page.
type versionView struct {
	Number       int
	Current      bool
	RollbackOf   int
	When         string
	Size         string
	SHA256       string
	Who          string
	FileName     string
	FileURL      string
	RollbackURL  string
	Layout       string
	Rows         string
	Observations string
	Missing      string
	Indicators   string
	Periods      string
	Vintage      string // the file's own date, its figures' vintage
	Warnings     []indicators.ImportProblem
}

func (s *Server) handleDatasetsPage(c echo.Context) error {
	ctx := c.Request().Context()
	list, err := s.store.Datasets(ctx)
	if err != nil {
		return err
	}
	view := datasetsView{formView: s.formViewOf(c)}
	for _, d := range list {
		full, err := s.store.Dataset(ctx, d.Name)
		if err != nil {
			return err
		}
		view.Datasets = append(view.Datasets, newDatasetView(full))
	}
	return s.renderData(c, http.StatusOK, "datasets", "Datasets", view)
}

func (s *Server) handleDatasetPage(c echo.Context) error {
	name, err := nameParam(c)
	if err != nil {
		return err
	}
	full, err := s.store.Dataset(c.Request().Context(), name)
	if err != nil {
		return err
	}
	view := datasetsView{formView: s.formViewOf(c), Single: true, RolledBack: c.QueryParam("rolledback"),
		Datasets: []datasetView{newDatasetView(full)}}
	return s.renderData(c, http.StatusOK, "datasets", "Dataset "+name, view)
}

func newDatasetView(d indicators.Dataset) datasetView {
	base := "/api/datasets/" + url.PathEscape(d.Name)
	dv := datasetView{
		Name:         d.Name,
		URL:          datasetURL(d.Name),
		DiffURL:      datasetURL(d.Name) + "/diff",
		Current:      d.Current,
		Observations: indicators.FormatNumber(float64(d.Observations)),
		Updated:      formatWhen(d.UpdatedAt),
	}
	for _, v := range d.Versions {
		vv := versionView{
			Number:       v.Number,
			Current:      v.Current || v.Number == d.Current,
			RollbackOf:   v.RollbackOf,
			When:         formatWhen(v.CreatedAt),
			Size:         formatBytes(v.Size),
			SHA256:       v.SHA256,
			Who:          v.Who,
			FileName:     v.FileName,
			FileURL:      base + "/versions/" + strconv.Itoa(v.Number) + "/file",
			RollbackURL:  datasetURL(d.Name) + "/rollback?version=" + strconv.Itoa(v.Number),
			Observations: indicators.FormatNumber(float64(v.Observations)),
		}
		if r := v.Report; r != nil {
			vv.Layout = r.Layout
			vv.Rows = indicators.FormatNumber(float64(r.Rows))
			vv.Missing = indicators.FormatNumber(float64(r.Missing))
			vv.Indicators = strings.Join(r.Indicators, ", ")
			vv.Periods = periodRange(r.Periods)
			vv.Vintage = r.Vintage
			vv.Warnings = r.Warnings
		}
		dv.Versions = append(dv.Versions, vv)
	}
	return dv
}

func formatWhen(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func periodRange(p indicators.PeriodRange) string {
	if p.From == "" || p.From == p.To {
		return p.From
	}
	return p.From + "–" + p.To
}

// diffView is the data of the diff page.
type diffView struct {
	formView
	Dataset   string
	URL       string
	From, To  int
	Added     int
	Removed   int
	Changed   int
	Rows      []diffRow
	Truncated int // changes not listed
}

// diffRow is one changed observation, formatted.
type diffRow struct {
	Kind, Indicator, Country, Partner, Period, Old, New string
}

func (s *Server) handleDiffPage(c echo.Context) error {
	name, d, err := s.diff(c)
	if err != nil {
		return err
	}
	view := diffView{Dataset: name, URL: datasetURL(name), From: d.From, To: d.To,
		Added: d.Added, Removed: d.Removed, Changed: d.Changed}
	for i, ch := range d.Changes {
		if i == maxDiffRows {
			view.Truncated = len(d.Changes) - i
			break
		}
		view.Rows = append(view.Rows, newDiffRow(ch))
	}
	return s.renderData(c, http.StatusOK, "diff", fmt.Sprintf("%s: version %d → %d", name, d.From, d.To), view)
}

func newDiffRow(ch indicators.ObservationChange) diffRow {
	kind := "changed"
	switch {
	case ch.Old == nil:
		kind = "added"
	case ch.New == nil:
		kind = "removed"
	}
	return diffRow{Kind: kind, Indicator: ch.Indicator, Country: ch.Country, Partner: ch.Partner,
		Period: ch.Period.String(), Old: formatOptional(ch.Old), New: formatOptional(ch.New)}
}

// rollbackView is the data of the rollback confirmation page.
type rollbackView struct {
	formView
	Dataset string
	URL     string
	Action  string
	Version versionView
	Current int
}

// handleRollbackPage asks for confirmation before a rollback; the form posts to
// the API with the CSRF token.
func (s *Server) handleRollbackPage(c echo.Context) error {
	name, err := nameParam(c)
	if err != nil {
		return err
	}
	if !s.loggedIn(c) && principalOf(c) == nil {
		return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
	}
	n, err := positiveInt(c.QueryParam("version"), "version")
	if err != nil {
		return err
	}
	full, err := s.store.Dataset(c.Request().Context(), name)
	if err != nil {
		return err
	}
	dv := newDatasetView(full)
	for _, v := range dv.Versions {
		if v.Number == n {
			return s.renderData(c, http.StatusOK, "rollback", "Roll back "+name, rollbackView{
				formView: s.formViewOf(c), Dataset: name, URL: dv.URL, Version: v, Current: full.Current,
				Action: "/api/datasets/" + url.PathEscape(name) + "/rollback",
			})
		}
	}
	return indicators.Errorf(indicators.ENOTFOUND, "dataset %q has no version %d", name, n)
}

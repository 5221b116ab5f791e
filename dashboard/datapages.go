package dashboard

import (
	"net/url"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/indicators"
)

// dataState is what the writing half of the dashboard keeps: auth and
// the staging area of dry-run uploads.
type dataState struct {
	auth    *authState
	staging *stagingArea
	imports *importAdmission // bounds the imports running and waiting
	ops     *operationRunner // runs and records import operations
}

// newDataState builds the auth state and the staging area of dry-run uploads.
func newDataState(cfg Config, deps Deps) *dataState {
	return &dataState{
		auth:    newAuthState(cfg, deps.Store, deps.Now),
		staging: newStagingArea(deps),
		imports: newImportAdmission(cfg.Imports, cfg.ImportQueue),
		ops:     newOperationRunner(deps),
	}
}

// formView is embedded in the data pages' views: the CSRF token of their forms
// (also in a meta tag for scripts) and whether a session is open.
type formView struct {
	CSRF     string
	LoggedIn bool
}

// formViewOf fills a formView for the request.
func (s *Server) formViewOf(c echo.Context) formView {
	return formView{CSRF: csrfToken(c), LoggedIn: s.loggedIn(c)}
}

// registerDataRoutes adds auth, upload, datasets and template routes. Writes
// sit outside the read group: they need a writer, which is stronger.
func (s *Server) registerDataRoutes(e *echo.Echo, read *echo.Group) {
	s.registerAuthRoutes(e)
	read.GET("/template.xlsx", s.handleTemplate)
	read.GET("/datasets", s.handleDatasetsPage, s.withCSRF)
	read.GET("/datasets/:name", s.handleDatasetPage, s.withCSRF)
	read.GET("/datasets/:name/diff", s.handleDiffPage)
	read.GET("/datasets/:name/rollback", s.handleRollbackPage, s.withCSRF)
	read.GET("/api/datasets", s.handleAPIDatasets)
	read.GET("/api/datasets/:name", s.handleAPIDataset)
	read.GET("/api/datasets/:name/versions/:n/file", s.handleVersionFile)
	read.GET("/api/datasets/:name/diff", s.handleAPIDiff)
	e.POST("/api/datasets/:name/rollback", s.handleRollback, s.requireWriter)
	if s.deps.Importer != nil {
		read.GET("/upload", s.handleUploadPage, s.withCSRF)
		e.POST("/api/imports", s.handleImport, s.limitUpload, s.requireWriter)
		e.GET("/api/imports/:id", s.handleImportOperation, s.requireWriter)
	}
}

// nameParam returns the :name path parameter decoded. Echo matches on the raw
// path when it has escapes (a name with "/"), leaving the parameter escaped.
func nameParam(c echo.Context) (string, error) {
	v := c.Param("name")
	if c.Request().URL.RawPath == "" {
		return v, nil
	}
	n, err := url.PathUnescape(v)
	if err != nil {
		return "", indicators.Errorf(indicators.EINVALID, "dataset name in the path is not valid URL escaping")
	}
	return n, nil
}

// datasetURL is the page of a dataset; the name is escaped as one path segment.
func datasetURL(name string) string { return "/datasets/" + url.PathEscape(name) }

// formatBytes writes a size in B, KiB or MiB.
func formatBytes(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }

// formatOptional writes a diff value; nil is "—" (absent on that side).
func formatOptional(v *float64) string {
	if v == nil {
		return "—"
	}
	return indicators.FormatNumber(*v)
}

// wantsHTML reports whether a write came from a plain HTML form (answered with a
// redirect) rather than a script (answered with JSON).
func wantsHTML(c echo.Context) bool {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	return strings.HasPrefix(ct, echo.MIMEApplicationForm)
}

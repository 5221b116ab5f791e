package dashboard

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
)

// snapshotFormats are the export formats of GET /charts/:id/snapshot.:format.
var snapshotFormats = []struct{ ext, label string }{
	{"png", "PNG"}, {"svg", "SVG"}, {"csv", "CSV"}, {"xlsx", "Excel"}, {"html", "HTML"}, {"json", "JSON"}, {"owid.csv", "OWID CSV"},
}

func (s *Server) registerSnapshotRoutes(g *echo.Group) {
	g.GET("/charts/:id/snapshot.:format", s.handleSnapshot)
}

// handleSnapshot exports a chart with the same parameters as the page, plus
// width, height, scale and theme.
func (s *Server) handleSnapshot(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.charts.Chart(c.Param("id")); err != nil {
		return err
	}
	format := strings.ToLower(c.Param("format"))
	known := false
	for _, f := range snapshotFormats {
		known = known || f.ext == format
	}
	if !known {
		return indicators.Errorf(indicators.ENOTFOUND, "no snapshot format %q (png, svg, csv, xlsx, html, json, owid.csv)", format)
	}
	f, err := export.ParseFormat(format)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	img, err := export.ParseImage(q.Get)
	if err != nil {
		return err
	}
	cq, err := s.chartQuery(c)
	if err != nil {
		return err
	}
	cc, err := s.charts.Compute(ctx, cq.req)
	if err != nil {
		return err
	}
	snap, err := s.charts.Snapshot(ctx, cc, f, img)
	if err != nil {
		return err
	}
	if snap.FileName != "" {
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(snap.FileName, `"`, "")+`"`)
	}
	return c.Blob(http.StatusOK, snap.ContentType, snap.Body)
}

package dashboard

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
)

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
	f, img, err := snapshotParams(c)
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
	return sendSnapshot(c, snap)
}

// snapshotParams reads a snapshot URL's format and image parameters. The URL
// names a format by its extension exactly (no aliases): another name is no such
// page.
func snapshotParams(c echo.Context) (export.Format, export.Image, error) {
	f := export.Format(strings.ToLower(c.Param("format")))
	if !slices.Contains(export.Formats(), f) {
		return "", export.Image{}, indicators.Errorf(indicators.ENOTFOUND, "no snapshot format %q (%s)", f, export.FormatNames())
	}
	img, err := export.ParseImage(c.QueryParams().Get)
	return f, img, err
}

// sendSnapshot answers with a snapshot as a download.
func sendSnapshot(c echo.Context, snap chart.Snapshot) error {
	if snap.FileName != "" {
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(snap.FileName, `"`, "")+`"`)
	}
	return sendTagged(c, snap.ContentType, snap.ETag, snap.Body)
}

package dashboard

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/indicators"
)

// snapshotFormats are the export formats of GET /charts/:id/snapshot.:format.
var snapshotFormats = []struct{ ext, label string }{
	{"png", "PNG"}, {"svg", "SVG"}, {"csv", "CSV"}, {"xlsx", "Excel"}, {"html", "HTML"}, {"json", "JSON"},
}

func (s *Server) registerSnapshotRoutes(g *echo.Group) {
	g.GET("/charts/:id/snapshot.:format", s.handleSnapshot)
}

// handleSnapshot exports a chart through the Exporter with the same parameters as
// the page, plus width, height, scale and theme.
func (s *Server) handleSnapshot(c echo.Context) error {
	ctx := c.Request().Context()
	ch, err := s.chartByID(c.Param("id"))
	if err != nil {
		return err
	}
	format := strings.ToLower(c.Param("format"))
	known := false
	for _, f := range snapshotFormats {
		known = known || f.ext == format
	}
	if !known {
		return indicators.Errorf(indicators.ENOTFOUND, "no snapshot format %q (png, svg, csv, xlsx, html, json)", format)
	}
	cq, err := s.chartQuery(c, ch)
	if err != nil {
		return err
	}
	theme := cq.theme
	q := c.QueryParams()
	req := SnapshotRequest{Format: format, Theme: theme}
	// 0 = the exporter's default size and scale.
	if req.Width, err = intParam(q.Get("width"), "width", 0, 200, 4000); err != nil {
		return err
	}
	if req.Height, err = intParam(q.Get("height"), "height", 0, 200, 4000); err != nil {
		return err
	}
	scale, err := intParam(q.Get("scale"), "scale", 0, 1, 3)
	if err != nil {
		return err
	}
	req.Scale = float64(scale)
	cc, err := s.computeChart(ctx, ch, cq.params, cq.asOf, cq.version, cq.latest)
	if err != nil {
		return err
	}
	req.Result = cc.result
	req.Permalink = s.absolute(s.view(cc).Permalink)
	// The same chart, parameters, data and drawing give the same bytes, but for the
	// export date printed in the footer: a cached snapshot is good for its day.
	key := fmt.Sprintf("%s|%d|%s|%d|%d|%g|%s|%s", req.Permalink, cc.version, format, req.Width, req.Height, req.Scale, theme, s.now().UTC().Format(time.DateOnly))
	// Only images are kept: they are the costly ones, and the other formats print
	// the export time, not just the date.
	image := format == "png" || format == "svg"
	var snap Snapshot
	if cached, ok := s.snapshots.get(key); ok && image {
		snap = cached.(Snapshot)
	} else {
		if req.Option, err = Option(cc.result, theme); err != nil {
			return err
		}
		if snap, err = s.deps.Exporter.Export(ctx, req); err != nil {
			return err
		}
		if image {
			s.snapshots.put(key, snap)
		}
	}
	if snap.FileName != "" {
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(snap.FileName, `"`, "")+`"`)
	}
	return c.Blob(http.StatusOK, snap.ContentType, snap.Body)
}

// intParam reads a bounded integer parameter; def when empty.
func intParam(raw, name string, def, lo, hi int) (int, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, indicators.Errorf(indicators.EINVALID, "%s: %q is not a whole number from %d to %d", name, raw, lo, hi)
	}
	return n, nil
}

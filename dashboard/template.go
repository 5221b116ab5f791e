package dashboard

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/data/importer"
)

// handleTemplate serves GET /template.xlsx.
func (s *Server) handleTemplate(c echo.Context) error {
	body, err := s.buildTemplate(c.Request().Context())
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", attachment("clout-template.xlsx"))
	h.Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, contentTypeOfKind(kindXLSX), body)
}

// buildTemplate gathers the template's codes and example rows (those each
// built-in chart draws with its defaults) and has the importer write it.
func (s *Server) buildTemplate(ctx context.Context) ([]byte, error) {
	v, err := s.charts.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	live, err := s.indicatorCodes(ctx, v)
	if err != nil {
		return nil, err
	}
	var examples []importer.ExampleSheet
	for _, ch := range s.charts.Charts() {
		q, err := ch.Query(defaultParams(ch))
		if err != nil || len(q.Indicators) == 0 {
			continue // a chart that needs a choice (series) has no default example
		}
		obs, err := s.store.Observations(ctx, q)
		if err != nil {
			return nil, err
		}
		if len(obs) > 0 {
			examples = append(examples, importer.ExampleSheet{Name: ch.ID(), Rows: obs})
		}
	}
	return importer.Template(importer.TemplateCodes(live), examples)
}

package dashboard

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/chart/option"
	"github.com/clout-dev/clout/indicators"
)

func (s *Server) registerAPIRoutes(g *echo.Group) {
	g.GET("/api/charts", s.handleAPICharts)
	g.GET("/api/charts/:id", s.handleAPIChart)
	g.GET("/api/observations", s.handleAPIObservations)
	g.GET("/api/indicators", s.handleAPIIndicators)
}

// handleAPIIndicators lists the indicator catalogue: each known code with its
// name, short label, unit and description, as titles, axes and tables use them.
func (s *Server) handleAPIIndicators(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"indicators": indicators.Indicators()})
}

// ChartInfo describes a chart in GET /api/charts.
type ChartInfo struct {
	ID     string                 `json:"id"`
	Title  string                 `json:"title"`
	Params []indicators.ParamSpec `json:"params"`
	Page   string                 `json:"page"`
	API    string                 `json:"api"`
}

func (s *Server) handleAPICharts(c echo.Context) error {
	charts := s.charts.Charts()
	list := make([]ChartInfo, 0, len(charts))
	for _, ch := range charts {
		list = append(list, ChartInfo{
			ID: ch.ID(), Title: ch.Title(), Params: ch.Params(),
			Page: chart.PagePath(ch.ID()), API: "/api/charts/" + ch.ID(),
		})
	}
	return c.JSON(http.StatusOK, map[string]any{"charts": list})
}

// ChartResponse is the body of GET /api/charts/:id: the computed values and the
// ECharts option drawn from them.
type ChartResponse struct {
	*indicators.Result
	Option    json.RawMessage `json:"option"`
	Permalink string          `json:"permalink"`
	Pinned    bool            `json:"pinned"`
	Latest    int64           `json:"latest_data_version"`
	// Page is what the chart page shows around the chart (links, citation,
	// map view), so the page redraws in place from this answer.
	Page chartPage `json:"page"`
}

func (s *Server) handleAPIChart(c echo.Context) error {
	ctx := c.Request().Context()
	cq, err := s.chartQuery(c)
	if err != nil {
		return err
	}
	now := time.Now()
	// The answer's citation is dated today, so an answer is kept for its day.
	key := fmt.Sprintf("api|%s|%s|%d|%s", cq.req.Query(), cq.theme, cq.req.Latest, now.UTC().Format(time.DateOnly))
	key = cq.req.Chart.ID() + "|" + key
	if p, ok := s.responses.Get(key); ok {
		return sendCached(c, s.headers.jsonType, p)
	}
	cc, err := s.charts.Compute(ctx, cq.req)
	if err != nil {
		return err
	}
	opt, err := s.charts.OptionFor(cc, cq.theme)
	if err != nil {
		return err
	}
	body, err := json.Marshal(ChartResponse{Result: cc.Result, Option: opt, Permalink: s.charts.Absolute(cc.Permalink()), Pinned: cc.Pinned > 0, Latest: cc.Latest,
		Page: s.chartPageOf(cc, now)})
	if err != nil {
		return fmt.Errorf("api chart %s: %w", cc.Chart.ID(), err)
	}
	body = option.StripFuncMarkers(body) // the Detail carries labels too
	p := newCachedPage(body)
	s.responses.Add(key, p)
	return sendCached(c, s.headers.jsonType, p)
}

// themeParam validates theme=: "" or light (the default) or dark.
func themeParam(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "light":
		return "", nil
	case "dark":
		return "dark", nil
	}
	return "", indicators.Errorf(indicators.EINVALID, "theme: %q is not a theme (light or dark)", s)
}

// observationFilters are the query parameters GET /api/observations accepts.
var observationFilters = map[string]bool{"indicator": true, "country": true, "partner": true, "from": true, "to": true, "v": true, "format": true}

// ObservationsResponse is the JSON body of GET /api/observations.
type ObservationsResponse struct {
	DataVersion  int64                    `json:"data_version"`
	Count        int                      `json:"count"`
	Observations []indicators.Observation `json:"observations"`
}

func (s *Server) handleAPIObservations(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	for k := range q {
		if !observationFilters[k] {
			return indicators.Errorf(indicators.EINVALID, "%s: unknown parameter (use indicator, country, partner, from, to, v, format)", k)
		}
	}
	format := strings.ToLower(strings.TrimSpace(q.Get("format")))
	if format != "" && format != "json" && format != "csv" {
		return indicators.Errorf(indicators.EINVALID, "format: %q is not json or csv", q.Get("format"))
	}
	query, err := observationQuery(q)
	if err != nil {
		return err
	}
	_, version, _, err := s.charts.ResolveVersion(ctx, q.Get("v"))
	if err != nil {
		return err
	}
	query.AsOf = version
	obs, err := s.store.Observations(ctx, query)
	if err != nil {
		return fmt.Errorf("api observations: %w", err)
	}
	if len(obs) > s.cfg.MaxObservations {
		return indicators.Errorf(indicators.EINVALID, "%d observations match, over the limit of %d: narrow the query with indicator, country, partner, from or to", len(obs), s.cfg.MaxObservations)
	}
	for i := range obs {
		o := &obs[i]
		o.Indicator = option.StripFuncMarkersString(o.Indicator)
		o.Unit = option.StripFuncMarkersString(o.Unit)
		o.Source = option.StripFuncMarkersString(o.Source)
	}
	c.Response().Header().Set("X-Clout-Data-Version", strconv.FormatInt(version, 10))
	if format == "csv" {
		return writeObservationsCSV(c, obs)
	}
	if obs == nil {
		obs = []indicators.Observation{}
	}
	return c.JSON(http.StatusOK, ObservationsResponse{DataVersion: version, Count: len(obs), Observations: obs})
}

// observationQuery reads the filters: indicator (codes, comma-separated),
// country and partner (codes, names or group names), from and to (periods).
func observationQuery(q map[string][]string) (indicators.Query, error) {
	var query indicators.Query
	query.Indicators = parseQueryList(q, "indicator")
	for i, code := range query.Indicators {
		query.Indicators[i] = strings.ToUpper(code)
	}
	var err error
	if query.Countries, err = expandParam(q, "country"); err != nil {
		return query, err
	}
	if query.Partners, err = expandParam(q, "partner"); err != nil {
		return query, err
	}
	for _, b := range []struct {
		name string
		dst  *indicators.Period
	}{{"from", &query.From}, {"to", &query.To}} {
		raw := strings.TrimSpace(first(q[b.name]))
		if raw == "" {
			continue
		}
		p, err := indicators.ParsePeriod(raw)
		if err != nil {
			return query, indicators.Errorf(indicators.EINVALID, "%s: %s", b.name, indicators.ErrorMessage(err))
		}
		*b.dst = p
	}
	if !query.From.IsZero() && !query.To.IsZero() && query.To.Before(query.From) {
		return query, indicators.Errorf(indicators.EINVALID, "to: %s is before from (%s)", query.To, query.From)
	}
	return query, nil
}

// expandParam resolves a country list parameter (codes, names, groups); the error
// names the parameter and suggests close names.
func expandParam(q map[string][]string, name string) ([]string, error) {
	raw := strings.Join(q[name], ",")
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	codes, err := indicators.ExpandCountries(raw)
	if err != nil {
		return nil, indicators.Errorf(indicators.EINVALID, "%s: %s", name, indicators.ErrorMessage(err))
	}
	return codes, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// writeObservationsCSV writes observations as CSV; text cells that a spreadsheet
// would evaluate are neutralised.
func writeObservationsCSV(c echo.Context, obs []indicators.Observation) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"indicator", "country", "partner", "period", "value", "unit", "source"})
	for _, o := range obs {
		w.Write([]string{
			safeCell(o.Indicator), safeCell(o.Country), safeCell(o.Partner), o.Period.String(),
			strconv.FormatFloat(o.Value, 'g', -1, 64), safeCell(o.Unit), safeCell(o.Source),
		})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("observations csv: %w", err)
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="observations.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// safeCell prefixes a quote to text a spreadsheet would read as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// chartQueryParams are what a chart request's query string says: the request
// (chart, parameters, data version) and the theme.
type chartQueryParams struct {
	req   chart.Request
	theme string
}

// chartQuery reads the query string shared by the chart API and the snapshots;
// unknown parameters are errors there.
func (s *Server) chartQuery(c echo.Context) (chartQueryParams, error) {
	q := c.QueryParams()
	var cq chartQueryParams
	var err error
	if cq.theme, err = themeParam(q.Get("theme")); err != nil {
		return cq, err
	}
	cq.req, err = s.charts.ParseRequest(c.Request().Context(), c.Param("id"), q, true)
	return cq, err
}

package dashboard

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/chart/option"
	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
)

// claimsService returns Deps.Claims, or one with the built-in claims over a
// store that keeps claims, or nil (claim pages off).
func claimsService(deps Deps) (*claims.Service, error) {
	if deps.Claims != nil {
		return deps.Claims, nil
	}
	st, ok := deps.Store.(claims.Store)
	if !ok {
		return nil, nil
	}
	return claims.New(claims.Config{}, claims.Deps{Charts: deps.Charts, Store: st, Logger: deps.Logger, Now: deps.Now})
}

// claimsChanged re-judges the claims in the background after a write in this
// process, so verdict changes are recorded and webhooks fire without waiting
// for a reader.
func (s *Server) claimsChanged() {
	if s.claims == nil {
		return
	}
	s.claims.DataChanged()
	s.rejudging.Add(1)
	go func() {
		defer s.rejudging.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.claims.Rejudge(ctx); err != nil {
			s.log.Error("re-judging claims", "err", err)
		}
	}()
}

func (s *Server) registerClaimRoutes(e *echo.Echo, read *echo.Group) {
	read.GET("/claims", s.handleClaimsPage)
	read.GET("/claims/new", s.handleNewClaimPage, s.withCSRF)
	read.GET("/claims/:id", s.handleClaimPage)
	read.GET("/api/claims", s.handleAPIClaims)
	read.GET("/api/claims/:id", s.handleAPIClaim)
	e.POST("/claims", s.handleAddClaim, s.requireWriter)
	if s.charts.Exports() {
		read.GET("/claims/:id/snapshot.:format", s.handleClaimSnapshot)
	}
}

// ClaimResponse is the body of GET /api/claims/:id: the claim judged per period
// with the figures of each verdict, its summary and current verdict, and the
// recorded history of its verdict changes (newest first).
type ClaimResponse struct {
	claims.Evaluation
	History []indicators.ClaimChange `json:"history"`
	Page    string                   `json:"page"`
}

func (s *Server) handleAPIClaims(c echo.Context) error {
	rep, err := s.claims.Evaluate(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func (s *Server) handleAPIClaim(c echo.Context) error {
	resp, err := s.claimResponse(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, resp)
}

// claimResponse judges the claim of the :id parameter with the vintage asked
// (vintage=; default the newest figures) and reads its history.
func (s *Server) claimResponse(c echo.Context) (ClaimResponse, error) {
	ctx := c.Request().Context()
	id := c.Param("id")
	ev, err := s.claims.EvaluateClaim(ctx, id, strings.TrimSpace(c.QueryParam("vintage")))
	if err != nil {
		return ClaimResponse{}, err
	}
	hist, err := s.claims.History(ctx, id, 100)
	if err != nil {
		return ClaimResponse{}, err
	}
	return ClaimResponse{Evaluation: ev, History: hist, Page: s.charts.Absolute(claims.Path(id))}, nil
}

// claimCard is a claim as the overview and the list show it.
type claimCard struct {
	claims.Evaluation
	Link      string
	Badge     badge
	Since     string
	Sparkline *sparkline
}

// badge is a verdict as a page shows it: its word, a symbol and its colour, so
// that no reader depends on the colour alone.
type badge struct {
	Verdict indicators.Verdict
	Label   string
	Symbol  string
	Color   string
}

var verdictSymbols = map[indicators.Verdict]string{
	indicators.VerdictHolds: "✓", indicators.VerdictFails: "✗", indicators.VerdictBorderline: "≈", indicators.VerdictUntestable: "?",
}

func badgeOf(v indicators.Verdict) badge {
	if v == "" {
		v = indicators.VerdictUntestable
	}
	return badge{Verdict: v, Label: string(v), Symbol: verdictSymbols[v], Color: option.VerdictColor(v)}
}

func cardOf(ev claims.Evaluation) claimCard {
	card := claimCard{Evaluation: ev, Link: claims.Path(ev.Claim.ID), Badge: badgeOf(ev.Current.Verdict), Sparkline: sparklineOf(ev)}
	if !ev.Current.Since.IsZero() {
		card.Since = "since " + ev.Current.Since.String()
		if ev.Current.Since != ev.Current.Period {
			card.Since += ", latest figures " + ev.Current.Period.String()
		}
	}
	return card
}

// sparkline is a small SVG line of a claim's metric at its coarsest frequency,
// with the claim's line; coordinates are computed here, the SVG written by the
// template.
type sparkline struct {
	Width, Height int
	Points        string // polyline points
	Dots          []sparkDot
	LineY         string // the claim's line, or "" when outside the drawn range
	Label         string // for screen readers
}

type sparkDot struct {
	X, Y  string
	Color string
	Title string
}

// sparklineOf draws the verdict periods of the claim's coarsest frequency.
func sparklineOf(ev claims.Evaluation) *sparkline {
	var vs []indicators.PeriodVerdict
	for _, v := range ev.Verdicts {
		if len(vs) > 0 && v.Period.Freq != vs[0].Period.Freq {
			if v.Period.Freq < vs[0].Period.Freq {
				vs = nil
			} else {
				continue
			}
		}
		if option.ClaimFigure(v.MetricPoint) != nil {
			vs = append(vs, v)
		}
	}
	if len(vs) < 2 {
		return nil
	}
	line := claimLineY(ev.Claim)
	lo, hi := line, line
	for _, v := range vs {
		x := *option.ClaimFigure(v.MetricPoint)
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	if hi == lo {
		hi = lo + 1
	}
	const w, h, pad = 120, 32, 3
	xy := func(i int, y float64) (string, string) {
		x := pad + float64(i)*(w-2*pad)/float64(len(vs)-1)
		return strconv.FormatFloat(x, 'f', 1, 64), strconv.FormatFloat(pad+(hi-y)*(h-2*pad)/(hi-lo), 'f', 1, 64)
	}
	sp := &sparkline{Width: w, Height: h}
	var pts []string
	for i, v := range vs {
		x, y := xy(i, *option.ClaimFigure(v.MetricPoint))
		pts = append(pts, x+","+y)
		sp.Dots = append(sp.Dots, sparkDot{X: x, Y: y, Color: option.VerdictColor(v.Verdict),
			Title: fmt.Sprintf("%s: %s (%s)", v.Period, indicators.FormatNumber(*option.ClaimFigure(v.MetricPoint)), v.Verdict)})
	}
	sp.Points = strings.Join(pts, " ")
	_, sp.LineY = xy(0, line)
	first, last := vs[0], vs[len(vs)-1]
	sp.Label = fmt.Sprintf("%s from %s (%s) to %s (%s), against %s", indicators.FigureLabel(ev.Claim.Metric.Figure),
		first.Period, indicators.FormatNumber(*option.ClaimFigure(first.MetricPoint))+ev.Claim.Metric.Unit, last.Period, indicators.FormatNumber(*option.ClaimFigure(last.MetricPoint))+ev.Claim.Metric.Unit,
		ev.Claim.Test.Words(ev.Claim.Metric.Unit))
	return sp
}

// claimLineY is where the claim's line lies in the metric's units.
func claimLineY(c indicators.Claim) float64 {
	if c.Test.Kind == indicators.TestFallAtLeast {
		return -(c.Test.Threshold - c.Test.Tolerance)
	}
	return c.Test.Threshold
}

// claimsIndex judges the claims for the overview (nil when claims are off or
// cannot be judged: the charts still show).
func (s *Server) claimsIndex(ctx context.Context) ([]claimCard, string) {
	if s.claims == nil {
		return nil, ""
	}
	rep, err := s.claims.Evaluate(ctx)
	if err != nil {
		s.log.Error("claims on the overview", "err", err)
		return nil, "unjudged"
	}
	cards := make([]claimCard, len(rep.Claims))
	for i, ev := range rep.Claims {
		cards[i] = cardOf(ev)
	}
	return cards, rep.Key()
}

func (s *Server) handleClaimsPage(c echo.Context) error {
	cards, _ := s.claimsIndex(c.Request().Context())
	return s.renderData(c, http.StatusOK, "claims", "Claims on trial", claimsListView{Claims: cards, LoggedIn: s.loggedIn(c)})
}

type claimsListView struct {
	Claims   []claimCard
	LoggedIn bool
}

// claimPageView is /claims/:id.
type claimPageView struct {
	claimCard
	History    []historyRow
	Rows       []claimRow
	OptionJSON template.JS
	APIURL     string
	Vintage    string
	Downloads  []link
}

// claimRow is one period of the verdict table.
type claimRow struct {
	Period  string
	Value   string
	Range   string
	Badge   badge
	Split   bool
	Flags   string
	Sources []string
	Reason  string
}

type historyRow struct {
	indicators.ClaimChange
	Old, New badge
	Was, Now string // "not judged" for an empty verdict
}

func (s *Server) handleClaimPage(c echo.Context) error {
	resp, err := s.claimResponse(c)
	if err != nil {
		return err
	}
	opt, err := option.Claim(resp.Claim, resp.Verdicts)
	if err != nil {
		return err
	}
	v := claimPageView{claimCard: cardOf(resp.Evaluation), OptionJSON: scriptJSON(opt), Vintage: resp.Vintage,
		APIURL: withQuery("/api/claims/"+resp.Claim.ID, vintageQuery(resp.Vintage))}
	if s.charts.Exports() {
		for _, f := range export.Formats() {
			v.Downloads = append(v.Downloads, link{URL: withQuery(claims.Path(resp.Claim.ID)+"/snapshot."+string(f), vintageQuery(resp.Vintage)), Label: f.Label()})
		}
	}
	for i := len(resp.Verdicts) - 1; i >= 0; i-- {
		v.Rows = append(v.Rows, rowOf(resp.Verdicts[i], resp.Claim.Metric.Unit))
	}
	for _, h := range resp.History {
		v.History = append(v.History, historyRow{ClaimChange: h, Old: badgeOf(h.Old), New: badgeOf(h.New), Was: verdictOrNone(h.Old), Now: verdictOrNone(h.New)})
	}
	return s.renderData(c, http.StatusOK, "claim", "Claim: "+resp.Claim.ID, v)
}

func vintageQuery(v string) string {
	if v == "" {
		return ""
	}
	return "vintage=" + v
}

func verdictOrNone(v indicators.Verdict) string {
	if v == "" {
		return "not judged"
	}
	return string(v)
}

func rowOf(v indicators.PeriodVerdict, unit string) claimRow {
	r := claimRow{Period: v.Period.String(), Badge: badgeOf(v.Verdict), Split: v.Split, Reason: v.Reason,
		Sources: v.Sources, Value: "no figure", Range: "—"}
	if v.Value != nil {
		r.Value = indicators.FormatNumber(*v.Value) + unit
	}
	var bounds []string
	if v.Low != nil && v.High != nil {
		bounds = append(bounds, indicators.FormatNumber(*v.Low)+"–"+indicators.FormatNumber(*v.High)+unit)
	}
	if v.AtLeast != nil {
		bounds = append(bounds, "at least "+indicators.FormatNumber(*v.AtLeast)+unit)
	}
	if v.AtMost != nil {
		bounds = append(bounds, "at most "+indicators.FormatNumber(*v.AtMost)+unit)
	}
	if len(bounds) > 0 {
		r.Range = strings.Join(bounds, "; ")
	}
	flags := make([]string, len(v.Flags))
	for i, f := range v.Flags {
		flags[i] = f.Label()
	}
	r.Flags = strings.Join(flags, ", ")
	return r
}

// newClaimView is the form that adds a claim.
type newClaimView struct {
	formView
	Charts  []string
	Figures []string
	Form    claims.ConfigClaim
	Params  string
	Caveats string
	Error   string
}

func (s *Server) handleNewClaimPage(c echo.Context) error {
	if principalOf(c) == nil && !s.loggedIn(c) {
		return c.Redirect(http.StatusSeeOther, "/login?next=%2Fclaims%2Fnew")
	}
	return s.renderNewClaim(c, http.StatusOK, newClaimView{}, "")
}

func (s *Server) renderNewClaim(c echo.Context, status int, v newClaimView, problem string) error {
	v.formView = s.formViewOf(c)
	v.Charts = []string{indicators.ChartTradeShare, indicators.ChartGasExports, indicators.ChartIntegrationGain}
	v.Figures = []string{indicators.FigureCombinedShare, indicators.FigureYoYChange, indicators.FigureBlocRatio}
	v.Error = problem
	return s.renderData(c, status, "claimnew", "Add a claim", v)
}

// handleAddClaim stores a claim from the form (or a JSON body with the fields
// of a config claim) and shows its page; a problem shows the form again with
// every problem named.
func (s *Server) handleAddClaim(c echo.Context) error {
	in, params, caveats, err := readClaimForm(c)
	if err != nil {
		return err
	}
	who := "token"
	if p := principalOf(c); p != nil {
		who = p.Who
	}
	added, err := s.claims.Add(c.Request().Context(), in, who)
	if err != nil {
		if wantsHTML(c) && indicators.ErrorCode(err) != indicators.EINTERNAL {
			code := resolveError(err).status
			return s.renderNewClaim(c, code, newClaimView{Form: in, Params: params, Caveats: caveats}, indicators.ErrorMessage(err))
		}
		return err
	}
	s.responses.Purge() // the overview lists the new claim
	if wantsHTML(c) {
		return c.Redirect(http.StatusSeeOther, claims.Path(added.ID))
	}
	return c.JSON(http.StatusCreated, map[string]any{"claim": added, "page": claims.Path(added.ID)})
}

// readClaimForm reads a claim from a form (params as "k=v" lines, caveats one
// per line) or a JSON body written like a config claim.
func readClaimForm(c echo.Context) (claims.ConfigClaim, string, string, error) {
	var in claims.ConfigClaim
	if !wantsHTML(c) && !strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
		if err := c.Bind(&in); err != nil {
			return in, "", "", indicators.Errorf(indicators.EINVALID, "claim: the body is not a claim in JSON")
		}
		return in, "", "", nil
	}
	f := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	in = claims.ConfigClaim{ID: f("id"), Text: f("text"), Test: f("test"), Periods: f("periods"),
		Said:   indicators.ClaimSource{Title: f("said_title"), Date: f("said_date"), URL: f("said_url")},
		Metric: claims.ConfigMetric{Chart: f("chart"), Figure: f("figure"), Unit: f("unit"), Params: indicators.Params{}}}
	if m := f("margin"); m != "" {
		v, err := strconv.ParseFloat(m, 64)
		if err != nil {
			return in, "", "", indicators.Errorf(indicators.EINVALID, "margin: %q is not a number", m)
		}
		in.Margin = v
	}
	params, caveats := f("params"), f("caveats")
	for _, line := range strings.FieldsFunc(params, func(r rune) bool { return r == '\n' || r == '&' }) {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return in, params, caveats, indicators.Errorf(indicators.EINVALID, "params: %q is not name=value", strings.TrimSpace(line))
		}
		in.Metric.Params[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	for _, line := range strings.Split(caveats, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Caveats = append(in.Caveats, line)
		}
	}
	return in, params, caveats, nil
}

// handleClaimSnapshot exports a claim (GET /claims/:id/snapshot.:format): the
// verdict chart with its table as PNG or SVG, the verdict table as CSV or XLSX,
// both as HTML or JSON; vintage= as on the page, plus width, height, scale and
// theme for images.
func (s *Server) handleClaimSnapshot(c echo.Context) error {
	f, img, err := snapshotParams(c)
	if err != nil {
		return err
	}
	snap, err := s.claims.Export(c.Request().Context(), c.Param("id"), strings.TrimSpace(c.QueryParam("vintage")), f, img)
	if err != nil {
		return err
	}
	return sendSnapshot(c, snap)
}

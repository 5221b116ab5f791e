package dashboard

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/indicators"
)

// The site's frame around every page: the menu, who is signed in, and the
// footer's data version, which the page's script keeps current.

// chartName is a chart's one short name, used wherever a link or a menu names
// the chart (its page keeps the long title). An unknown chart is named by its
// title.
func chartName(id string) string {
	switch id {
	case indicators.ChartTradeShare:
		return "Trade"
	case indicators.ChartGasExports:
		return "Gas"
	case indicators.ChartIntegrationGain:
		return "Integration"
	case indicators.ChartSeries:
		return "Indicators"
	case indicators.ChartMap:
		return "Map"
	}
	return id
}

// nav returns the site menu with the entry of path (the request's path) marked
// current: Overview, Claims, each chart by its short name, then the data pages.
func (s *Server) nav(path string) []navItem {
	items := []navItem{{URL: "/", Label: "Overview"}}
	if s.claims != nil {
		items = append(items, navItem{URL: "/claims", Label: "Claims"})
	}
	for _, c := range s.charts.Charts() {
		items = append(items, navItem{URL: chart.PagePath(c.ID()), Label: chartName(c.ID())})
	}
	items = append(items, navItem{URL: "/datasets", Label: "Datasets"})
	if s.deps.Importer != nil {
		items = append(items, navItem{URL: "/upload", Label: "Upload"})
	}
	items = append(items, navItem{URL: "/jobs", Label: "Jobs"})
	for i := range items {
		u := items[i].URL
		items[i].Current = path == u || (u != "/" && strings.HasPrefix(path, u+"/"))
	}
	return items
}

// accountView is the header's account area: who is signed in with the Log out
// form, or the Log in link.
type accountView struct {
	SignedIn bool
	CSRF     string // the session's token, for the Log out form
	Next     string // where Log in returns to
}

// anonymousAccount is the account area of a visitor without a session; Log
// in returns to next.
func anonymousAccount(next string) *accountView {
	if strings.HasPrefix(next, "/login") {
		next = "/"
	}
	return &accountView{Next: safeNext(next)}
}

// signedInAccount returns the account area of the request's session, or nil
// when it has none.
func (s *Server) signedInAccount(c echo.Context) *accountView {
	if _, err := c.Cookie(sessionCookie); err != nil {
		return nil // the common case costs no session lookup
	}
	if tok := s.sessionCSRF(c); tok != "" {
		return &accountView{SignedIn: true, CSRF: tok}
	}
	return nil
}

// accountOf returns the account area of the request.
func (s *Server) accountOf(c echo.Context) *accountView {
	if a := s.signedInAccount(c); a != nil {
		return a
	}
	return anonymousAccount(c.Request().URL.RequestURI())
}

// account renders the account area alone (the "account" block of the layout).
func (p *pageTemplates) account(v *accountView) ([]byte, error) {
	t, err := p.page("error") // every page's set holds the layout's blocks
	if err != nil {
		return nil, err
	}
	return renderTemplate(t, "account", v)
}

// newLayoutPage caches a page rendered for visitors without a session and
// notes where its account area (rendered alone as anonymous) lies, so that a
// signed-in request gets the same page with its own account area.
func newLayoutPage(body, anonymous []byte) *cachedPage {
	p := newCachedPage(body)
	if i := bytes.Index(body, anonymous); i >= 0 && len(anonymous) > 0 {
		p.accountStart, p.accountEnd = i, i+len(anonymous)
	}
	return p
}

// renderLayoutPage renders a page for the shared cache: anonymous account
// area, returning to next after Log in.
func (s *Server) renderLayoutPage(name string, data pageData, next string) (*cachedPage, error) {
	t, err := s.pages.page(name)
	if err != nil {
		return nil, err
	}
	data.Account = anonymousAccount(next)
	body, err := renderTemplate(t, "layout", data)
	if err != nil {
		return nil, err
	}
	anon, err := s.pages.account(data.Account)
	if err != nil {
		return nil, err
	}
	return newLayoutPage(body, anon), nil
}

// personalised returns the body and tag of a cached page for a signed-in
// request (its account area replaced), or ok false when the page is the
// shared one.
func (s *Server) personalised(c echo.Context, p *cachedPage) (body []byte, etag string, ok bool, err error) {
	if p.accountEnd == 0 {
		return nil, "", false, nil
	}
	a := s.signedInAccount(c)
	if a == nil {
		return nil, "", false, nil
	}
	frag, err := s.pages.account(a)
	if err != nil {
		return nil, "", false, err
	}
	body = make([]byte, 0, len(p.body)-(p.accountEnd-p.accountStart)+len(frag))
	body = append(append(append(body, p.body[:p.accountStart]...), frag...), p.body[p.accountEnd:]...)
	return body, chart.EntityTag(body), true, nil
}

// registerSiteRoutes adds GET /api/version, which the footer polls.
func (s *Server) registerSiteRoutes(g *echo.Group) {
	g.GET("/api/version", s.handleAPIVersion)
}

// handleAPIVersion answers the current data version: a cheap answer the page
// asks for now and then to keep its footer current after an import.
func (s *Server) handleAPIVersion(c echo.Context) error {
	v, err := s.charts.DataVersion(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]int64{"data_version": v})
}

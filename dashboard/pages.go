package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/chart/option"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
)

// chartView is one chart as a page shows it.
type chartView struct {
	ID         string
	Result     *indicators.Result
	OptionJSON template.JS
	// OptionDarkJSON is the option in the dark theme's colours, which the
	// page draws when the reader's system is dark; "" if it could not be built.
	OptionDarkJSON template.JS
	Controls       []control
	Permalink      string
	EmbedURL       string
	APIURL         string
	LatestURL      string
	Pinned         int64
	Latest         int64
	Downloads      []link
	ShowTitle      bool // the embed page draws the title inside the chart
	// DescribedBy is the id of the element that states the chart's finding in
	// words (the figure's accessible description), "" where there is none.
	DescribedBy string
	// CaptionJSON is the caption of the chart's images (export.Caption), for the
	// script that captions the drawn chart as a download.
	CaptionJSON template.JS
	// Page is what the chart page's panels show (share, cite, map view); the
	// JSON API answers it too, so the page can redraw them in place.
	Page chartPage
}

// link is a labelled URL. Image and FileName are set for the image downloads,
// which the page's script builds from the drawn chart (the URL stays the
// server's snapshot, for browsers without script).
type link struct {
	URL      string `json:"url"`
	Label    string `json:"label"`
	Image    string `json:"image,omitempty"`
	FileName string `json:"file_name,omitempty"`
}

// chartPage is what a chart page shows around the chart, for one computed
// chart: the same struct fills the template and the API's "page" member, so
// the page's script redraws exactly what the server would have rendered.
type chartPage struct {
	// Permalink is the page with these parameters (site-relative; v= only
	// when the request pinned a data version).
	Permalink string `json:"permalink"`
	// Pinned is the absolute page URL pinned to the data version shown.
	Pinned string `json:"pinned"`
	// PinnedEmbed is the absolute embed URL pinned likewise; EmbedCode the
	// iframe that shows it.
	PinnedEmbed string `json:"pinned_embed"`
	EmbedCode   string `json:"embed_code"`
	API         string `json:"api"`
	// MapAPI and MapPage are the map chart of the same entities and year,
	// for charts with a country dimension the map can show ("" otherwise).
	MapAPI  string `json:"map_api,omitempty"`
	MapPage string `json:"map_page,omitempty"`
	// Downloads are the captioned images and the data files.
	Downloads []link          `json:"downloads"`
	Caption   *export.Caption `json:"caption,omitempty"`
	// Cite is the citation of the chart in one paragraph, dated today.
	Cite string `json:"cite"`
	// Citations are Result.Citations as the page lists them, one per
	// publication; CitationTexts their one-line texts.
	Citations     []citationView `json:"citations"`
	CitationTexts []string       `json:"citation_texts"`
	VintageNote   string         `json:"vintage_note"`
	Caveats       []string       `json:"caveats"`
}

// citationView is a citation as the page lists it: its text, link and
// retrieval date, and the source texts behind a disclosure.
type citationView struct {
	Text      string   `json:"text"`
	URL       string   `json:"url,omitempty"`
	Retrieved string   `json:"retrieved,omitempty"`
	Details   []string `json:"details"`
}

// embedHeight is the height of the iframe the embed code proposes, in CSS
// pixels: the chart's own height on the page plus its source line.
const embedHeight = 520

func (s *Server) registerPageRoutes(g *echo.Group) {
	g.GET("/", s.handleIndex)
	g.GET("/charts/:id", s.handleChartPage)
	g.GET("/charts/:id/embed", s.handleEmbedPage)
}

// headline is a chart of the overview page with the parameters it is shown with.
type headline struct {
	id     string
	params func(ctx context.Context, s *Server, version int64) indicators.Params
}

// headlines are the overview's charts: trade share with the defaults
// (TUR+AZE against 5%), gas exports to Turkey (monthly where the data allow) and
// the integration gain of FSU-CORE.
var headlines = []headline{
	{id: "trade-share", params: func(context.Context, *Server, int64) indicators.Params { return indicators.Params{} }},
	{id: "gas-exports", params: gasHeadlineParams},
	{id: "integration-gain", params: func(context.Context, *Server, int64) indicators.Params { return indicators.Params{} }},
}

func gasHeadlineParams(ctx context.Context, s *Server, version int64) indicators.Params {
	p := indicators.Params{"destinations": "TUR", "freq": "annual"}
	if f, err := s.facetFor(ctx, version, []string{indicators.GasExportsCode}, []string{indicators.Russia}); err == nil && f.monthly {
		p["freq"] = "monthly"
	}
	return p
}

func (s *Server) handleIndex(c echo.Context) error {
	ctx := c.Request().Context()
	version, err := s.charts.DataVersion(ctx)
	if err != nil {
		return err
	}
	cards, claimsKey := s.claimsIndex(ctx)
	key := fmt.Sprintf("page|index|%d|%s", version, claimsKey)
	if p, ok := s.responses.Get(key); ok {
		return s.writePage(c, p)
	}
	data := pageData{Title: "Overview", Nav: s.nav("/"), DataVersion: version, Claims: cards}
	for _, h := range headlines {
		ch, err := s.charts.Chart(h.id)
		if err != nil {
			continue
		}
		cc, err := s.charts.Compute(ctx, chart.Request{Chart: ch, Params: h.params(ctx, s, version), Version: version, Latest: version})
		if err != nil {
			if indicators.ErrorCode(err) == indicators.EINTERNAL {
				return err
			}
			data.Failed = append(data.Failed, failedChart{Title: ch.Title(), Message: indicators.ErrorMessage(err)})
			continue
		}
		data.Charts = append(data.Charts, s.view(cc))
	}
	page, err := s.renderLayoutPage("index", data, "/")
	if err != nil {
		return err
	}
	s.responses.Add(key, page)
	return s.writePage(c, page)
}

func (s *Server) handleChartPage(c echo.Context) error { return s.chartPage(c, false) }

func (s *Server) handleEmbedPage(c echo.Context) error { return s.chartPage(c, true) }

// chartPage serves /charts/:id and /charts/:id/embed, from the page cache when the
// same parameters were rendered at the same data version.
func (s *Server) chartPage(c echo.Context, embed bool) error {
	ctx := c.Request().Context()
	req, err := s.charts.ParseRequest(ctx, c.Param("id"), c.QueryParams(), false)
	if err != nil {
		return err
	}
	ch := req.Chart
	// The page's citation is dated today, so a page is kept for its day.
	key := "page|" + ch.ID() + "|" + strconv.FormatBool(embed) + "|" + req.Query() + "|" +
		strconv.FormatInt(req.Latest, 10) + "|" + time.Now().UTC().Format(time.DateOnly)
	if p, ok := s.responses.Get(key); ok {
		return s.writePage(c, p)
	}
	cc, err := s.charts.Compute(ctx, req)
	if err != nil {
		return err
	}
	v := s.view(cc)
	v.ShowTitle = embed
	v.DescribedBy = "st-" + ch.ID()
	data := pageData{Title: cc.Result.Title, Nav: s.nav(chart.PagePath(ch.ID())), DataVersion: req.Latest, View: v}
	var page *cachedPage
	if embed {
		tmpl, err := s.pages.page("embed")
		if err != nil {
			return err
		}
		body, err := renderTemplate(tmpl, "embed", data)
		if err != nil {
			return err
		}
		page = newCachedPage(body)
	} else {
		if v.Controls, err = s.controls(ctx, cc); err != nil {
			return err
		}
		if page, err = s.renderLayoutPage("chart", data, c.Request().URL.RequestURI()); err != nil {
			return err
		}
	}
	s.responses.Add(key, page)
	return s.writePage(c, page)
}

// cachedPage is a rendered page with its entity tag. A page with the site's
// layout also notes where its account area lies (accountEnd > 0), which a
// signed-in request has replaced by its own.
type cachedPage struct {
	body                     []byte
	etag                     string
	accountStart, accountEnd int
	// The ETag and Content-Length header values, made with the page so that
	// sending it from the cache allocates none.
	etagValue, lengthValue []string
}

func newCachedPage(body []byte) *cachedPage { return taggedPage(body, chart.EntityTag(body)) }

// taggedPage is body with its entity tag and the header values sending it needs.
func taggedPage(body []byte, etag string) *cachedPage {
	return &cachedPage{body: body, etag: etag, etagValue: []string{etag}, lengthValue: []string{strconv.Itoa(len(body))}}
}

// writePage sends a rendered page. Pages are cached server-side; browsers
// revalidate them (no-cache + ETag), so a new data version shows at once and an
// unchanged page costs a 304.
func (s *Server) writePage(c echo.Context, p *cachedPage) error {
	body, etag, own, err := s.personalised(c, p)
	if err != nil {
		return err
	}
	if own {
		c.Response().Header()["Cache-Control"] = s.headers.privateNoCache
		return sendTagged(c, echo.MIMETextHTMLCharsetUTF8, etag, body)
	}
	c.Response().Header()["Cache-Control"] = s.headers.noCache
	return sendCached(c, s.headers.htmlType, p)
}

// sendTagged answers with a body known in full: its ETag (a 304 when the
// request's If-None-Match names it) and its Content-Length, so it goes out in
// one write rather than chunked.
func sendTagged(c echo.Context, contentType, etag string, body []byte) error {
	return sendCached(c, []string{contentType}, taggedPage(body, etag))
}

// sendCached is sendTagged for a cached body, whose header values were made
// when it was cached.
func sendCached(c echo.Context, contentType []string, p *cachedPage) error {
	h := c.Response().Header()
	h["Etag"] = p.etagValue
	if c.Request().Header.Get("If-None-Match") == p.etag {
		return c.NoContent(http.StatusNotModified)
	}
	h["Content-Length"] = p.lengthValue
	h["Content-Type"] = contentType
	return c.Blob(http.StatusOK, contentType[0], p.body)
}

// view turns a computed chart into what templates show.
func (s *Server) view(cc *chart.Computed) *chartView {
	id := cc.Chart.ID()
	latest := cc.Request
	latest.Pinned = 0
	v := &chartView{
		ID:         id,
		Result:     cc.Result,
		OptionJSON: scriptJSON(cc.Option),
		Permalink:  cc.Permalink(),
		EmbedURL:   cc.Link(chart.PagePath(id) + "/embed"),
		APIURL:     cc.Link("/api/charts/" + id),
		LatestURL:  latest.Permalink(),
		Pinned:     cc.Pinned,
		Latest:     cc.Latest,
	}
	if dark, err := s.charts.OptionFor(cc, "dark"); err == nil {
		v.OptionDarkJSON = scriptJSON(dark)
	} else {
		s.log.Warn("chart page: dark option", "chart", id, "err", err)
	}
	v.Page = s.chartPageOf(cc, time.Now())
	v.Downloads = v.Page.Downloads
	if v.Page.Caption != nil {
		caption, err := json.Marshal(v.Page.Caption)
		if err == nil { // a struct of strings always marshals
			v.CaptionJSON = scriptJSON(caption)
		}
	}
	return v
}

// chartPageOf gathers what the chart page shows around the chart of cc, with
// the citation dated today.
func (s *Server) chartPageOf(cc *chart.Computed, today time.Time) chartPage {
	id := cc.Chart.ID()
	pinned := cc.Request
	if pinned.Pinned == 0 {
		pinned.Pinned = cc.Result.DataVersion
	}
	p := chartPage{
		Permalink:     cc.Permalink(),
		Pinned:        s.charts.Absolute(pinned.Permalink()),
		PinnedEmbed:   s.charts.Absolute(pinned.Link(chart.PagePath(id) + "/embed")),
		API:           cc.Link("/api/charts/" + id),
		Citations:     []citationView{},
		CitationTexts: []string{},
		VintageNote:   option.StripFuncMarkersString(cc.Result.VintageNote()),
		Caveats:       []string{},
		Downloads:     []link{},
	}
	// Every text from the data is cleaned as the result's own are: the page
	// shows them and the API answers them.
	for _, c := range cc.Result.Caveats() {
		p.Caveats = append(p.Caveats, option.StripFuncMarkersString(c))
	}
	p.EmbedCode = fmt.Sprintf(`<iframe src="%s" title="%s" width="100%%" height="%d" loading="lazy" style="border:0;max-width:100%%"></iframe>`,
		attrEscaper.Replace(p.PinnedEmbed), attrEscaper.Replace(cc.Result.Title), embedHeight)
	for _, c := range cc.Result.Citations {
		// The chart service has cleaned the citations (option.Sanitize).
		v := citationView{Text: c.Text(), URL: c.URL, Retrieved: c.Retrieved, Details: append([]string{}, c.Details...)}
		p.Citations = append(p.Citations, v)
		p.CitationTexts = append(p.CitationTexts, v.Text)
	}
	p.Cite = citeText(cc.Result, p.CitationTexts, p.Pinned, today)
	if mapReq, ok := s.mapView(cc); ok {
		p.MapAPI = mapReq.Link("/api/charts/" + indicators.ChartMap)
		p.MapPage = mapReq.Permalink()
	}
	if s.charts.Exports() {
		for _, f := range export.Formats() {
			l := link{URL: cc.Link(chart.PagePath(id) + "/snapshot." + string(f)), Label: f.Label()}
			if f.IsImage() {
				l.Image, l.FileName = string(f), export.FileName(cc.Result, f)
			}
			p.Downloads = append(p.Downloads, l)
		}
		caption := export.CaptionOf(cc.Result, s.charts.Absolute(cc.Permalink()))
		p.Caption = &caption
	}
	return p
}

// attrEscaper writes text into a double-quoted HTML attribute of the embed
// code, escaping only what must be, so the code stays readable ("Russia's").
var attrEscaper = strings.NewReplacer(`&`, "&amp;", `"`, "&quot;", `<`, "&lt;", `>`, "&gt;")

// citeText is the chart's citation: who, what, which data version and
// vintage, from which sources, retrieved when and where.
func citeText(res *indicators.Result, sources []string, pinnedURL string, today time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Clout, “%s”", res.Title)
	if res.Subtitle != "" {
		fmt.Fprintf(&b, " (%s)", res.Subtitle)
	}
	fmt.Fprintf(&b, ", data version %d", res.DataVersion)
	switch {
	case res.Vintage != indicators.NewestVintage:
		b.WriteString(", vintage " + res.Vintage)
	case len(res.Vintages) > 0:
		b.WriteString(", vintages " + strings.Join(res.Vintages, ", "))
	}
	b.WriteString(".")
	if len(sources) > 0 {
		b.WriteString(" Sources: " + strings.Join(sources, "; ") + ".")
	}
	fmt.Fprintf(&b, " Retrieved %s from %s", today.UTC().Format("2 January 2006"), pinnedURL)
	return b.String()
}

// mapView is the map chart's request showing the entities and year of cc,
// for the charts the map can draw: a trade-share's partners, an
// integration-gain's bloc. ok is false for the others.
func (s *Server) mapView(cc *chart.Computed) (chart.Request, bool) {
	m, err := s.charts.Chart(indicators.ChartMap)
	if err != nil {
		return chart.Request{}, false
	}
	given := func(name string) string {
		if v, ok := cc.Params[name]; ok {
			return v
		}
		return cc.Result.Params[name]
	}
	p := indicators.Params{}
	switch cc.Chart.ID() {
	case indicators.ChartTradeShare:
		p["metric"] = indicators.MapTradeShare
		p["partners"] = given("partners")
	case indicators.ChartIntegrationGain:
		p["metric"] = indicators.MapBloc
		p["bloc"] = given("bloc")
		if measure := given("measure"); measure == "population" || measure == "gdp-ppp" {
			p["measure"] = measure
		}
	default:
		return chart.Request{}, false
	}
	for _, name := range []string{"year", "vintage"} {
		if v := cc.Params[name]; v != "" {
			p[name] = v
		}
	}
	return chart.Request{Chart: m, Params: p, Pinned: cc.Pinned}, true
}

// withQuery joins a path and query parts, skipping empty ones.
func withQuery(path string, parts ...string) string {
	var q []string
	for _, p := range parts {
		if p != "" {
			q = append(q, p)
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + strings.Join(q, "&")
}

// control is one form control of a chart page.
type control struct {
	Name, Label, Help string
	Widget            string // select | number | text
	Multiple          bool
	Value             string
	Placeholder       string
	Pattern           string
	Step              string
	Groups            []optionGroup
	Summary           string // the chosen values of a multi-select, in words
	// When names the parameter and value the control applies under (a map's
	// partners only with metric=trade-share), from the "(name=value)" its
	// help ends with; Applies says whether it applies to the chart shown.
	WhenName, WhenValue string
	Applies             bool
}

// appliesWhen reads the condition a parameter's help ends with:
// "partners to highlight (metric=trade-share)" applies with metric=trade-share.
func appliesWhen(help string) (name, value string, ok bool) {
	rest, found := strings.CutSuffix(help, ")")
	if !found {
		return "", "", false
	}
	i := strings.LastIndex(rest, "(")
	if i < 0 {
		return "", "", false
	}
	name, value, ok = strings.Cut(rest[i+1:], "=")
	if !ok || name == "" || value == "" || strings.ContainsAny(name+value, " ,") {
		return "", "", false
	}
	return name, value, true
}

type optionGroup struct {
	Label   string
	Options []choice
}

type choice struct {
	Value, Label string
	Selected     bool
	// Kind says what an entity choice is (group, country or aggregate), for
	// the entity picker, which offers aggregates only when asked; "" for the
	// choices of other controls.
	Kind string
}

// Kinds of entity choices.
const (
	choiceGroup     = "group"
	choiceCountry   = "country"
	choiceAggregate = "aggregate"
)

// controls builds the form for every parameter of the chart, with choices taken
// from the data (years, countries, partners, indicators) and the country groups.
func (s *Server) controls(ctx context.Context, cc *chart.Computed) ([]control, error) {
	q, err := cc.Chart.Query(cc.Params)
	if err != nil {
		q, _ = cc.Chart.Query(indicators.Params{})
	}
	// Reporters come from all the data; years, periods and partners from the
	// data of the reporters the chart reads, so every choice offered has figures.
	all, err := s.facetFor(ctx, cc.Latest, q.Indicators, nil)
	if err != nil {
		return nil, err
	}
	f, err := s.facetFor(ctx, cc.Latest, q.Indicators, q.Countries)
	if err != nil {
		return nil, err
	}
	var out []control
	for _, spec := range cc.Chart.Params() {
		requested, given := cc.Params[spec.Name]
		value := requested
		if !given {
			value = spec.Default
		}
		ctl := control{Name: spec.Name, Label: labelOf(spec.Name), Help: spec.Help, Value: value, Applies: true}
		if name, want, ok := appliesWhen(spec.Help); ok {
			ctl.WhenName, ctl.WhenValue = name, want
			ctl.Applies = strings.EqualFold(cc.Result.Params[name], want)
		}
		switch spec.Kind {
		case "year":
			ctl.Widget = "select"
			ctl.Groups = []optionGroup{{Options: yearOptions(f.years, requested, cc.Result.Params[spec.Name])}}
		case "countries":
			ctl.Widget, ctl.Multiple = "select", true
			ctl.Groups = countryOptions(countryFacet(spec.Name, all, f), value, true)
			ctl.Summary = selectedSummary(ctl.Groups)
		case "country":
			ctl.Widget = "select"
			groups := countryOptions(countryFacet(spec.Name, all, f), value, false)
			none := optionGroup{Options: []choice{{Value: "", Label: "(none)", Selected: value == ""}}}
			ctl.Groups = append([]optionGroup{none}, groups...)
		case "enum":
			ctl.Widget = "select"
			ctl.Groups = []optionGroup{{Options: plainOptions(spec.Options, value, false)}}
		case "indicator":
			codes, err := s.indicatorCodes(ctx, cc.Latest)
			if err != nil {
				return nil, err
			}
			if value == "" {
				value = cc.Result.Params[spec.Name]
			}
			ctl.Widget = "select"
			ctl.Groups = []optionGroup{{Options: indicatorOptions(plainOptions(codes, value, true))}}
		case "period":
			ctl.Widget = "select"
			opts := []choice{{Value: "", Label: "(all)", Selected: value == ""}}
			ctl.Groups = []optionGroup{{Options: append(opts, plainOptions(periodChoices(f), value, true)...)}}
		case "vintage":
			ctl.Widget = "select"
			opts := []choice{{Value: "", Label: "Newest of each figure", Selected: value == ""}}
			ctl.Groups = []optionGroup{{Options: append(opts, plainOptions(cc.Result.VintagesAvailable, value, true)...)}}
		case "int":
			ctl.Widget, ctl.Step = "number", "1"
		case "number":
			ctl.Widget, ctl.Step = "number", "any"
		default:
			ctl.Widget = "text"
		}
		out = append(out, ctl)
	}
	return out, nil
}

// labelOf turns a parameter name into a label ("destinations" → "Destinations").
func labelOf(name string) string {
	if name == "" {
		return ""
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// countryFacet picks the partners of the chart's reporters for partner-like
// parameters, every reporter otherwise.
func countryFacet(name string, all, reporters *facet) []string {
	if strings.Contains(name, "partner") || strings.Contains(name, "destination") {
		return reporters.partners
	}
	return all.countries
}

func yearOptions(years []int, requested, resolved string) []choice {
	latest := "Latest"
	if resolved != "" && requested == "" {
		latest += " (" + resolved + ")"
	}
	opts := []choice{{Value: "", Label: latest, Selected: requested == ""}}
	found := requested == ""
	for i := len(years) - 1; i >= 0; i-- {
		y := strconv.Itoa(years[i])
		opts = append(opts, choice{Value: y, Label: y, Selected: y == requested})
		found = found || y == requested
	}
	if !found {
		opts = append(opts, choice{Value: requested, Label: requested, Selected: true})
	}
	return opts
}

// countryOptions offers the groups, then the countries in the data, then the
// aggregates and residual lines (World, regions, income groups, "Asia not
// specified"), with the chosen ones selected; a chosen code absent from the
// data is still offered, so the form round-trips the URL.
func countryOptions(codes []string, value string, withGroups bool) []optionGroup {
	chosen := map[string]bool{}
	for _, v := range strings.Split(value, ",") {
		if v = strings.TrimSpace(v); v != "" {
			chosen[strings.ToUpper(v)] = true
		}
	}
	var groups []optionGroup
	if withGroups {
		g := optionGroup{Label: "Groups"}
		for _, grp := range indicators.Groups() {
			g.Options = append(g.Options, choice{Value: grp.Name, Label: grp.Name + " — " + grp.Title, Selected: chosen[strings.ToUpper(grp.Name)], Kind: choiceGroup})
			delete(chosen, strings.ToUpper(grp.Name))
		}
		groups = append(groups, g)
	}
	all := slices.Clone(codes)
	for code := range chosen {
		if !slices.Contains(all, code) {
			all = append(all, code)
		}
	}
	reg := indicators.DefaultCountries()
	c := optionGroup{Label: "Countries"}
	agg := optionGroup{Label: "Aggregates and residual lines"}
	for _, code := range all {
		o := choice{Value: code, Label: reg.Name(code) + " (" + code + ")", Selected: chosen[code], Kind: choiceCountry}
		if reg.IsAggregate(code) {
			o.Kind = choiceAggregate
			agg.Options = append(agg.Options, o)
			continue
		}
		c.Options = append(c.Options, o)
	}
	for _, g := range []*optionGroup{&c, &agg} {
		slices.SortStableFunc(g.Options, func(a, b choice) int { return strings.Compare(a.Label, b.Label) })
	}
	groups = append(groups, c)
	if len(agg.Options) > 0 {
		groups = append(groups, agg)
	}
	return groups
}

func plainOptions(values []string, value string, addMissing bool) []choice {
	var opts []choice
	found := false
	for _, v := range values {
		sel := strings.EqualFold(v, value)
		found = found || sel
		opts = append(opts, choice{Value: v, Label: v, Selected: sel})
	}
	if addMissing && !found && value != "" {
		opts = append(opts, choice{Value: value, Label: value, Selected: true})
	}
	return opts
}

// indicatorOptions names the indicators the catalogue knows ("Population,
// total (SP.POP.TOTL)"), sorted by name; unknown codes stay as they are.
func indicatorOptions(opts []choice) []choice {
	for i, o := range opts {
		if ind := indicators.LookupIndicator(o.Value); ind.Known {
			opts[i].Label = ind.Name + " (" + o.Value + ")"
		}
	}
	slices.SortStableFunc(opts, func(a, b choice) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) })
	return opts
}

// periodChoices are the years and the sub-annual periods in the data, in order.
func periodChoices(f *facet) []string {
	var out []string
	seen := map[string]bool{}
	for _, y := range f.years {
		out = append(out, strconv.Itoa(y))
		seen[strconv.Itoa(y)] = true
	}
	for _, p := range f.periods {
		if !seen[p] {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		return indicators.MustPeriod(a).Compare(indicators.MustPeriod(b))
	})
	return out
}

// parseQueryList splits a comma list from a query value.
func parseQueryList(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

// selectedSummary names the chosen options of a long multi-select, which the
// list itself may have scrolled out of view.
func selectedSummary(groups []optionGroup) string {
	var names []string
	for _, g := range groups {
		for _, o := range g.Options {
			if o.Selected {
				names = append(names, o.Value)
			}
		}
	}
	if len(names) == 0 {
		return "none selected"
	}
	return "selected: " + strings.Join(names, ", ")
}

// scriptJSON makes option JSON embeddable in <script type="application/json">:
// json.Marshal already escaped '<', '>' and '&', so the text cannot close the
// element; the check guards that invariant.
func scriptJSON(b json.RawMessage) template.JS {
	if bytes.ContainsAny(b, "<>") {
		b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("<"), []byte(`\u003c`)), []byte(">"), []byte(`\u003e`))
	}
	return template.JS(b)
}

package dashboard

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/indicators"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageTemplates are the parsed page templates: every templates/NAME.html other
// than the layout is a page named NAME whose "content" block goes into the layout
// (embed.html defines its own document).
type pageTemplates struct {
	byName map[string]*template.Template
}

// page returns the page template named name.
func (p *pageTemplates) page(name string) (*template.Template, error) {
	t, ok := p.byName[name]
	if !ok {
		return nil, fmt.Errorf("no page template %q", name)
	}
	return t, nil
}

// parseTemplates parses the embedded templates with the asset and formatting
// functions, one set per page so each can define its own "content" block.
func parseTemplates(a *assetTable) (*pageTemplates, error) {
	funcs := template.FuncMap{
		"asset":     a.URL,
		"cell":      tableCell,
		"chartName": chartName,
	}
	base, err := template.New("base").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pageTemplates{byName: map[string]*template.Template{}}
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" {
			continue
		}
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFS, file)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		p.byName[name] = t
	}
	for _, required := range []string{"index", "chart", "embed", "error"} {
		if _, err := p.page(required); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// renderTemplate executes a template into memory first, so a template error becomes a
// clean 500 instead of a half-written page.
func renderTemplate(t *template.Template, name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// tableCell renders one cell of a result table: text escaped, numbers
// right-aligned, missing values named as missing (never shown as 0).
func tableCell(v any) template.HTML {
	switch x := v.(type) {
	case nil:
		return `<td class="missing">no data</td>`
	case string:
		return template.HTML("<td>" + html.EscapeString(x) + "</td>")
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return `<td class="missing">no data</td>`
		}
		return numberCell(x)
	case int:
		return numberCell(float64(x))
	case int64:
		return numberCell(float64(x))
	}
	return template.HTML("<td>" + html.EscapeString(fmt.Sprint(v)) + "</td>")
}

// numberCell is a number's cell; data-v keeps the exact value, which the page's
// script formats in the reader's number style (Intl.NumberFormat).
func numberCell(x float64) template.HTML {
	return template.HTML(`<td class="num" data-v="` + strconv.FormatFloat(x, 'g', -1, 64) + `">` + indicators.FormatNumber(x) + "</td>")
}

// navItem is one link of the site navigation.
type navItem struct {
	URL, Label string
	Current    bool
}

// pageData is what the layout and every page template receive.
type pageData struct {
	Title       string
	Nav         []navItem
	Account     *accountView
	DataVersion int64

	View   *chartView   // chart and embed pages
	Charts []*chartView // index
	Claims []claimCard  // index: the claims lead
	Failed []failedChart

	Status     int // error page
	StatusText string
	Message    string
	Details    []indicators.ImportProblem

	// Data is the page-specific data of pages rendered with renderData.
	Data any
}

// failedChart is a headline chart that could not be computed (e.g. no data yet).
type failedChart struct{ Title, Message string }

// renderErrorPage writes the HTML error page; it falls back to plain text if even
// that fails.
func (s *Server) renderErrorPage(c echo.Context, ae appError) error {
	v, _ := s.charts.DataVersion(c.Request().Context())
	t, err := s.pages.page("error")
	if err != nil {
		return err
	}
	body, err := renderTemplate(t, "layout", pageData{
		Title:       http.StatusText(ae.status),
		Nav:         s.nav(c.Request().URL.Path),
		Account:     s.accountOf(c),
		DataVersion: v,
		Status:      ae.status,
		StatusText:  http.StatusText(ae.status),
		Message:     ae.message,
		Details:     ae.details,
	})
	if err != nil {
		s.log.Error("error page", "err", err)
		return c.String(ae.status, ae.message)
	}
	return c.HTMLBlob(ae.status, body)
}

// renderData renders the page template named name (templates/NAME.html, whose
// "content" block sees the page data as .Data) inside the layout, with status.
// Pages added by later features (login, upload, datasets, jobs) use it.
func (s *Server) renderData(c echo.Context, status int, name, title string, data any) error {
	t, err := s.pages.page(name)
	if err != nil {
		return err
	}
	v, err := s.charts.DataVersion(c.Request().Context())
	if err != nil {
		return err
	}
	body, err := renderTemplate(t, "layout", pageData{Title: title, Nav: s.nav(c.Request().URL.Path), Account: s.accountOf(c), DataVersion: v, Data: data})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, body)
}

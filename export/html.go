package export

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"strings"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/render"
)

//go:embed snapshot.html.tmpl
var snapshotHTML string

// htmlCell is a data table cell; numbers are right-aligned.
type htmlCell struct {
	Text   string
	Number bool
}

// htmlCitation is a source as the page prints it: the citation, its link as
// text without the scheme, and the source texts behind a disclosure.
type htmlCitation struct {
	Text, Link, Retrieved string
	Details               []string
}

// htmlPage is the data of snapshot.html.tmpl.
type htmlPage struct {
	Title, Subtitle, Statement, Footer string
	Coverage                           []string
	Citations                          []htmlCitation
	Columns                            []string
	Rows                               [][]htmlCell
	Width, Height                      int
	Dark                               bool
	ECharts                            template.JS
	Option                             template.JS
	// Atlas (the projected shapes of the map MapName) is inlined only for
	// charts drawn on a map.
	Atlas   template.JS
	MapName string
}

// writeHTML writes one self-contained page: ECharts and the option inlined, the
// title, subtitle, footer and the data table as text; no external URL at all. The
// permalink is printed without its scheme (clout.example.org/charts/...), as text.
func (e *Exporter) writeHTML(w io.Writer, s Snapshot, img Image) error {
	tmpl, err := template.New("snapshot").Parse(snapshotHTML)
	if err != nil {
		return err
	}
	// Sanitize re-encodes with encoding/json, which escapes <, >, &, U+2028 and
	// U+2029: the JSON cannot end the script element or break the JS string rules.
	opt, err := withoutTitle(s.Option)
	if err != nil {
		return err
	}
	for name, js := range map[string][]byte{"echarts.min.js": e.echartsJS} {
		if bytes.Contains(bytes.ToLower(js), []byte("</script")) {
			return errors.New(name + " contains </script and cannot be inlined")
		}
	}
	r := s.Result
	page := htmlPage{
		Title: r.Title, Subtitle: r.Subtitle, Statement: r.Statement, Coverage: r.Coverage,
		Footer: footer(s, withoutScheme(s.Permalink)),
		Width:  img.Size.Width, Height: img.Size.Height, Dark: img.Theme == render.Dark,
		ECharts: template.JS(e.echartsJS), Option: template.JS(opt),
	}
	if name := mapName(opt); name != "" {
		atlas, err := e.r.Atlas()
		if err != nil {
			return err
		}
		if geo, ok := atlas.GeoJSON(name); ok {
			page.Atlas, page.MapName = template.JS(geo), name // json.Marshal escaped <, > and &
		}
	}
	for _, c := range citationsOf(r) {
		page.Citations = append(page.Citations, htmlCitation{Text: c.Text(), Link: withoutScheme(c.URL), Retrieved: c.Retrieved, Details: c.Details})
	}
	for _, c := range r.Table.Columns {
		page.Columns = append(page.Columns, columnTitle(c))
	}
	for _, row := range r.Table.Rows {
		cells := make([]htmlCell, len(row))
		for i, v := range row {
			_, isText := v.(string)
			cells[i] = htmlCell{Text: displayCell(v), Number: v != nil && !isText}
		}
		page.Rows = append(page.Rows, cells)
	}
	return tmpl.Execute(w, page)
}

// displayCell writes a table cell for readers: numbers in the one number
// style of every page (indicators.FormatNumber), missing as "no data".
func displayCell(v any) string {
	switch t := v.(type) {
	case nil:
		return "no data"
	case float64:
		return indicators.FormatNumber(t)
	case int:
		return indicators.FormatNumber(float64(t))
	case int64:
		return indicators.FormatNumber(float64(t))
	}
	return cellText(v)
}

// withoutTitle sanitises the option and hides its title: the page shows the title
// as its heading, as the dashboard's pages do.
func withoutTitle(option json.RawMessage) (json.RawMessage, error) {
	opt, err := render.Sanitize(option)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(opt, &m); err != nil {
		return nil, err
	}
	m["title"] = json.RawMessage(`{"show":false}`)
	return json.Marshal(m)
}

// mapName returns the name of the map the option draws on ("" if none).
func mapName(option []byte) string {
	var o struct {
		Geo    json.RawMessage `json:"geo"`
		Series json.RawMessage `json:"series"`
	}
	if json.Unmarshal(option, &o) != nil {
		return ""
	}
	type named struct {
		Type string `json:"type"`
		Map  string `json:"map"`
	}
	var series []named
	if json.Unmarshal(o.Series, &series) != nil {
		var one named
		_ = json.Unmarshal(o.Series, &one)
		series = append(series, one)
	}
	var geo named
	if json.Unmarshal(o.Geo, &geo) == nil && geo.Map != "" {
		return geo.Map
	}
	for _, s := range series {
		if s.Type == "map" && s.Map != "" {
			return s.Map
		}
	}
	return ""
}

// withoutScheme drops "https://" or "http://" so the page holds no URL a browser
// would follow or fetch.
func withoutScheme(u string) string {
	for _, p := range []string{"https://", "http://"} {
		if strings.HasPrefix(strings.ToLower(u), p) {
			return u[len(p):]
		}
	}
	return u
}

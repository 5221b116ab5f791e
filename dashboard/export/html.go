package export

import (
	"bytes"
	_ "embed"
	"errors"
	"html/template"
	"io"
	"strings"

	"github.com/clout-dev/clout/dashboard/render"
)

//go:embed snapshot.html.tmpl
var snapshotHTML string

// htmlPage is the data of snapshot.html.tmpl.
type htmlPage struct {
	Title, Subtitle, Statement, Footer string
	Coverage                           []string
	Columns                            []string
	Rows                               [][]string
	Width, Height                      int
	Dark                               bool
	ECharts                            template.JS
	Option                             template.JS
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
	opt, err := render.Sanitize(s.Option)
	if err != nil {
		return err
	}
	if bytes.Contains(bytes.ToLower(e.echartsJS), []byte("</script")) {
		return errors.New("echarts.min.js contains </script and cannot be inlined")
	}
	r := s.Result
	page := htmlPage{
		Title: r.Title, Subtitle: r.Subtitle, Statement: r.Statement, Coverage: r.Coverage,
		Footer: footer(s, withoutScheme(s.Permalink)),
		Width:  img.Size.Width, Height: img.Size.Height, Dark: img.Theme == render.Dark,
		ECharts: template.JS(e.echartsJS), Option: template.JS(opt),
	}
	for _, c := range r.Table.Columns {
		page.Columns = append(page.Columns, columnTitle(c))
	}
	for _, row := range r.Table.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = cellText(v)
		}
		page.Rows = append(page.Rows, cells)
	}
	return tmpl.Execute(w, page)
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

package export

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clout-dev/clout/assets"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/render"
)

// Format is a snapshot file format.
type Format string

// Formats, named as in the snapshot URLs (/charts/:id/snapshot.png).
const (
	PNG  Format = "png"
	SVG  Format = "svg"
	CSV  Format = "csv"
	XLSX Format = "xlsx"
	HTML Format = "html"
	JSON Format = "json"
	// OWID is Our World in Data's grapher CSV (Entity, Code, Year, values),
	// named so that the snapshot URL ends in .owid.csv.
	OWID Format = "owid.csv"
)

// Formats lists every format.
func Formats() []Format { return []Format{PNG, SVG, CSV, XLSX, HTML, JSON, OWID} }

// contentTypes is read-only.
var contentTypes = map[Format]string{
	PNG:  "image/png",
	SVG:  "image/svg+xml",
	CSV:  "text/csv; charset=utf-8",
	XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	HTML: "text/html; charset=utf-8",
	JSON: "application/json",
	OWID: "text/csv; charset=utf-8",
}

// ParseFormat returns the format named s; an unknown name is EINVALID.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimPrefix(s, ".")))
	if f == "owid-csv" || f == "owid" {
		f = OWID
	}
	if _, ok := contentTypes[f]; !ok {
		return "", indicators.Errorf(indicators.EINVALID, "format: %q is not one of %s", s, FormatNames())
	}
	return f, nil
}

// FormatNames lists the formats as their file extensions: "png, svg, …".
func FormatNames() string {
	names := make([]string, 0, len(contentTypes))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// labels are the formats' names for readers (download links).
var labels = map[Format]string{PNG: "PNG", SVG: "SVG", CSV: "CSV", XLSX: "Excel", HTML: "HTML", JSON: "JSON", OWID: "OWID CSV"}

// Label is the format's name for readers: "Excel" for xlsx.
func (f Format) Label() string { return labels[f] }

// ContentType returns the MIME type of the format.
func (f Format) ContentType() string { return contentTypes[f] }

// IsImage reports whether the format is drawn (and takes width, height, theme).
func (f Format) IsImage() bool { return f == PNG || f == SVG }

// Snapshot is what an export is made of.
type Snapshot struct {
	// Result is the computed chart (title, subtitle, table, sources, data version).
	Result *indicators.Result
	// Option is the ECharts option the chart's builder made from Result.
	Option json.RawMessage
	// Permalink is the chart page's URL with its parameters.
	Permalink string
	// Time is the export time.
	Time time.Time
}

// Image are the drawing parameters of PNG and SVG exports (HTML uses Size and Theme).
type Image struct {
	Size  render.Size
	Scale int // PNG only
	Theme render.Theme
}

// DefaultImage is what an image export uses when the request names nothing.
func DefaultImage() Image {
	return Image{Size: render.Size{Width: 1200, Height: 675}, Scale: 1, Theme: render.Light}
}

// Exporter writes snapshots. It is safe for concurrent use.
type Exporter struct {
	r         *render.Renderer
	echartsJS []byte
}

// New returns an Exporter drawing images with r.
func New(r *render.Renderer) *Exporter {
	return &Exporter{r: r, echartsJS: assets.MustRead(assets.EChartsJS)}
}

// Write writes s in format f to w. img applies to PNG, SVG and HTML; its bounds
// are checked (EINVALID naming the parameter).
func (e *Exporter) Write(ctx context.Context, w io.Writer, f Format, s Snapshot, img Image) error {
	if s.Result == nil {
		return fmt.Errorf("export %s: no result", f)
	}
	var err error
	switch f {
	case PNG, SVG:
		err = e.writeImage(ctx, w, f, s, img)
	case CSV:
		err = writeCSV(w, s)
	case XLSX:
		err = writeXLSX(w, s)
	case HTML:
		err = e.writeHTML(w, s, img)
	case JSON:
		err = writeJSON(w, s)
	case OWID:
		err = writeOWID(w, s)
	default:
		_, err = ParseFormat(string(f))
	}
	if err != nil {
		return fmt.Errorf("export %s %s: %w", s.Result.Chart, f, err)
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^a-z0-9]+`)

// FileName returns the download name of a snapshot: chart id, the year or period
// parameters, and the data version, e.g. "trade-share-2020-v17.png".
func FileName(res *indicators.Result, f Format) string {
	parts := []string{res.Chart}
	for _, k := range []string{"year", "from", "to"} {
		if v := res.Params[k]; v != "" {
			parts = append(parts, v)
		}
	}
	if res.DataVersion > 0 {
		parts = append(parts, fmt.Sprintf("v%d", res.DataVersion))
	}
	name := unsafeName.ReplaceAllString(strings.ToLower(strings.Join(parts, "-")), "-")
	name = strings.Trim(name, "-")
	if name == "" {
		name = "chart"
	}
	return name + "." + string(f)
}

// footer is the provenance line drawn under images and printed in HTML.
func footer(s Snapshot, permalink string) string {
	sources, stamp := footerLines(s, permalink)
	return strings.Join(slices.DeleteFunc([]string{sources, stamp}, func(l string) bool { return l == "" }), footerSeparator)
}

// footerLines returns the provenance of a snapshot as two lines: its sources, and
// its data version, date and permalink. Images draw them apart, so a long list of
// sources can be cut short without losing the version and date.
func footerLines(s Snapshot, permalink string) (sources, stamp string) {
	return CaptionOf(s.Result, permalink).Lines(s.Time)
}

// Caption is the text an image is captioned with: the title and subtitle drawn
// above the chart and the provenance drawn below it. The dashboard hands it to
// the browser, which captions the chart it drew with the same words.
type Caption struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle"`
	// Sources is the first footer line ("Source: IMF, Direction of Trade
	// Statistics (Russia-reported); …"), each publication once, empty without
	// sources; Citations are those publications in full (links, details).
	Sources   string                `json:"sources"`
	Citations []indicators.Citation `json:"citations"`
	// Stamp are the parts of the second footer line that come before the date
	// (data version, vintage); the date and Permalink follow, joined by Separator.
	Stamp     []string `json:"stamp"`
	Permalink string   `json:"permalink"`
	Separator string   `json:"separator"`
}

// footerSeparator joins the parts of a footer line.
const footerSeparator = "  ·  "

// CaptionOf returns the caption of a result linked to permalink.
func CaptionOf(res *indicators.Result, permalink string) Caption {
	c := Caption{Title: res.Title, Subtitle: res.Subtitle, Stamp: []string{}, Permalink: permalink, Separator: footerSeparator,
		Citations: citationsOf(res)}
	if len(c.Citations) > 0 {
		texts := make([]string, len(c.Citations))
		for i, ct := range c.Citations {
			texts[i] = ct.Text()
		}
		c.Sources = "Source: " + strings.Join(texts, "; ")
	}
	if res.DataVersion > 0 {
		c.Stamp = append(c.Stamp, fmt.Sprintf("Data version %d", res.DataVersion))
	}
	if v := res.VintageNote(); v != "" {
		c.Stamp = append(c.Stamp, v)
	}
	return c
}

// citationsOf cites the result's sources. They are cited afresh rather than
// read from res.Citations: the sources are what option.Sanitize cleans of
// go-echarts' function marker, and images draw captions into an option.
func citationsOf(res *indicators.Result) []indicators.Citation {
	return append([]indicators.Citation{}, indicators.Cite(res.Sources)...)
}

// Lines returns the two footer lines of the caption for an export made at t
// (no date when t is zero).
func (c Caption) Lines(t time.Time) (sources, stamp string) {
	parts := slices.Clone(c.Stamp)
	if !t.IsZero() {
		parts = append(parts, t.UTC().Format(time.DateOnly))
	}
	if c.Permalink != "" {
		parts = append(parts, c.Permalink)
	}
	return c.Sources, strings.Join(parts, footerSeparator)
}

// writeJSON writes {"option": ..., "result": ...}; the option is sanitised of
// go-echarts' function marker like every other export.
func writeJSON(w io.Writer, s Snapshot) error {
	opt, err := render.Sanitize(s.Option)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Option    json.RawMessage    `json:"option"`
		Result    *indicators.Result `json:"result"`
		Permalink string             `json:"permalink,omitempty"`
		Exported  time.Time          `json:"exported"`
	}{opt, s.Result, s.Permalink, s.Time.UTC()})
}

// ParseImage reads the image parameters width, height, scale and theme through get
// (url.Values.Get, or a Params lookup), defaulting to DefaultImage, and checks
// their bounds: a bad value is EINVALID naming the parameter.
func ParseImage(get func(name string) string) (Image, error) {
	img := DefaultImage()
	for _, p := range []struct {
		name string
		dst  *int
	}{{"width", &img.Size.Width}, {"height", &img.Size.Height}, {"scale", &img.Scale}} {
		s := get(p.name)
		if s == "" {
			continue
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			return Image{}, indicators.Errorf(indicators.EINVALID, "%s: %q is not a whole number", p.name, s)
		}
		*p.dst = v
	}
	theme, err := render.ParseTheme(get("theme"))
	if err != nil {
		return Image{}, err
	}
	img.Theme = theme
	if err := img.Size.Validate(); err != nil {
		return Image{}, err
	}
	if err := img.Size.ValidateScale(img.Scale); err != nil {
		return Image{}, err
	}
	return img, nil
}

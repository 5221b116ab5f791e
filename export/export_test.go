package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/render"
)

// MustExporter returns an Exporter over a real Renderer.
func MustExporter(tb testing.TB) *export.Exporter {
	tb.Helper()
	r, err := render.New(render.Options{Runtimes: 2})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = r.Close() })
	return export.New(r)
}

// snapshot is a trade-share-like chart whose labels include hostile text.
func snapshot(tb testing.TB) export.Snapshot {
	tb.Helper()
	res := &indicators.Result{
		Chart:    "trade-share",
		Title:    "Partners' share of Russia's trade",
		Subtitle: "2020, Turkey and Azerbaijan highlighted, threshold 5%",
		Params:   indicators.Params{"year": "2020", "partners": "TUR,AZE"},
		Table: indicators.Table{
			Columns: []indicators.Column{{Name: "Partner"}, {Name: "Share", Unit: "%"}, {Name: "Change", Unit: "%"}},
			Rows: [][]any{
				{"Turkey", 4.5, -1.25},
				{"Россия", 3.0, nil},
				{"=HYPERLINK(\"http://evil\")", 2.0, -3.0},
				{"</script><script>alert(1)</script>", 1.5, 0.5},
				{"-2+3", 1.0, 2.0},
				{"@SUM(A1)", 0.5, -0.5},
			},
		},
		Sources:     []string{"IMF DOTS"},
		DataVersion: 17,
	}
	labels := []string{}
	values := []float64{}
	for _, r := range res.Table.Rows {
		labels = append(labels, r[0].(string))
		values = append(values, r[1].(float64))
	}
	labels = append(labels, "__f__alert(2)__f__")
	values = append(values, 0.2)
	opt, err := json.Marshal(map[string]any{
		"legend": map[string]any{"data": []string{"Share"}},
		"xAxis":  map[string]any{"type": "category", "data": labels, "axisLabel": map[string]any{"interval": 0, "rotate": 30}},
		"yAxis":  map[string]any{"type": "value"},
		"series": []any{map[string]any{"type": "bar", "name": "Share", "data": values}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return export.Snapshot{
		Result: res, Option: opt,
		Permalink: "https://clout.example.org/charts/trade-share?year=2020&partners=TUR,AZE",
		Time:      time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
	}
}

// MustWrite exports s in format f.
func MustWrite(tb testing.TB, e *export.Exporter, f export.Format, s export.Snapshot, img export.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := e.Write(context.Background(), &buf, f, s, img); err != nil {
		tb.Fatalf("Write %s: %v", f, err)
	}
	return buf.Bytes()
}

func TestPNG(t *testing.T) {
	e := MustExporter(t)
	img := export.Image{Size: render.Size{Width: 900, Height: 500}, Scale: 2, Theme: render.Dark}
	b := MustWrite(t, e, export.PNG, snapshot(t), img)
	p, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Bounds().Size(); got.X != 1800 || got.Y != 1000 {
		t.Fatalf("PNG is %v, want 1800x1000", got)
	}
}

func TestSVG(t *testing.T) {
	e := MustExporter(t)
	s := snapshot(t)
	svg := string(MustWrite(t, e, export.SVG, s, export.DefaultImage()))
	for _, want := range []string{
		"Partners&#39; share of Russia&#39;s trade", // ECharts escapes ' too
		"2020, Turkey and Azerbaijan highlighted",
		">Source: IMF DOTS<",
		">Data version 17  ·  2026-11-25  ·  https://clout.example.org/charts/trade-share?year=2020&amp;partners=TUR,AZE<",
		"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
		">alert(2)<",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "__f__"} {
		if strings.Contains(strings.ToLower(svg), bad) {
			t.Errorf("SVG contains %q", bad)
		}
	}
}

func TestCSV(t *testing.T) {
	e := MustExporter(t)
	b := MustWrite(t, e, export.CSV, snapshot(t), export.Image{})
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], "|"); got != "Partner|Share (%)|Change (%)" {
		t.Fatalf("header = %q", got)
	}
	for _, tc := range []struct {
		name     string
		row, col int
		want     string
		isNumber bool
	}{
		{"negative number stays a number", 1, 2, "-1.25", true},
		{"missing is empty", 2, 2, "", false},
		{"Cyrillic as is", 2, 0, "Россия", false},
		{"formula neutralised", 3, 0, `'=HYPERLINK("http://evil")`, false},
		{"minus text neutralised", 5, 0, "'-2+3", false},
		{"at neutralised", 6, 0, "'@SUM(A1)", false},
		{"negative number in a formula row", 3, 2, "-3", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := recs[tc.row][tc.col]
			if got != tc.want {
				t.Fatalf("cell (%d,%d) = %q, want %q", tc.row, tc.col, got, tc.want)
			}
			if _, err := strconv.ParseFloat(got, 64); (err == nil) != tc.isNumber {
				t.Fatalf("cell %q number = %v, want %v", got, err == nil, tc.isNumber)
			}
		})
	}
	// Provenance after an empty row, each line a comment.
	tail := string(b[bytes.Index(b, []byte("\n\n"))+2:])
	for _, want := range []string{"# Source: IMF DOTS", "# Data version: 17", "# Permalink: https://clout.example.org/", "# Parameter year: 2020"} {
		if !strings.Contains(tail, want) {
			t.Errorf("CSV provenance lacks %q:\n%s", want, tail)
		}
	}
}

func TestXLSX(t *testing.T) {
	e := MustExporter(t)
	b := MustWrite(t, e, export.XLSX, snapshot(t), export.Image{})
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Data,About" {
		t.Fatalf("sheets = %s", got)
	}
	for _, tc := range []struct {
		name, sheet, cell, want string
		typ                     excelize.CellType
	}{
		{"header with unit", "Data", "B1", "Share (%)", excelize.CellTypeSharedString},
		{"number", "Data", "B2", "4.5", excelize.CellTypeUnset},
		{"negative number", "Data", "C2", "-1.25", excelize.CellTypeUnset},
		{"formula text is a string", "Data", "A4", `=HYPERLINK("http://evil")`, excelize.CellTypeSharedString},
		{"at text is a string", "Data", "A7", "@SUM(A1)", excelize.CellTypeSharedString},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := f.GetCellValue(tc.sheet, tc.cell)
			if err != nil || v != tc.want {
				t.Fatalf("%s!%s = %q (%v), want %q", tc.sheet, tc.cell, v, err, tc.want)
			}
			typ, _ := f.GetCellType(tc.sheet, tc.cell)
			if typ != tc.typ {
				t.Errorf("%s!%s type %v, want %v", tc.sheet, tc.cell, typ, tc.typ)
			}
			if formula, _ := f.GetCellFormula(tc.sheet, tc.cell); formula != "" {
				t.Errorf("%s!%s has formula %q", tc.sheet, tc.cell, formula)
			}
		})
	}
	about, _ := f.GetRows("About")
	aboutText := ""
	for _, r := range about {
		aboutText += strings.Join(r, "=") + "\n"
	}
	for _, want := range []string{"Title=Partners' share", "Source=IMF DOTS", "Data version=17", "Permalink=https://clout.example.org/", "Exported=2026-11-25 12:00:00 UTC", "Parameter partners=TUR,AZE"} {
		if !strings.Contains(aboutText, want) {
			t.Errorf("About lacks %q:\n%s", want, aboutText)
		}
	}
	panes, _ := f.GetPanes("Data")
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("Data header not frozen: %+v", panes)
	}
	// excelize cannot read charts back: look in the package.
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var charts []string
	for _, zf := range z.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts = append(charts, zf.Name)
			rc, _ := zf.Open()
			var x bytes.Buffer
			_, _ = x.ReadFrom(rc)
			rc.Close()
			for _, want := range []string{"barChart>", "Data!$B$2:$B$7", "Data!$A$2:$A$7", "Data!$C$2:$C$7"} {
				if !strings.Contains(x.String(), want) {
					t.Errorf("%s lacks %q", zf.Name, want)
				}
			}
		}
	}
	if len(charts) != 1 {
		t.Fatalf("charts = %v, want exactly one", charts)
	}
}

func TestHTML(t *testing.T) {
	e := MustExporter(t)
	html := string(MustWrite(t, e, export.HTML, snapshot(t), export.DefaultImage()))
	if m := regexp.MustCompile(`(?i)(src|href|action)\s*=\s*["']?\s*(https?:)?//`).FindString(html); m != "" {
		t.Errorf("HTML references an external URL: %q", m)
	}
	if regexp.MustCompile(`(?i)url\(\s*["']?https?:`).MatchString(html) {
		t.Error("HTML CSS references an external URL")
	}
	for _, want := range []string{
		"echarts.init(", "setOption(", `.version="6.1.0"`, // ECharts inlined
		"clout.example.org/charts/trade-share?year=2020", // permalink without scheme, as text
		"Partners&#39; share of Russia&#39;s trade",
		"<td>Россия</td>", `<td class="n">−1.25</td>`, "<td>no data</td>", "<li>IMF DOTS", `"title":{"show":false}`,
		"<td>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td>",
		`\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e`, // in the option JSON
		`"alert(2)"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"https://clout", "__f__", "<script>alert", "<script src"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if n := strings.Count(html, "<script"); n != 2 {
		t.Errorf("HTML has %d script elements, want 2 (ECharts, the chart)", n)
	}
}

func TestJSON(t *testing.T) {
	e := MustExporter(t)
	b := MustWrite(t, e, export.JSON, snapshot(t), export.Image{})
	var got struct {
		Option map[string]any    `json:"option"`
		Result indicators.Result `json:"result"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Option["series"] == nil || got.Result.DataVersion != 17 || len(got.Result.Table.Rows) != 6 {
		t.Fatalf("JSON = %s", b)
	}
	if bytes.Contains(b, []byte("__f__")) {
		t.Error("JSON keeps the __f__ marker")
	}
}

func TestFileName(t *testing.T) {
	res := &indicators.Result{Chart: "trade-share", Params: indicators.Params{"year": "2020"}, DataVersion: 17}
	for _, tc := range []struct {
		name string
		res  *indicators.Result
		f    export.Format
		want string
	}{
		{"year", res, export.PNG, "trade-share-2020-v17.png"},
		{"period", &indicators.Result{Chart: "gas-exports", Params: indicators.Params{"from": "2015", "to": "2024-06"}, DataVersion: 3}, export.XLSX, "gas-exports-2015-2024-06-v3.xlsx"},
		{"hostile", &indicators.Result{Chart: "series", Params: indicators.Params{"year": "../../etc/passwd"}}, export.CSV, "series-etc-passwd.csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := export.FileName(tc.res, tc.f); got != tc.want {
				t.Fatalf("FileName = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range export.Formats() {
		got, err := export.ParseFormat(string(f))
		if err != nil || got != f || f.ContentType() == "" {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := export.ParseFormat("pdf"); indicators.ErrorCode(err) != indicators.EINVALID {
		t.Errorf("ParseFormat(pdf) = %v, want EINVALID", err)
	}
}

func exportImage() export.Image { return export.DefaultImage() }

func TestParseImage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		q     map[string]string
		want  export.Image
		param string // EINVALID naming it, if set
	}{
		{"defaults", nil, export.DefaultImage(), ""},
		{"all", map[string]string{"width": "800", "height": "450", "scale": "2", "theme": "dark"},
			export.Image{Size: render.Size{Width: 800, Height: 450}, Scale: 2, Theme: render.Dark}, ""},
		{"width not a number", map[string]string{"width": "wide"}, export.Image{}, "width"},
		{"width too small", map[string]string{"width": "100"}, export.Image{}, "width"},
		{"height too big", map[string]string{"height": "4001"}, export.Image{}, "height"},
		{"scale 4", map[string]string{"scale": "4"}, export.Image{}, "scale"},
		{"theme", map[string]string{"theme": "sepia"}, export.Image{}, "theme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := export.ParseImage(func(k string) string { return tc.q[k] })
			if tc.param != "" {
				if indicators.ErrorCode(err) != indicators.EINVALID || !strings.HasPrefix(indicators.ErrorMessage(err), tc.param+":") {
					t.Fatalf("ParseImage = %v, want EINVALID naming %s", err, tc.param)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseImage = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestSVGTextUsesEmbeddedFont checks that every text element of an SVG export names
// the embedded font family, so a browser draws it with the embedded glyphs.
func TestSVGTextUsesEmbeddedFont(t *testing.T) {
	e := MustExporter(t)
	svg := string(MustWrite(t, e, export.SVG, snapshot(t), export.DefaultImage()))
	texts := regexp.MustCompile(`<text[^>]*>`).FindAllString(svg, -1)
	if len(texts) < 10 {
		t.Fatalf("only %d text elements", len(texts))
	}
	for _, tag := range texts {
		if !strings.Contains(tag, "font-family:DejaVu Sans") {
			t.Errorf("text element without the embedded font: %s", tag)
		}
	}
}

// TestCaptionCitesEachPublicationOnce: the DOTS source texts of the seed (one
// per sheet of the IMF file) are one citation in a caption and in the data
// files' metadata, with its link; the texts stay in the citation's details.
func TestCaptionCitesEachPublicationOnce(t *testing.T) {
	res := snapshot(t).Result
	res.Sources = []string{
		"IMF DOTS (Russia-reported), github SamLeBlanc/Direction-of-Trade-Map data/DOTS/DOTS_162.xlsx @a769819d9b25a21a362d6cabfb10f150903f834d sheet 'Exports, FOB', US$ mn x1e6",
		"IMF DOTS (Russia-reported), github SamLeBlanc/Direction-of-Trade-Map data/DOTS/DOTS_162.xlsx @a769819d9b25a21a362d6cabfb10f150903f834d sheet 'Imports, CIF', US$ mn x1e6",
		"Sputnik 2024-04-07 (Sputnik/RIA analysis of FCS and national statistics data; total = FCS) https://sputnikglobe.com/amp/20240407/x.html",
	}
	res.Citations = indicators.Cite(res.Sources)
	c := export.CaptionOf(res, "https://clout.example.org/charts/trade-share?year=2020")
	if want := "Source: IMF, Direction of Trade Statistics (Russia-reported); Sputnik / RIA Novosti, Analyses of customs and national trade statistics"; c.Sources != want {
		t.Errorf("caption sources\n got %q\nwant %q", c.Sources, want)
	}
	if len(c.Citations) != 2 || len(c.Citations[0].Details) != 2 || !strings.HasPrefix(c.Citations[0].URL, "https://data.imf.org/") {
		t.Errorf("caption citations %+v", c.Citations)
	}
	snap := snapshot(t)
	snap.Result = res
	csv := string(MustWrite(t, MustExporter(t), export.CSV, snap, export.Image{}))
	if strings.Count(csv, "# Source: ") != 2 || !strings.Contains(csv, "# Source: IMF, Direction of Trade Statistics (Russia-reported) <https://data.imf.org/") {
		t.Errorf("CSV metadata does not cite each publication once with its link:\n%s", csv)
	}
	if strings.Contains(csv, "SamLeBlanc") {
		t.Errorf("CSV metadata prints repository paths:\n%s", csv)
	}
}

package dashboard

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clout-dev/clout/data/importer"

	"github.com/xuri/excelize/v2"
)

// mustTemplate downloads /template.xlsx and opens it.
func mustTemplate(t *testing.T, c *testClient) ([]byte, *excelize.File) {
	t.Helper()
	res := c.do(http.MethodGet, "/template.xlsx", nil)
	if res.status != 200 {
		t.Fatalf("template: %d %s", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != importer.ContentTypeXLSX {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := res.header.Get("Content-Disposition"); !strings.Contains(cd, "clout-template.xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(res.body))
	if err != nil {
		t.Fatalf("open template: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return res.body, f
}

func TestTemplateFromSeed(t *testing.T) {
	store := MustSeededStore(t)
	s := MustDataServer(t, store, Config{})
	c := newTestClient(t, serve(t, s))
	body, f := mustTemplate(t, c)

	sheets := f.GetSheetList()
	if sheets[0] != importer.TemplateReadme {
		t.Fatalf("sheets %v: README first", sheets)
	}
	readme, err := f.GetRows(importer.TemplateReadme)
	if err != nil || len(readme) < 5 || !strings.Contains(readme[0][0], "template") {
		t.Fatalf("README rows %v (%v)", readme, err)
	}
	listed := listedCodes(t, f)
	seedCodes := map[string]bool{}
	for _, ch := range s.charts.Charts() {
		q, err := ch.Query(defaultParams(ch))
		if err != nil || len(q.Indicators) == 0 {
			if slices.Contains(sheets, ch.ID()) {
				t.Errorf("sheet for %s, which has no default query", ch.ID())
			}
			continue
		}
		obs, err := store.Observations(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(obs) == 0 {
			continue
		}
		t.Run(ch.ID(), func(t *testing.T) {
			if !slices.Contains(sheets, ch.ID()) {
				t.Fatalf("no example sheet for %s in %v", ch.ID(), sheets)
			}
			rows, err := f.GetRows(ch.ID())
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != "indicator,country,partner,period,value,unit,source" {
				t.Fatalf("header %v", rows[0])
			}
			if want := min(len(obs), importer.TemplateExampleRows); len(rows)-1 != want {
				t.Fatalf("%d example rows, want %d", len(rows)-1, want)
			}
			first := obs[0]
			v, _ := strconv.ParseFloat(rows[1][4], 64)
			if rows[1][0] != first.Indicator || rows[1][1] != first.Country || rows[1][3] != first.Period.String() || v != first.Value {
				t.Fatalf("first row %v, store has %+v", rows[1], first)
			}
			for _, o := range obs {
				seedCodes[o.Indicator] = true
			}
			panes, err := f.GetPanes(ch.ID())
			if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
				t.Fatalf("header row not frozen: %+v %v", panes, err)
			}
			dvs, err := f.GetDataValidations(ch.ID())
			if err != nil || len(dvs) != 1 {
				t.Fatalf("data validations %v %v", dvs, err)
			}
			dv := dvs[0]
			if dv.Type != "list" || !strings.HasPrefix(dv.Sqref, "A2:A") || !strings.Contains(dv.Formula1, "README!$E$2:$E$"+strconv.Itoa(len(listed)+1)) {
				t.Fatalf("indicator drop-down %+v", dv)
			}
		})
	}
	for _, code := range importer.TemplateCodes(nil) {
		if !slices.Contains(listed, code) {
			t.Errorf("drop-down lacks canonical code %s", code)
		}
	}
	for code := range seedCodes {
		if !slices.Contains(listed, code) {
			t.Errorf("drop-down lacks %s, which the data hold", code)
		}
	}

	// The template is itself a valid upload: its dry run has no errors.
	res := c.upload(map[string]string{"dry_run": "true"}, "clout-template.xlsx", body, bearerHeader(testAdminToken)...)
	if res.status != 200 {
		t.Fatalf("dry run of the template: %d %s", res.status, res.body)
	}
	var rep importResponse
	res.json(t, &rep)
	if rep.Layout != "tidy" || rep.Observations == 0 || len(rep.Errors) != 0 {
		t.Fatalf("template report: %+v", rep.ImportReport)
	}
}

func TestTemplateOfAnEmptyStore(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	_, f := mustTemplate(t, c)
	if got := f.GetSheetList(); !slices.Equal(got, []string{importer.TemplateReadme, "Data"}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("Data")
	if err != nil || len(rows) != 1 || len(rows[0]) != len(importer.TidyColumns) {
		t.Fatalf("Data sheet rows %v (%v)", rows, err)
	}
	if got := listedCodes(t, f); len(got) != len(importer.TemplateCodes(nil)) || got[0] != "SP.POP.TOTL" {
		t.Fatalf("codes %v", got)
	}
}

// listedCodes reads the README's column of known indicator codes.
func listedCodes(t *testing.T, f *excelize.File) []string {
	t.Helper()
	cols, err := f.GetCols(importer.TemplateReadme)
	if err != nil || len(cols) < 5 || cols[4][0] != "known indicator codes" {
		t.Fatalf("README columns %v (%v)", cols, err)
	}
	return slices.DeleteFunc(slices.Clone(cols[4][1:]), func(s string) bool { return s == "" })
}

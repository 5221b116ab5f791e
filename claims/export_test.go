package claims_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
	"github.com/clout-dev/clout/render"
)

// exportingService is newService with the real renderer behind the chart service.
func exportingService(t *testing.T) *claims.Service {
	t.Helper()
	r, err := render.New(render.Options{Runtimes: 1, Logger: testkit.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	db := testkit.SeededStore(t)
	charts, err := chart.New(chart.Config{VersionTTL: time.Nanosecond, BaseURL: "https://clout.example.org"}, chart.Deps{Store: db, Exporter: export.New(r)})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := claims.New(claims.Config{}, claims.Deps{Charts: charts, Store: db, Logger: testkit.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return svc
}

func TestExport(t *testing.T) {
	svc := exportingService(t)
	ctx := context.Background()
	snap := func(f export.Format) chart.Snapshot {
		t.Helper()
		s, err := svc.Export(ctx, indicators.ClaimTradeShare, "", f, export.DefaultImage())
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if s.ContentType != f.ContentType() || !strings.HasPrefix(s.FileName, "claim-"+indicators.ClaimTradeShare) {
			t.Errorf("%s: %s %s", f, s.ContentType, s.FileName)
		}
		return s
	}
	cr := csv.NewReader(bytes.NewReader(snap(export.CSV).Body))
	cr.FieldsPerRecord = -1 // notes and provenance lines follow the table
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	verdicts := map[string]string{}
	for _, r := range rows {
		if len(r) > 5 {
			verdicts[r[0]] = r[5]
		}
	}
	if verdicts["2019"] != "holds" || verdicts["2022"] != "fails" || verdicts["2025"] != "untestable" {
		t.Errorf("CSV verdicts %v", verdicts)
	}
	x, err := excelize.OpenReader(bytes.NewReader(snap(export.XLSX).Body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	found := false
	for _, sheet := range x.GetSheetList() {
		all, _ := x.GetRows(sheet)
		for _, r := range all {
			found = found || len(r) > 5 && r[0] == "2022" && r[5] == "fails"
		}
	}
	if !found {
		t.Error("XLSX has no 2022 row that fails")
	}
	svg := string(snap(export.SVG).Body)
	if miss, ok := containsAll(svg, "<svg", "Period", "fails", "holds", "Data version"); !ok {
		t.Errorf("SVG lacks %q", miss)
	}
	if html := string(snap(export.HTML).Body); !strings.Contains(html, "held 2017–2021") {
		t.Error("HTML export lacks the summary")
	}
	if _, err := svc.Export(ctx, "nope", "", export.CSV, export.DefaultImage()); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("unknown claim: %v", err)
	}
}

func containsAll(s string, subs ...string) (string, bool) {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return sub, false
		}
	}
	return "", true
}

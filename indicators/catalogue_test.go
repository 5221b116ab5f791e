package indicators_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/clout-dev/clout/data/seed"
	"github.com/clout-dev/clout/indicators"
)

// seedColumn returns the distinct non-empty values of a column of every
// sheet of the seed workbook, in first-seen order.
func seedColumn(t *testing.T, column string) []string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(seed.Workbook()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatalf("seed sheet %s: %v", sheet, err)
		}
		if len(rows) == 0 {
			continue
		}
		col := slices.Index(rows[0], column)
		if col < 0 {
			continue // the README sheet
		}
		for _, r := range rows[1:] {
			if col < len(r) && r[col] != "" && !slices.Contains(out, r[col]) {
				out = append(out, r[col])
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s column in the seed", column)
	}
	return out
}

// codeConstants returns the indicator codes the package declares: the string
// constants whose names end in "Code".
func codeConstants(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !strings.HasSuffix(id.Name, "Code") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[id.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
	}
	return out
}

func TestCatalogueKnowsEveryCodeStored(t *testing.T) {
	consts := codeConstants(t)
	if len(consts) < 12 {
		t.Fatalf("found %d code constants, want the dozen the package declares: %v", len(consts), consts)
	}
	for name, code := range consts {
		if ind := indicators.LookupIndicator(code); !ind.Known {
			t.Errorf("constant %s = %q has no catalogue entry", name, code)
		}
	}
	for _, code := range seedColumn(t, "indicator") {
		ind := indicators.LookupIndicator(code)
		if !ind.Known {
			t.Errorf("the seed stores %q, which the catalogue does not know", code)
			continue
		}
		if ind.Name == code || ind.Short == "" || ind.Description == "" {
			t.Errorf("%s: entry %+v lacks a name, short label or description", code, ind)
		}
	}
}

// TestCatalogueUnitsMatchTheSeed: every figure the seed stores under a known
// code is in the unit its entry says, so formatting by the entry is right.
func TestCatalogueUnitsMatchTheSeed(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(seed.Workbook()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checked := 0
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		if len(rows) == 0 {
			continue
		}
		ci, ui := slices.Index(rows[0], "indicator"), slices.Index(rows[0], "unit")
		if ci < 0 || ui < 0 {
			continue
		}
		for n, r := range rows[1:] {
			if ui >= len(r) || r[ci] == "" {
				continue
			}
			if want := indicators.LookupIndicator(r[ci]).Unit.Symbol; r[ui] != want {
				t.Errorf("seed sheet %s row %d: %s in %q, the catalogue says %q", sheet, n+2, r[ci], r[ui], want)
			}
			if u := indicators.ParseUnit(r[ui]); u != indicators.LookupIndicator(r[ci]).Unit {
				t.Errorf("ParseUnit(%q) = %+v, not the catalogue's unit of %s", r[ui], u, r[ci])
			}
			checked++
		}
	}
	if checked < 2000 {
		t.Fatalf("checked %d seed rows, want the thousands it holds", checked)
	}
}

func TestLookupIndicatorFallsBackToTheCode(t *testing.T) {
	ind := indicators.LookupIndicator("EG.ELC.ACCS.ZS")
	if ind.Known || ind.Name != "EG.ELC.ACCS.ZS" || ind.Short != "EG.ELC.ACCS.ZS" {
		t.Fatalf("unknown code: %+v", ind)
	}
	list := indicators.Indicators()
	if !slices.IsSortedFunc(list, func(a, b indicators.Indicator) int { return strings.Compare(a.Code, b.Code) }) {
		t.Fatal("Indicators() is not ordered by code")
	}
	for _, ind := range list {
		if !ind.Known || ind.Code == "" {
			t.Fatalf("catalogue entry %+v not known or without its code", ind)
		}
	}
}

func TestUnitLabel(t *testing.T) {
	for code, want := range map[string]string{
		indicators.PopulationCode:       "people",
		indicators.GasExportsCode:       "million m³",
		indicators.GDPPPPCode:           "international $ (PPP)",
		indicators.GDPPerCapitaPPPCode:  "international $ (PPP) per person",
		indicators.ExportsCode:          "US$",
		"fcs_turnover":                  "billion US$",
		"epdk_imports_from_RUS_yoy_pct": "% year on year",
	} {
		if got := indicators.LookupIndicator(code).Unit.Label(); got != want {
			t.Errorf("%s: unit label %q, want %q", code, got, want)
		}
	}
	if got := indicators.ParseUnit("tonnes"); indicators.FormatValue(4.5e6, got) != "4.5 million tonnes" || got.Label() != "tonnes" {
		t.Errorf("unknown unit %+v writes %q", got, indicators.FormatValue(4.5e6, got))
	}
}

package importer

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/clout-dev/clout/indicators"
)

// TidyColumns are the columns of the tidy layout, in the order the template and
// the data exports write them.
var TidyColumns = []string{"indicator", "country", "partner", "period", "value", "unit", "source"}

const (
	// TemplateExampleRows bounds the real rows on each example sheet.
	TemplateExampleRows = 200
	// TemplateReadme is the template's instruction sheet, which imports skip.
	TemplateReadme    = "README"
	templateCodesCol  = "E" // README column listing known indicator codes
	templateValidRows = 100000
)

// canonicalIndicators are the codes the built-in charts read ; the
// template's drop-down lists them first.
var canonicalIndicators = [][2]string{
	{"SP.POP.TOTL", "population (persons)"},
	{"NY.GDP.MKTP.PP.CD", "GDP, PPP (current international $)"},
	{"NY.GDP.MKTP.CD", "GDP (current US$)"},
	{"TXG_FOB_USD", "goods exports from country to partner (US$)"},
	{"TMG_CIF_USD", "goods imports of country from partner (US$)"},
	{"NATGAS_EXP_MCM", "natural-gas exports from country to partner (million m3)"},
}

var templateReadmeText = []string{
	"Clout spreadsheet template (tidy layout)",
	"",
	"Each sheet other than README, About and Notes is imported. One row is one observation.",
	"Columns: indicator, country, partner (optional), period, value, unit (optional), source (optional).",
	"indicator: a code such as SP.POP.TOTL (pick from the drop-down or type any other code).",
	"country and partner: ISO 3166 alpha-3 codes (RUS, TUR) or country names; leave partner empty unless the figure is bilateral.",
	"period: a year (2020), a month (2020-04) or a quarter (2020-Q1).",
	"value: a number; leave the cell empty (or write ..) when the figure is missing — never 0.",
	"",
	"The example sheets hold real rows from Clout's current data, one sheet per built-in chart.",
	"Replace or extend them, then upload the workbook at /upload (check it first with the dry run) or run: clout import FILE.",
	"A dataset is named after the file unless you give a name; importing again creates a new version and keeps the old ones.",
}

// ExampleSheet is a sheet of the template with real rows of the data.
type ExampleSheet struct {
	Name string
	Rows []indicators.Observation
}

// TemplateCodes are the canonical indicator codes followed by extra (the codes in
// the data), without repeats: the template's indicator drop-down.
func TemplateCodes(extra []string) []string {
	codes := make([]string, 0, len(canonicalIndicators)+len(extra))
	seen := map[string]bool{}
	for _, ci := range canonicalIndicators {
		codes, seen[ci[0]] = append(codes, ci[0]), true
	}
	for _, c := range extra {
		if !seen[c] {
			codes, seen[c] = append(codes, c), true
		}
	}
	return codes
}

// Template writes the spreadsheet template (tidy layout): README with
// instructions and the known indicator codes, then the example sheets (an empty
// Data sheet when there are none), each with a drop-down of codes.
func Template(codes []string, examples []ExampleSheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", TemplateReadme); err != nil {
		return nil, err
	}
	if err := writeReadme(f, codes); err != nil {
		return nil, fmt.Errorf("template README: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	if len(examples) == 0 {
		examples = []ExampleSheet{{Name: "Data"}}
	}
	for _, ex := range examples {
		if err := writeTidySheet(f, ex.Name, ex.Rows[:min(len(ex.Rows), TemplateExampleRows)], len(codes), bold); err != nil {
			return nil, fmt.Errorf("template sheet %s: %w", ex.Name, err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeReadme(f *excelize.File, codes []string) error {
	for i, line := range templateReadmeText {
		if err := f.SetCellStr(TemplateReadme, fmt.Sprintf("A%d", i+1), line); err != nil {
			return err
		}
	}
	if err := f.SetCellStr(TemplateReadme, templateCodesCol+"1", "known indicator codes"); err != nil {
		return err
	}
	if err := f.SetCellStr(TemplateReadme, "F1", "meaning"); err != nil {
		return err
	}
	for i, code := range codes {
		if err := f.SetCellStr(TemplateReadme, fmt.Sprintf("%s%d", templateCodesCol, i+2), code); err != nil {
			return err
		}
		if i < len(canonicalIndicators) {
			if err := f.SetCellStr(TemplateReadme, fmt.Sprintf("F%d", i+2), canonicalIndicators[i][1]); err != nil {
				return err
			}
		}
	}
	if err := f.SetColWidth(TemplateReadme, "A", "A", 100); err != nil {
		return err
	}
	return f.SetColWidth(TemplateReadme, templateCodesCol, "F", 28)
}

// writeTidySheet writes one tidy sheet: bold, frozen header; rows; and the
// indicator column's drop-down of known codes (other codes allowed after a
// warning, since any code is stored).
func writeTidySheet(f *excelize.File, sheet string, obs []indicators.Observation, nCodes, bold int) error {
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	header := make([]any, len(TidyColumns))
	for i, c := range TidyColumns {
		header[i] = c
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	if err := f.SetRowStyle(sheet, 1, 1, bold); err != nil {
		return err
	}
	for i, o := range obs {
		// Text cells are written as strings, never formulas.
		row := []any{o.Indicator, o.Country, o.Partner, o.Period.String(), o.Value, o.Unit, o.Source}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "A", "A", 22); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "F", "G", 30); err != nil {
		return err
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("A2:A%d", templateValidRows)
	dv.SetSqrefDropList(fmt.Sprintf("%s!$%s$2:$%s$%d", TemplateReadme, templateCodesCol, templateCodesCol, nCodes+1))
	dv.SetError(excelize.DataValidationErrorStyleWarning, "Unknown indicator code",
		"This code is not one Clout knows yet; it will be stored and can be charted with the series chart.")
	dv.SetInput("indicator", "Pick a known code or type another one.")
	return f.AddDataValidation(sheet, dv)
}

package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/clout-dev/clout/indicators"
)

// Template sheet layout: the tidy columns (DESIGN §3) and how many example rows
// each chart's sheet carries.
var tidyColumns = []string{"indicator", "country", "partner", "period", "value", "unit", "source"}

const (
	templateExampleRows = 200
	templateReadme      = "README"
	templateCodesCol    = "E" // README column listing known indicator codes
	templateValidRows   = 100000
)

// canonicalIndicators are the codes the built-in charts read (DESIGN §2); the
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

// handleTemplate serves GET /template.xlsx.
func (s *Server) handleTemplate(c echo.Context) error {
	body, err := s.buildTemplate(c.Request().Context())
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", attachment("clout-template.xlsx"))
	h.Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, contentTypeOfKind(kindXLSX), body)
}

// buildTemplate writes the template workbook: README with instructions and the
// known indicator codes, then an example sheet per built-in chart.
func (s *Server) buildTemplate(ctx context.Context) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", templateReadme); err != nil {
		return nil, err
	}
	codes, err := s.knownIndicatorCodes(ctx)
	if err != nil {
		return nil, err
	}
	if err := writeReadme(f, codes); err != nil {
		return nil, fmt.Errorf("template README: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	sheets := 0
	for _, ch := range s.charts {
		obs, err := s.exampleRows(ctx, ch)
		if err != nil {
			return nil, err
		}
		if len(obs) == 0 {
			continue
		}
		if err := writeTidySheet(f, ch.ID(), obs, len(codes), bold); err != nil {
			return nil, fmt.Errorf("template sheet %s: %w", ch.ID(), err)
		}
		sheets++
	}
	if sheets == 0 {
		// No data yet: an empty tidy sheet is still a template.
		if err := writeTidySheet(f, "Data", nil, len(codes), bold); err != nil {
			return nil, fmt.Errorf("template sheet Data: %w", err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// knownIndicatorCodes are the canonical codes and then those in the data.
func (s *Server) knownIndicatorCodes(ctx context.Context) ([]string, error) {
	codes := make([]string, 0, len(canonicalIndicators))
	for _, ci := range canonicalIndicators {
		codes = append(codes, ci[0])
	}
	v, err := s.dataVersion(ctx)
	if err != nil {
		return nil, err
	}
	live, err := s.indicatorCodes(ctx, v)
	if err != nil {
		return nil, err
	}
	for _, code := range live {
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	return codes, nil
}

// exampleRows reads up to templateExampleRows observations a chart draws with
// its default parameters.
func (s *Server) exampleRows(ctx context.Context, ch indicators.Chart) ([]indicators.Observation, error) {
	q, err := ch.Query(defaultParams(ch))
	if err != nil || len(q.Indicators) == 0 {
		return nil, nil // a chart that needs a choice (series) has no default example
	}
	obs, err := s.store.Observations(ctx, q)
	if err != nil {
		return nil, err
	}
	return obs[:min(len(obs), templateExampleRows)], nil
}

func writeReadme(f *excelize.File, codes []string) error {
	for i, line := range templateReadmeText {
		if err := f.SetCellStr(templateReadme, fmt.Sprintf("A%d", i+1), line); err != nil {
			return err
		}
	}
	if err := f.SetCellStr(templateReadme, templateCodesCol+"1", "known indicator codes"); err != nil {
		return err
	}
	if err := f.SetCellStr(templateReadme, "F1", "meaning"); err != nil {
		return err
	}
	for i, code := range codes {
		if err := f.SetCellStr(templateReadme, fmt.Sprintf("%s%d", templateCodesCol, i+2), code); err != nil {
			return err
		}
		if i < len(canonicalIndicators) {
			if err := f.SetCellStr(templateReadme, fmt.Sprintf("F%d", i+2), canonicalIndicators[i][1]); err != nil {
				return err
			}
		}
	}
	if err := f.SetColWidth(templateReadme, "A", "A", 100); err != nil {
		return err
	}
	return f.SetColWidth(templateReadme, templateCodesCol, "F", 28)
}

// writeTidySheet writes one tidy sheet: bold, frozen header; rows; and the
// indicator column's drop-down of known codes (other codes allowed after a
// warning, since any code is stored).
func writeTidySheet(f *excelize.File, sheet string, obs []indicators.Observation, nCodes, bold int) error {
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	header := make([]any, len(tidyColumns))
	for i, c := range tidyColumns {
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
	dv.SetSqrefDropList(fmt.Sprintf("%s!$%s$2:$%s$%d", templateReadme, templateCodesCol, templateCodesCol, nCodes+1))
	dv.SetError(excelize.DataValidationErrorStyleWarning, "Unknown indicator code",
		"This code is not one Clout knows yet; it will be stored and can be charted with the series chart.")
	dv.SetInput("indicator", "Pick a known code or type another one.")
	return f.AddDataValidation(sheet, dv)
}

package export

import (
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/clout-dev/clout/indicators"
)

// Sheet names of XLSX exports.
const (
	DataSheet  = "Data"
	AboutSheet = "About"
)

// writeXLSX writes the Data sheet (the table, numbers as numbers, frozen header,
// fitted columns, and a native chart of the numeric columns), and the About sheet
// (provenance). Every text cell is written as a string cell: a spreadsheet shows a
// string cell as text and never evaluates it, and no formula is ever written.
func writeXLSX(w io.Writer, s Snapshot) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", DataSheet); err != nil {
		return err
	}
	if _, err := f.NewSheet(AboutSheet); err != nil {
		return err
	}
	if err := writeDataSheet(f, s.Result.Table); err != nil {
		return fmt.Errorf("sheet %s: %w", DataSheet, err)
	}
	if err := addChart(f, s); err != nil {
		return fmt.Errorf("sheet %s: chart: %w", DataSheet, err)
	}
	if err := writeAboutSheet(f, s); err != nil {
		return fmt.Errorf("sheet %s: %w", AboutSheet, err)
	}
	f.SetActiveSheet(0)
	_, err := f.WriteTo(w)
	return err
}

func writeDataSheet(f *excelize.File, t indicators.Table) error {
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		title := columnTitle(c)
		if err := setCell(f, DataSheet, i+1, 1, title); err != nil {
			return err
		}
		widths[i] = utf8.RuneCountInString(title)
	}
	if len(t.Columns) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(t.Columns), 1)
		if err := f.SetCellStyle(DataSheet, "A1", last, bold); err != nil {
			return err
		}
	}
	for r, row := range t.Rows {
		for c, v := range row {
			if err := setCell(f, DataSheet, c+1, r+2, v); err != nil {
				return err
			}
			if c < len(widths) {
				widths[c] = max(widths[c], utf8.RuneCountInString(cellText(v)))
			}
		}
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(DataSheet, col, col, float64(min(max(w, 8), 60))+2); err != nil {
			return err
		}
	}
	return f.SetPanes(DataSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// setCell writes v at (col, row), 1-based: numbers as numbers, text as a string
// cell (never a formula), missing as nothing.
func setCell(f *excelize.File, sheet string, col, row int, v any) error {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	switch t := v.(type) {
	case nil:
		return nil
	case float64, int, int64:
		return f.SetCellValue(sheet, cell, t)
	case string:
		return f.SetCellStr(sheet, cell, t)
	}
	return f.SetCellStr(sheet, cell, fmt.Sprint(v))
}

func writeAboutSheet(f *excelize.File, s Snapshot) error {
	for i, p := range provenance(s) {
		if err := setCell(f, AboutSheet, 1, i+1, p[0]); err != nil {
			return err
		}
		if err := setCell(f, AboutSheet, 2, i+1, p[1]); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(AboutSheet, "A", "A", 18); err != nil {
		return err
	}
	return f.SetColWidth(AboutSheet, "B", "B", 100)
}

// addChart adds one native chart to the Data sheet: categories from the first
// column, one series per numeric column sharing the first numeric column's unit (a
// chart of % next to US$ would flatten one of them), as columns or lines like the
// ECharts option's first series.
func addChart(f *excelize.File, s Snapshot) error {
	t := s.Result.Table
	cols := chartColumns(t)
	if len(cols) == 0 || len(t.Rows) == 0 {
		return nil // nothing numeric to chart
	}
	n := len(t.Rows) + 1
	var series []excelize.ChartSeries
	for _, c := range cols {
		col, _ := excelize.ColumnNumberToName(c + 1)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$1", DataSheet, col),
			Categories: fmt.Sprintf("%s!$A$2:$A$%d", DataSheet, n),
			Values:     fmt.Sprintf("%s!$%s$2:$%s$%d", DataSheet, col, col, n),
		})
	}
	at, _ := excelize.CoordinatesToCellName(len(t.Columns)+2, 2)
	return f.AddChart(DataSheet, at, &excelize.Chart{
		Type:      chartType(s.Option),
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s.Result.Title}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 720, Height: 420},
		PlotArea:  excelize.ChartPlotArea{ShowVal: false},
	})
}

// chartColumns returns the indexes (after the first) of columns whose cells are all
// numbers or missing, with at least one number, and the first such column's unit.
func chartColumns(t indicators.Table) []int {
	var cols []int
	unit := ""
	for c := 1; c < len(t.Columns); c++ {
		if !numericColumn(t, c) {
			continue
		}
		if len(cols) == 0 {
			unit = t.Columns[c].Unit
		}
		if t.Columns[c].Unit == unit {
			cols = append(cols, c)
		}
	}
	return cols
}

func numericColumn(t indicators.Table, c int) bool {
	seen := false
	for _, row := range t.Rows {
		if c >= len(row) {
			continue
		}
		switch row[c].(type) {
		case nil:
		case float64, int, int64:
			seen = true
		default:
			return false
		}
	}
	return seen
}

// chartType picks the Excel chart type from the ECharts option's first series: line
// for line charts, horizontal bars when the category axis is vertical, else columns.
func chartType(option json.RawMessage) excelize.ChartType {
	var o struct {
		Series []struct {
			Type string `json:"type"`
		} `json:"series"`
		YAxis json.RawMessage `json:"yAxis"`
	}
	_ = json.Unmarshal(option, &o) // a malformed option just gets columns
	switch {
	case len(o.Series) > 0 && o.Series[0].Type == "line":
		return excelize.Line
	case categoryAxis(o.YAxis):
		return excelize.Bar
	}
	return excelize.Col
}

func categoryAxis(raw json.RawMessage) bool {
	var one struct {
		Type string `json:"type"`
	}
	var many []struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &one) == nil && one.Type == "category" {
		return true
	}
	return json.Unmarshal(raw, &many) == nil && len(many) > 0 && many[0].Type == "category"
}

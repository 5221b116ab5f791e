package export

import (
	"cmp"
	"encoding/csv"
	"io"
	"slices"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// owidCodes are Clout's codes that Our World in Data writes its own way; the
// importer reads them back (data/importer, layout owid).
var owidCodes = map[string]string{"WLD": "OWID_WRL", "XKX": "OWID_KOS"}

// writeOWID writes the plotted table in Our World in Data's grapher shape:
// Entity, Code, Year, then one column per plotted value, so a chart exported from
// Clout opens in OWID's tools and imports back into Clout. A value column is
// named by the chart's indicator code when it plots one indicator (so the
// figures come back under the same code), else by its title with the unit.
// Tables with sub-annual periods write them in a Period column (2020-04, 2020-Q1),
// which Clout reads back and OWID's Year column cannot hold.
func writeOWID(w io.Writer, s Snapshot) error {
	t := s.Result.Table
	period, entity, code := owidIdentity(t.Columns)
	values := owidValueColumns(t, period, entity, code)
	header := []string{"Entity", "Code", owidPeriodName(t, period)}
	for _, i := range values {
		header = append(header, neutralise(owidValueName(s.Result, t, values, i)))
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec := []string{neutralise(owidEntity(s.Result, row, entity)), owidCode(row, code), cellText(cellAt(row, period))}
		for _, i := range values {
			rec = append(rec, csvCell(cellAt(row, i)))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// owidIdentity finds the period, entity-name and code columns (-1 when absent).
func owidIdentity(cols []indicators.Column) (period, entity, code int) {
	period, entity, code = -1, -1, -1
	for i, c := range cols {
		switch n := strings.ToLower(c.Name); {
		case period < 0 && (n == "period" || n == "year" || n == "month" || n == "quarter"):
			period = i
		case code < 0 && n == "code":
			code = i
		case entity < 0 && slices.Contains([]string{"country", "partner", "exporter", "importer", "destination", "origin", "entity", "economy"}, n):
			entity = i
		}
	}
	return period, entity, code
}

// owidValueColumns are the columns whose every cell is a number or missing.
func owidValueColumns(t indicators.Table, skip ...int) []int {
	var out []int
	for i := range t.Columns {
		if slices.Contains(skip, i) {
			continue
		}
		numeric := true
		for _, row := range t.Rows {
			switch cellAt(row, i).(type) {
			case nil, float64, int, int64:
			default:
				numeric = false
			}
		}
		if numeric {
			out = append(out, i)
		}
	}
	return out
}

// owidPeriodName is "Year" when every period is a year, as OWID expects.
func owidPeriodName(t indicators.Table, period int) string {
	for _, row := range t.Rows {
		if p, err := indicators.ParsePeriod(cellText(cellAt(row, period))); err != nil || p.Freq != indicators.Annual {
			return "Period"
		}
	}
	return "Year"
}

func owidValueName(r *indicators.Result, t indicators.Table, values []int, i int) string {
	if ind := r.Params["indicator"]; len(values) == 1 && ind != "" {
		return ind
	}
	return columnTitle(t.Columns[i])
}

// owidEntity is the row's entity name; a chart of one entity names it by its
// country parameter.
func owidEntity(r *indicators.Result, row []any, entity int) string {
	if entity >= 0 {
		return cellText(cellAt(row, entity))
	}
	return cmp.Or(r.Params["country"], r.Params["reporter"], r.Title)
}

// owidCode is the row's code as OWID writes it; a group of countries summed into
// one row ("TUR+AZE") has no code, like OWID's own regions.
func owidCode(row []any, code int) string {
	c := cellText(cellAt(row, code))
	if o, ok := owidCodes[c]; ok {
		return o
	}
	if strings.ContainsAny(c, "+ ,") {
		return ""
	}
	return c
}

func cellAt(row []any, i int) any {
	if i < 0 || i >= len(row) {
		return nil
	}
	return row[i]
}

package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// writeCSV writes the plotted table: one header row (names with units), the rows,
// then, after an empty row, provenance rows whose first cell starts with "#", so
// tools that read comments (pandas comment="#") or stop at the empty row get just
// the table.
func writeCSV(w io.Writer, s Snapshot) error {
	cw := csv.NewWriter(w)
	t := s.Result.Table
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = neutralise(columnTitle(c))
	}
	records := [][]string{header}
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = csvCell(v)
		}
		records = append(records, rec)
	}
	records = append(records, nil)
	for _, p := range provenance(s) {
		records = append(records, []string{"# " + p[0] + ": " + p[1]})
	}
	if err := cw.WriteAll(records); err != nil {
		return err
	}
	return cw.Error()
}

// columnTitle is a column's header text: "Share (%)".
func columnTitle(c indicators.Column) string {
	if c.Unit == "" {
		return c.Name
	}
	return c.Name + " (" + c.Unit + ")"
}

// csvCell formats a table cell for CSV: numbers as plain decimals (negative ones
// stay numbers), missing as empty, text neutralised.
func csvCell(v any) string {
	switch v.(type) {
	case nil, float64, int, int64:
		return cellText(v)
	}
	return neutralise(cellText(v))
}

// cellText formats a table cell as it reads: numbers as plain decimals, missing as
// empty.
func cellText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case string:
		return t
	}
	return fmt.Sprint(v)
}

// neutralise prefixes text that a spreadsheet would read as a formula (= + - @, or a
// leading tab or carriage return) with an apostrophe, which spreadsheets show as
// "this is text".
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// citationLine is a citation as one line of a data file's metadata: its text,
// link and retrieval date.
func citationLine(c indicators.Citation) string {
	s := c.Text()
	if c.URL != "" {
		s += " <" + c.URL + ">"
	}
	if c.Retrieved != "" {
		s += ", retrieved " + c.Retrieved
	}
	return s
}

// provenance lists what a reader needs to trace an export back: name, value pairs.
func provenance(s Snapshot) [][2]string {
	r := s.Result
	rows := [][2]string{{"Title", r.Title}}
	if r.Subtitle != "" {
		rows = append(rows, [2]string{"Subtitle", r.Subtitle})
	}
	for _, k := range sortedKeys(r.Params) {
		rows = append(rows, [2]string{"Parameter " + k, r.Params[k]})
	}
	for _, c := range citationsOf(r) {
		rows = append(rows, [2]string{"Source", citationLine(c)})
	}
	for _, c := range r.Coverage {
		rows = append(rows, [2]string{"Coverage", c})
	}
	if v := r.VintageNote(); v != "" {
		rows = append(rows, [2]string{"Vintage", v})
	}
	for _, c := range r.Caveats() {
		rows = append(rows, [2]string{"Caveat", c})
	}
	rows = append(rows, [2]string{"Data version", strconv.FormatInt(r.DataVersion, 10)})
	if s.Permalink != "" {
		rows = append(rows, [2]string{"Permalink", s.Permalink})
	}
	if !s.Time.IsZero() {
		rows = append(rows, [2]string{"Exported", s.Time.UTC().Format("2006-01-02 15:04:05 UTC")})
	}
	return rows
}

func sortedKeys(p indicators.Params) []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

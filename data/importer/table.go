package importer

import (
	"context"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// headerScan is how many non-blank rows may precede a table's header (titles,
// metadata lines, notes).
const headerScan = 30

// parse reads the whole file, recording every problem in r.
func (r *run) parse(ctx context.Context) error {
	r.ctx = ctx
	if r.kind == kindXLSX {
		return r.readXLSX()
	}
	return r.readCSV()
}

// readTable finds the header row of one sheet (or csv file) among its first rows,
// then maps every following row with the layout that recognised the header. It
// reports whether a table was found; the error is a reason to stop at once
// (limits, cancellation), not a problem in a cell.
func (r *run) readTable(src rowReader) (bool, error) {
	var pre [][]string
	var preRows []int
	var m mapper
	seenRows := 0
	for m == nil && src.next() {
		row := src.row()
		if err := r.countCells(row); err != nil {
			return false, err
		}
		if !r.cellsOK(row, src.rowNum()) || isBlank(row) {
			continue
		}
		if m = r.detect(pre, preRows, row, src.rowNum()); m == nil {
			if seenRows++; seenRows >= headerScan {
				break
			}
			pre, preRows = append(pre, cloneRow(row)), append(preRows, src.rowNum())
		}
	}
	if m == nil {
		if r.kind == kindXLSX {
			r.warnf(0, -1, "sheet %q has no recognised table header in its first %d rows: skipped", r.sheet, headerScan)
		}
		return false, nil
	}
	r.rep.SkippedRows += len(pre)
	r.setFileVintage(vintageFromRows(pre))
	for src.next() {
		row := src.row()
		if err := r.countCells(row); err != nil {
			return true, err
		}
		if !r.cellsOK(row, src.rowNum()) {
			continue
		}
		if isBlank(row) {
			if len(row) > 0 {
				r.rep.SkippedRows++ // ",,,," rows below DataBank tables
				r.skippedBelow++
			}
			continue
		}
		if m.mapRow(r, row, src.rowNum()) {
			r.rep.Rows++
		} else {
			r.rep.SkippedRows++
			r.skippedBelow++
		}
		if (r.rep.Rows+r.rep.SkippedRows)&1023 == 0 {
			if err := r.ctx.Err(); err != nil {
				return true, err
			}
			r.progress(false)
		}
	}
	m.finish(r)
	return true, nil
}

// countCells enforces the cell limit, which bounds work and memory whatever the
// file claims.
func (r *run) countCells(row []string) error {
	r.cells += int64(len(row))
	if r.cells > r.im.opts.MaxCells {
		return indicators.Errorf(indicators.ETOOLARGE, "%s has more than %d cells (the limit)", displayName(r.req.FileName), r.im.opts.MaxCells)
	}
	return nil
}

// cellsOK checks that no cell of a row is longer than a spreadsheet cell can
// be (indicators.MaxCellLen); a longer one is an error at its cell.
func (r *run) cellsOK(row []string, n int) bool {
	ok := true
	for i, c := range row {
		if err := indicators.CheckCell(c); err != nil {
			r.errorf(n, i, "%s", indicators.ErrorMessage(err))
			ok = false
		}
	}
	return ok
}

// detect asks the layouts (or the forced one) whether row is their header and
// returns the mapper of the most specific match.
func (r *run) detect(pre [][]string, preRows []int, row []string, rowNum int) mapper {
	h := newHeader(row, pre, preRows, r.sheet)
	var best mapper
	bestScore, bestName := 0, ""
	for _, l := range r.candidates() {
		if score, m := l.detect(h); m != nil && score > bestScore {
			best, bestScore, bestName = m, score, l.name
		}
	}
	if best == nil {
		return nil
	}
	r.colNames = cloneRow(row)
	for i, c := range r.colNames {
		r.colNames[i] = trimSpace(c)
	}
	if len(r.layouts) == 0 {
		r.header = r.place(rowNum, -1, "")
	}
	r.textCol = noTextCols()
	if tc, ok := best.(textColumner); ok {
		r.textCol = tc.textColumns()
	}
	if !contains(r.layouts, bestName) {
		r.layouts = append(r.layouts, bestName)
	}
	if s, ok := best.(starter); ok {
		s.start(r, rowNum)
	}
	return best
}

func (r *run) candidates() []*layout {
	if r.forced != nil {
		return []*layout{r.forced}
	}
	return registry
}

func isBlank(row []string) bool {
	for _, c := range row {
		if trimSpace(c) != "" {
			return false
		}
	}
	return true
}

func cloneRow(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = strings.Clone(c)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cell returns row[i], or "" when the row is shorter or i < 0.
func cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

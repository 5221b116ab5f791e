package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/clout-dev/clout/indicators"
	"github.com/xuri/excelize/v2"
)

// rowReader is a sheet or csv file read row by row.
type rowReader interface {
	next() bool
	row() []string
	rowNum() int // 1-based, as the spreadsheet shows it
	err() error
}

// csvReader reads csv text with encoding/csv, reusing one record.
type csvReader struct {
	r      *csv.Reader
	rec    []string
	line   int
	offset int // lines skipped before the csv (front matter)
	e      error
}

func (c *csvReader) next() bool {
	rec, err := c.r.Read()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			c.e = err
		}
		return false
	}
	c.rec = rec
	c.line, _ = c.r.FieldPos(0)
	return true
}

func (c *csvReader) row() []string { return c.rec }
func (c *csvReader) rowNum() int   { return c.line + c.offset }
func (c *csvReader) err() error    { return c.e }

// countingReader counts the bytes the csv reader has consumed, for progress.
type countingReader struct {
	r *bytes.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readCSV reads the request's csv text as one table.
func (r *run) readCSV() error {
	text, recoded := decodeText(r.req.Data)
	if recoded {
		r.warnf(0, -1, "the file is not UTF-8: read as Windows-1252")
	}
	body, skipped := skipFrontMatter(text)
	if skipped > 0 {
		r.setFileVintage(vintageFromFrontMatter(strings.Split(string(text[:len(text)-len(body)]), "\n")))
	}
	delim := detectDelimiter(body)
	r.isCSV = true
	if delim == ';' {
		r.hint = hintComma
	} else if delim == ',' {
		r.hint = hintDot
	}
	// One key per line is the tidy case; sizing the duplicate check up front saves
	// copying it as it grows.
	r.keys.sorted = make([]keyed, 0, min(bytes.Count(body, []byte("\n")), 4_000_000))
	cr := &countingReader{r: bytes.NewReader(body)}
	r.bytes = func() int64 { return cr.n + int64(len(r.req.Data)-len(body)) }
	cs := csv.NewReader(cr)
	cs.Comma, cs.LazyQuotes, cs.FieldsPerRecord, cs.ReuseRecord = delim, true, -1, true
	src := &csvReader{r: cs, offset: skipped}
	r.sheets = append(r.sheets, "")
	found, err := r.readTable(src)
	if err != nil {
		return err
	}
	if e := src.err(); e != nil {
		var pe *csv.ParseError
		line := 0
		if errors.As(e, &pe) {
			line, e = pe.Line+skipped, pe.Err
		}
		r.errorf(line, -1, "csv: %v", e)
	}
	if !found {
		return r.noTable()
	}
	return nil
}

// skipFrontMatter drops a CSVY YAML block ("---" lines around it) before the header
// and returns how many lines it took.
func skipFrontMatter(text []byte) ([]byte, int) {
	first, rest, ok := bytes.Cut(text, []byte("\n"))
	if !ok || string(bytes.TrimSpace(first)) != "---" {
		return text, 0
	}
	lines := 1
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		lines++
		if string(bytes.TrimSpace(line)) == "---" {
			return rest, lines
		}
	}
	return text, 0 // no closing line: not front matter
}

// detectDelimiter picks ',', ';' or tab: the one that occurs most often outside
// quotes in the first lines (ties go to ',').
func detectDelimiter(text []byte) rune {
	head := text[:min(len(text), 32<<10)]
	counts := map[byte]int{}
	quoted, lines := false, 0
scan:
	for _, c := range head {
		switch c {
		case '"':
			quoted = !quoted
		case ',', ';', '\t':
			if !quoted {
				counts[c]++
			}
		case '\n':
			if lines++; lines >= 30 {
				break scan
			}
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

// xlsxReader reads one worksheet with excelize's streaming iterator.
type xlsxReader struct {
	rows *excelize.Rows
	rec  []string
	n    int
	e    error
}

func (x *xlsxReader) next() bool {
	if x.e != nil || !x.rows.Next() {
		if x.e == nil {
			x.e = x.rows.Error()
		}
		return false
	}
	x.n++
	x.rec, x.e = x.rows.Columns()
	return x.e == nil
}

func (x *xlsxReader) row() []string { return x.rec }
func (x *xlsxReader) rowNum() int   { return x.n }
func (x *xlsxReader) err() error    { return x.e }

// skippedSheets are sheet names that hold notes, never data.
var skippedSheets = map[string]bool{"readme": true, "read me": true, "about": true, "notes": true}

// readXLSX reads every sheet of the workbook that holds a recognised table.
// Import has checked the workbook whole (precheck): excelize stops without a
// word at a broken part.
func (r *run) readXLSX() error {
	unzipped := r.im.opts.MaxUnzipped
	f, err := excelize.OpenReader(bytes.NewReader(r.req.Data), excelize.Options{
		RawCellValue: true, UnzipSizeLimit: unzipped, UnzipXMLSizeLimit: min(unzipped, 16<<20), TmpDir: r.im.opts.TempDir,
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return indicators.Errorf(indicators.ETOOLARGE, "%s unpacks to more than the %s limit", displayName(r.req.FileName), humanBytes(unzipped))
		}
		return indicators.Errorf(indicators.EINVALID, "%s is not a readable xlsx workbook (%v)", displayName(r.req.FileName), err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		r.errorf(0, -1, "the workbook has no sheets")
		return nil
	}
	found := false
	for _, name := range sheets {
		if skippedSheets[strings.ToLower(strings.TrimSpace(name))] {
			continue
		}
		ok, err := r.readSheet(f, name)
		if err != nil {
			return err
		}
		found = found || ok
	}
	if !found && len(r.errs) == 0 {
		return r.noTable()
	}
	return nil
}

// precheck checks what can be checked of the file before the store takes its
// write lock for the import: the parts of a workbook (guardWorkbook). A fault
// is the file's error, with the report finished.
func (r *run) precheck() error {
	if r.kind != kindXLSX {
		return nil
	}
	fault := guardWorkbook(r.req.Data, r.im.opts.MaxUnzipped)
	if fault == nil {
		return nil
	}
	err := r.workbookFault(fault)
	r.finishReport()
	if err == nil {
		err = r.verdict()
	}
	return err
}

// workbookFault records a broken or hostile part of the workbook as the
// file's error, at its sheet and row when the part is a worksheet; over the
// size limit it is ETOOLARGE.
func (r *run) workbookFault(f *workbookFault) error {
	if f.code == indicators.ETOOLARGE {
		return indicators.Errorf(indicators.ETOOLARGE, "%s: %s: %s", displayName(r.req.FileName), f.part, f.msg)
	}
	r.sheet = f.sheet
	r.errorf(f.row, -1, "workbook part %s %s", f.part, f.msg)
	return nil
}

func (r *run) readSheet(f *excelize.File, name string) (bool, error) {
	r.sheet, r.sheetIdx = name, uint16(len(r.sheets))
	rows, err := f.Rows(name)
	if err != nil {
		r.errorf(0, -1, "the sheet cannot be read (%v)", err)
		return false, nil
	}
	defer rows.Close()
	r.sheets = append(r.sheets, name)
	src := &xlsxReader{rows: rows}
	found, err := r.readTable(src)
	if err != nil {
		return false, err
	}
	if e := src.err(); e != nil {
		r.errorf(src.n, -1, "sheet could not be read: %v", e)
	}
	return found, nil
}

// noTable is the error for a file without any recognised table.
func (r *run) noTable() error {
	if r.forced != nil {
		r.errorf(0, -1, "no header of the %s layout found in the first %d rows", r.forced.name, headerScan)
		return nil
	}
	r.errorf(0, -1, "no table found: no header of a known layout (tidy, wide, World Bank, DataBank, IMF, UN Comtrade, OECD/IEA, Our World in Data, Country-Year-Value) in the first %d rows", headerScan)
	return nil
}

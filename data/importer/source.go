package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/clout-dev/clout/indicators"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
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

// countingReader counts the bytes of the file the csv reader has consumed, for
// progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// csvTextBuffer is how much of a csv file is read ahead; the file is never
// read whole.
const csvTextBuffer = 256 << 10

// csvText opens the parsed file as a stream of UTF-8 text from its start: the
// BOM dropped, Windows-1252 decoded when the file is not UTF-8 (as Excel saves
// csv files in the West). The counter counts the file's bytes read.
func (r *run) csvText() (*bufio.Reader, *countingReader) {
	f := r.parsed.file
	start := int64(0)
	if head, _ := readHead(f, int64(len(utf8BOM))); bytes.Equal(head, utf8BOM) {
		start = int64(len(utf8BOM))
	}
	cr := &countingReader{r: io.NewSectionReader(f, start, f.Size()-start), n: start}
	var text io.Reader = cr
	if !r.parsed.scan.utf8 {
		text = charmap.Windows1252.NewDecoder().Reader(cr)
	}
	return bufio.NewReaderSize(text, csvTextBuffer), cr
}

// readCSV reads the request's csv text as one table, streamed.
func (r *run) readCSV() error {
	if !r.parsed.scan.utf8 {
		r.warnf(0, -1, "the file is not UTF-8: read as Windows-1252")
	}
	text, cr := r.csvText()
	front, skipped, ok := skipFrontMatter(text)
	if ok {
		r.setFileVintage(vintageFromFrontMatter(strings.Split(front, "\n")))
	} else if skipped > 0 { // "---" with no closing line: no front matter, read it all
		text, cr = r.csvText()
		skipped = 0
	}
	head, _ := text.Peek(32 << 10) // as much as there is
	delim := detectDelimiter(head)
	r.isCSV = true
	if delim == ';' {
		r.hint = hintComma
	} else if delim == ',' {
		r.hint = hintDot
	}
	// One key per line is the tidy case; sizing the duplicate check up front saves
	// copying it as it grows.
	r.keys.sorted = make([]keyed, 0, min(r.parsed.scan.lines, 4_000_000))
	r.bytes = func() int64 { return cr.n }
	cs := csv.NewReader(text)
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

// maxFrontMatter bounds the front matter kept for its vintage.
const maxFrontMatter = 1 << 20

// skipFrontMatter reads a CSVY YAML block ("---" lines around it) before the
// header: its text (up to maxFrontMatter), how many lines it took, and whether it
// was closed. Nothing is read unless the first line is "---"; when no line
// closes it, it is no front matter, and the caller reads the text again.
func skipFrontMatter(text *bufio.Reader) (front string, lines int, ok bool) {
	head, _ := text.Peek(64)
	first, _, found := bytes.Cut(head, []byte("\n"))
	if !found || string(bytes.TrimSpace(first)) != "---" {
		return "", 0, false
	}
	var kept strings.Builder
	for {
		line, err := text.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) { // a long line: read past it
			if kept.Len() < maxFrontMatter {
				kept.Write(line)
			}
			line, err = text.ReadSlice('\n')
		}
		if len(line) == 0 && err != nil {
			return "", lines, false
		}
		lines++
		if kept.Len() < maxFrontMatter {
			kept.Write(line)
		}
		if lines > 1 && string(bytes.TrimSpace(line)) == "---" {
			return kept.String(), lines, true
		}
		if err != nil {
			return "", lines, false
		}
	}
}

// detectDelimiter picks ',', ';' or tab: the one that occurs most often outside
// quotes in the first lines of text, the head of the file (ties go to ',').
func detectDelimiter(text []byte) rune {
	head := text
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
	// excelize reads the workbook whole whatever it is given; the cell and
	// unzipped-size limits bound what it builds from it.
	f, err := excelize.OpenReader(io.NewSectionReader(r.parsed.file, 0, r.parsed.file.Size()), excelize.Options{
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
	fault := guardWorkbook(r.parsed.file, r.im.opts.MaxUnzipped)
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

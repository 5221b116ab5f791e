package importer

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/clout-dev/clout/indicators"
)

// maxXMLDepth bounds how deep the elements of a workbook part may nest.
// SpreadsheetML nests about a dozen deep (drawings a few more); a part nested
// deeper is hostile, and is refused before the decoder's stack grows with it.
const maxXMLDepth = 256

// Workbook parts read by name: the workbook and its relationships, which map
// sheet names to worksheet parts.
const (
	workbookPart     = "xl/workbook.xml"
	workbookRelsPart = "xl/_rels/workbook.xml.rels"
)

// workbookFault is a place where a workbook's zip or XML is broken or hostile.
type workbookFault struct {
	code  string // indicators.EINVALID, or ETOOLARGE for the size limit
	part  string // the zip member, e.g. xl/worksheets/sheet1.xml
	sheet string // the sheet's name when the part is a worksheet
	row   int    // the spreadsheet row being read when the fault came, if any
	msg   string
}

func (f *workbookFault) Error() string { return f.part + ": " + f.msg }

// guardWorkbook reads every member of an xlsx workbook as excelize will, and
// every XML part through a strict decoder whose errors are checked: excelize's
// row iterator stops silently at an XML error, which would import a sheet up to
// the fault. A part that is cut off, damaged, declares a DTD or entities (XXE,
// billion laughs), refers to an undefined entity or nests deeper than
// maxXMLDepth is a fault, and so is a workbook that unpacks to more than limit
// bytes (a zip bomb): the import is refused before a row is read.
func guardWorkbook(file indicators.FileContent, limit int64) *workbookFault {
	zr, err := zip.NewReader(file, file.Size())
	if err != nil {
		return &workbookFault{code: indicators.EINVALID, part: "zip", msg: fmt.Sprintf("not a readable zip archive (%v)", err)}
	}
	g := &guard{budget: limit, limit: limit, sheetOf: map[string]string{}}
	var declared uint64
	for _, f := range zr.File {
		if declared += f.UncompressedSize64; declared > uint64(limit) {
			return g.tooLarge(f.Name)
		}
	}
	// The workbook and its relationships first, so that a fault in a
	// worksheet names its sheet.
	members := make([]*zip.File, 0, len(zr.File))
	for _, name := range []string{workbookPart, workbookRelsPart} {
		for _, f := range zr.File {
			if partName(f.Name) == name {
				members = append(members, f)
			}
		}
	}
	for _, f := range zr.File {
		if n := partName(f.Name); n != workbookPart && n != workbookRelsPart {
			members = append(members, f)
		}
	}
	for _, f := range members {
		if fault := g.member(f); fault != nil {
			return fault
		}
		if partName(f.Name) == workbookRelsPart {
			g.mapSheets()
		}
	}
	return nil
}

// guard is the state of one workbook check: what is left of the size budget and
// the names of the worksheet parts' sheets.
type guard struct {
	budget, limit int64
	sheetRel      map[string]string // relationship id → sheet name
	relTarget     map[string]string // relationship id → part
	sheetOf       map[string]string // worksheet part → sheet name
}

func partName(name string) string {
	return strings.TrimPrefix(strings.ToLower(strings.ReplaceAll(name, "\\", "/")), "/")
}

func (g *guard) tooLarge(part string) *workbookFault {
	return &workbookFault{code: indicators.ETOOLARGE, part: partName(part),
		msg: fmt.Sprintf("the workbook unpacks to more than the %s limit", humanBytes(g.limit))}
}

// member reads one zip member whole (checking its checksum and the size
// budget) and, if it is XML, checks it.
func (g *guard) member(f *zip.File) *workbookFault {
	if f.FileInfo().IsDir() {
		return nil
	}
	name := partName(f.Name)
	rc, err := f.Open()
	if err != nil {
		return &workbookFault{code: indicators.EINVALID, part: name, msg: fmt.Sprintf("cannot be unpacked (%v)", err)}
	}
	defer rc.Close()
	lr := &budgetReader{r: rc, left: g.budget}
	head := make([]byte, 512)
	n, err := io.ReadFull(lr, head)
	head = head[:n]
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return g.readFault(name, err)
	}
	if isXMLPart(name, head) {
		if fault := g.checkXML(name, io.MultiReader(bytes.NewReader(head), lr)); fault != nil {
			return fault
		}
	}
	if _, err := io.Copy(io.Discard, lr); err != nil {
		return g.readFault(name, err)
	}
	g.budget = lr.left
	return nil
}

func (g *guard) readFault(name string, err error) *workbookFault {
	if errors.Is(err, errOverBudget) {
		return g.tooLarge(name)
	}
	return &workbookFault{code: indicators.EINVALID, part: name, msg: fmt.Sprintf("cannot be unpacked (%v)", err)}
}

// isXMLPart reports whether a member is XML: by its name, or by its first byte
// (excelize reads parts by the names the relationships give, whatever they are).
func isXMLPart(name string, head []byte) bool {
	switch path.Ext(name) {
	case ".xml", ".rels", ".vml":
		return true
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	return len(head) > 0 && head[0] == '<'
}

// checkXML decodes one part strictly, token by token.
func (g *guard) checkXML(name string, r io.Reader) *workbookFault {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	dec.CharsetReader = charset.NewReaderLabel
	fault := func(row int, format string, args ...any) *workbookFault {
		line, _ := dec.InputPos()
		return &workbookFault{code: indicators.EINVALID, part: name, sheet: g.sheetOf[name], row: row,
			msg: fmt.Sprintf("line %d: %s", line, fmt.Sprintf(format, args...))}
	}
	// RawToken, with the nesting checked here, costs about a third less than
	// Token, which translates the namespaces of every element.
	var open []xml.Name
	row, roots := 0, 0
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errOverBudget) {
				return g.tooLarge(name)
			}
			return fault(row, "the XML is broken or cut off (%v)", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(open) == 0 {
				roots++
			}
			if len(open) == maxXMLDepth {
				return fault(row, "the XML nests deeper than %d elements", maxXMLDepth)
			}
			open = append(open, t.Name)
			g.noteElement(name, t, &row)
		case xml.EndElement:
			if len(open) == 0 || open[len(open)-1] != t.Name {
				return fault(row, "the XML is broken (element </%s> closes nothing open)", clip(t.Name.Local, 40))
			}
			open = open[:len(open)-1]
		case xml.Directive:
			return fault(row, "the XML declares a DTD or entities (<!%s>), which workbooks never need: refused", clip(string(t), 40))
		}
	}
	switch {
	case len(open) > 0:
		return fault(row, "the XML is cut off (<%s> is never closed)", clip(open[len(open)-1].Local, 40))
	case roots == 0:
		return fault(row, "the XML part is empty")
	}
	return nil
}

// noteElement keeps what the check needs of an element: sheet names and
// relationships of the workbook, and the row being read in a worksheet.
func (g *guard) noteElement(part string, e xml.StartElement, row *int) {
	switch {
	case e.Name.Local == "row":
		if n, err := strconv.Atoi(attr(e, "r")); err == nil && n > 0 {
			*row = n
		} else {
			*row++
		}
	case part == workbookPart && e.Name.Local == "sheet":
		name := attr(e, "name")
		if g.sheetRel == nil {
			g.sheetRel = map[string]string{}
		}
		for _, a := range e.Attr {
			if a.Name.Local == "id" {
				g.sheetRel[a.Value] = name
			}
		}
	case part == workbookRelsPart && e.Name.Local == "Relationship":
		if g.relTarget == nil {
			g.relTarget = map[string]string{}
		}
		g.relTarget[attr(e, "Id")] = attr(e, "Target")
	}
}

// mapSheets names the worksheet parts after the workbook's relationships.
func (g *guard) mapSheets() {
	for id, sheet := range g.sheetRel {
		target := g.relTarget[id]
		if target == "" {
			continue
		}
		if strings.HasPrefix(target, "/") {
			g.sheetOf[partName(target)] = sheet
		} else {
			g.sheetOf[partName(path.Join("xl", target))] = sheet
		}
	}
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// errOverBudget is what budgetReader returns past the size budget.
var errOverBudget = errors.New("over the unzipped-size limit")

// budgetReader reads at most left bytes and then fails, so that a part whose
// header lies about its size cannot unpack without bound.
type budgetReader struct {
	r    io.Reader
	left int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a part that ends exactly at the budget from a
		// larger one.
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			return 0, errOverBudget
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// clip shortens s to n runes for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

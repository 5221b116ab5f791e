package importer

import (
	"archive/zip"
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/clout-dev/clout/indicators"
)

// fileKind is what the bytes of an upload are, whatever its name says.
type fileKind uint8

const (
	kindCSV fileKind = iota + 1
	kindXLSX
	kindZip  // an archive holding the file: the World Bank bulk download
	kindGzip // a gzipped csv or csvy
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Media types of the files Clout imports.
const (
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	ContentTypeCSV  = "text/csv; charset=utf-8"
)

// Sniff checks from the bytes, as Import does, that data is a file Clout
// imports, and returns its media type: ContentTypeXLSX, ContentTypeCSV, or csv
// in Windows-1252 (which Import decodes). Anything else is an EUNSUPPORTED error
// that says what the file is, an empty file EINVALID.
func Sniff(data []byte) (string, error) { return SniffFile(bytes.NewReader(data)) }

// SniffFile is Sniff of a file read where it lies: its head, and for a zip
// archive its directory. Text is told UTF-8 or Windows-1252 from its head.
func SniffFile(f indicators.FileContent) (string, error) {
	head, err := readHead(f, sniffSize)
	if err != nil {
		return "", err
	}
	text := bytes.TrimPrefix(head, utf8BOM)
	kind, err := sniff(f, head, int64(len(head)) == f.Size() && len(bytes.TrimSpace(text)) == 0)
	switch {
	case err != nil:
		return "", err
	case kind == kindXLSX:
		return ContentTypeXLSX, nil
	case kind == kindZip:
		return "application/zip", nil
	case kind == kindGzip:
		return "application/gzip", nil
	case !utf8.Valid(text[:validPrefix(text, int64(len(head)) == f.Size())]):
		return "text/csv; charset=windows-1252", nil
	}
	return ContentTypeCSV, nil
}

// validPrefix is how much of text to check for UTF-8: all of it at the end of
// the file, else up to a rune that the end of the buffer may have cut.
func validPrefix(text []byte, end bool) int {
	if end {
		return len(text)
	}
	for i := len(text) - 1; i >= max(0, len(text)-utf8.UTFMax); i-- {
		if utf8.RuneStart(text[i]) {
			if !utf8.FullRune(text[i:]) {
				return i
			}
			break
		}
	}
	return len(text)
}

// sniff decides from the bytes (head, the first sniffSize of f) whether f is an
// xlsx workbook or csv text; the file name is never trusted, since anyone can
// rename a file. blank says the file holds only white space.
func sniff(f indicators.FileContent, head []byte, blank bool) (fileKind, error) {
	switch {
	case blank:
		return 0, indicators.Errorf(indicators.EINVALID, "the file is empty")
	case bytes.HasPrefix(head, zipMagic):
		return sniffZip(f)
	case bytes.HasPrefix(head, gzipMagic):
		return kindGzip, nil
	case bytes.HasPrefix(head, oleMagic):
		return 0, indicators.Errorf(indicators.EUNSUPPORTED, "the file is a legacy .xls or an encrypted workbook: save it as .xlsx or .csv")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return 0, indicators.Errorf(indicators.EUNSUPPORTED, "the file is UTF-16 text: save it as UTF-8 csv")
	case looksText(head):
		return kindCSV, nil
	}
	return 0, indicators.Errorf(indicators.EUNSUPPORTED, "the file is neither an xlsx workbook nor csv text")
}

// sniffZip tells an xlsx workbook from an archive holding a data file.
func sniffZip(f indicators.FileContent) (fileKind, error) {
	zr, err := zip.NewReader(f, f.Size())
	if err != nil {
		return 0, indicators.Errorf(indicators.EUNSUPPORTED, "the file is a damaged zip archive")
	}
	if isXLSX(zr) {
		return kindXLSX, nil
	}
	if members, _ := dataMembers(zr); len(members) > 0 {
		return kindZip, nil
	}
	return 0, indicators.Errorf(indicators.EUNSUPPORTED, "the file is a zip archive but neither an xlsx workbook nor an archive holding a csv or xlsx file")
}

// isXLSX reports whether a zip archive holds a SpreadsheetML workbook.
func isXLSX(zr *zip.Reader) bool {
	for _, f := range zr.File {
		if strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), "xl/workbook.xml") {
			return true
		}
	}
	return false
}

// looksText reports whether the head of a file is text: no NUL and few control
// bytes. Text that is not UTF-8 is read as Windows-1252 later (readCSV).
func looksText(head []byte) bool {
	ctl := 0
	for _, c := range head {
		switch {
		case c == 0:
			return false
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f':
			ctl++
		}
	}
	return ctl*100 <= len(head)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

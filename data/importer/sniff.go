package importer

import (
	"archive/zip"
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/clout-dev/clout/indicators"
	"golang.org/x/text/encoding/charmap"
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
func Sniff(data []byte) (string, error) {
	kind, err := sniff(data)
	switch {
	case err != nil:
		return "", err
	case kind == kindXLSX:
		return ContentTypeXLSX, nil
	case kind == kindZip:
		return "application/zip", nil
	case kind == kindGzip:
		return "application/gzip", nil
	case !utf8.Valid(bytes.TrimPrefix(data, utf8BOM)):
		return "text/csv; charset=windows-1252", nil
	}
	return ContentTypeCSV, nil
}

// sniff decides from the bytes whether data is an xlsx workbook or csv text; the
// file name is never trusted, since anyone can rename a file.
func sniff(data []byte) (fileKind, error) {
	switch {
	case len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0:
		return 0, indicators.Errorf(indicators.EINVALID, "the file is empty")
	case bytes.HasPrefix(data, zipMagic):
		return sniffZip(data)
	case bytes.HasPrefix(data, gzipMagic):
		return kindGzip, nil
	case bytes.HasPrefix(data, oleMagic):
		return 0, indicators.Errorf(indicators.EUNSUPPORTED, "the file is a legacy .xls or an encrypted workbook: save it as .xlsx or .csv")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return 0, indicators.Errorf(indicators.EUNSUPPORTED, "the file is UTF-16 text: save it as UTF-8 csv")
	case looksText(data):
		return kindCSV, nil
	}
	return 0, indicators.Errorf(indicators.EUNSUPPORTED, "the file is neither an xlsx workbook nor csv text")
}

// sniffZip tells an xlsx workbook from an archive holding a data file.
func sniffZip(data []byte) (fileKind, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
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

// looksText reports whether the head of data is text: no NUL and few control bytes.
// Text that is not UTF-8 is read as Windows-1252 later (decodeText).
func looksText(data []byte) bool {
	head := data[:min(len(data), 64<<10)]
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

// decodeText returns data as UTF-8: as is when it is UTF-8 (BOM removed), else
// decoded from Windows-1252, the encoding of csv files saved by Excel in the West.
func decodeText(data []byte) ([]byte, bool) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if utf8.Valid(data) {
		return data, false
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return data, false
	}
	return out, true
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

package testkit

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/ziptest"
)

// HostileWorkbook is a broken or hostile xlsx file and what its rejection must
// say: the error code and the parts of the place it must name.
type HostileWorkbook struct {
	Name string   // a short name, also the file's base name
	Data []byte   // the file
	Code string   // the expected error code (indicators.EINVALID, ETOOLARGE)
	Want []string // substrings the error message must hold (sheet, row, part)
}

// HostileRows is how many data rows the hostile workbooks' sheet holds; the
// faults sit in row HostileRows/2 of the sheet, so a reader that stops at the
// fault would have read half of them.
const HostileRows = 100

// HostileWorkbooks returns workbooks broken in every way the importer must
// refuse whole: XML cut off (inside a tag and between rows), an undefined entity, an XXE entity, billion
// laughs, nesting a million deep, a zip bomb part of bombSize bytes (honest and
// lying headers), a checksum error, a workbook without sheets and a sheet whose
// part is missing. Each starts as HostileGood.
func HostileWorkbooks(tb testing.TB, bombSize int64) []HostileWorkbook {
	tb.Helper()
	base := HostileGood(tb)
	const sheetPart, sstPart = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"
	mid := HostileRows / 2 // spreadsheet row mid+1 is data row mid
	rowTag := fmt.Sprintf(`<row r="%d"`, mid+1)
	// inRow puts inner XML as an extra cell at the start of the middle row.
	inRow := func(inner string) func([]byte) []byte {
		return func(x []byte) []byte {
			s := string(x)
			i := strings.Index(s, rowTag)
			if i < 0 {
				tb.Fatalf("no %s in the sheet", rowTag)
			}
			j := i + strings.Index(s[i:], ">") + 1
			return []byte(s[:j] + fmt.Sprintf(`<c r="H%d" t="inlineStr"><is><t>%s</t></is></c>`, mid+1, inner) + s[j:])
		}
	}
	withDTD := func(dtd string, then func([]byte) []byte) func([]byte) []byte {
		return func(x []byte) []byte {
			s := string(then(x))
			i := strings.Index(s, "?>") + 2
			return []byte(s[:i] + dtd + s[i:])
		}
	}
	laughs := `<!DOCTYPE sst [<!ENTITY lol "lol">` +
		`<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">` +
		`<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>`
	const depth = 1_000_000
	sheetPlace := []string{`sheet "Data"`, sheetPart}
	midRow := fmt.Sprintf("row %d", mid+1)
	return []HostileWorkbook{
		{Name: "truncated", Code: indicators.EINVALID, Want: append(sheetPlace, fmt.Sprintf("row %d", mid), "cut off"),
			Data: rewriteZip(tb, base, map[string]func([]byte) []byte{sheetPart: func(x []byte) []byte {
				return x[:bytes.Index(x, []byte(rowTag))+len(rowTag)-3]
			}}, nil)},
		{Name: "truncated-between-rows", Code: indicators.EINVALID, Want: append(sheetPlace, fmt.Sprintf("row %d", mid), "cut off", "never closed"),
			Data: rewriteZip(tb, base, map[string]func([]byte) []byte{sheetPart: func(x []byte) []byte {
				return x[:bytes.Index(x, []byte(rowTag))]
			}}, nil)},
		{Name: "undefined-entity", Code: indicators.EINVALID, Want: append(sheetPlace, midRow, "&undefined;"),
			Data: rewriteZip(tb, base, map[string]func([]byte) []byte{sheetPart: inRow("&undefined;")}, nil)},
		{Name: "xxe", Code: indicators.EINVALID, Want: append(sheetPlace, "DTD"),
			Data: rewriteZip(tb, base, map[string]func([]byte) []byte{
				sheetPart: withDTD(`<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`, inRow("&xxe;"))}, nil)},
		{Name: "billion-laughs", Code: indicators.EINVALID, Want: []string{"xl/sharedstrings.xml", "DTD"},
			Data: rewriteZip(tb, base, map[string]func([]byte) []byte{
				sstPart: withDTD(laughs, func(x []byte) []byte {
					return bytes.Replace(x, []byte("<t>persons</t>"), []byte("<t>&lol9;</t>"), 1)
				})}, nil)},
		{Name: "deep-nesting", Code: indicators.EINVALID, Want: append(sheetPlace, midRow, "nests deeper"),
			Data: rewriteZip(tb, base, map[string]func([]byte) []byte{
				sheetPart: inRow(strings.Repeat("<x>", depth) + strings.Repeat("</x>", depth))}, nil)},
		{Name: "zip-bomb", Code: indicators.ETOOLARGE, Want: []string{"xl/media/image1.png", "unpacks to more than"},
			Data: rewriteZip(tb, base, nil, []rawMember{{name: "xl/media/image1.png", size: bombSize}})},
		{Name: "zip-bomb-lying-header", Code: indicators.EINVALID, Want: []string{"xl/media/image1.png", "cannot be unpacked"},
			Data: rewriteZip(tb, base, nil, []rawMember{{name: "xl/media/image1.png", size: bombSize, declared: 1024}})},
		{Name: "checksum", Code: indicators.EINVALID, Want: []string{"xl/media/image1.png", "checksum"},
			Data: rewriteZip(tb, base, nil, []rawMember{{name: "xl/media/image1.png", size: 4096, badCRC: true}})},
		{Name: "no-sheets", Code: indicators.EINVALID, Want: []string{"the workbook has no sheets"},
			Data: rewriteZip(tb, base, map[string]func([]byte) []byte{"xl/workbook.xml": func(x []byte) []byte {
				s := string(x)
				i, j := strings.Index(s, "<sheets>"), strings.Index(s, "</sheets>")+len("</sheets>")
				return []byte(s[:i] + "<sheets></sheets>" + s[j:])
			}}, nil)},
		{Name: "missing-sheet-part", Code: indicators.EINVALID, Want: []string{`sheet "Data"`, "cannot be read"},
			Data: rewriteZip(tb, base, map[string]func([]byte) []byte{sheetPart: nil}, nil)},
	}
}

// HostileGood is the valid workbook the hostile ones are made from:
// HostileRows rows of SP.POP.TOTL for ARM, one year each from 1900.
func HostileGood(tb testing.TB) []byte {
	tb.Helper()
	rows := make([][]any, HostileRows)
	for i := range rows {
		rows[i] = []any{"SP.POP.TOTL", "ARM", "", 1900 + i, 1000 + i, "persons", "WDI"}
	}
	return TidyWorkbook(tb, rows)
}

// rawMember is a member added to a zip as raw deflated bytes: size zero bytes,
// with a header that may lie about the size (declared) or the checksum.
type rawMember struct {
	name     string
	size     int64
	declared uint64 // 0: the real size
	badCRC   bool
}

// rewriteZip copies a zip, changing the members named in edit (a nil function
// drops the member) and appending raw members.
func rewriteZip(tb testing.TB, data []byte, edit map[string]func([]byte) []byte, add []rawMember) []byte {
	tb.Helper()
	return ziptest.Rewrite(tb, data, edit, func(zw *zip.Writer) {
		for _, m := range add {
			var packed bytes.Buffer
			fw, _ := flate.NewWriter(&packed, flate.BestCompression)
			crc := crc32.NewIEEE()
			chunk := make([]byte, 1<<20)
			for left := m.size; left > 0; left -= int64(len(chunk)) {
				c := chunk[:min(int64(len(chunk)), left)]
				fw.Write(c)
				crc.Write(c)
			}
			if err := fw.Close(); err != nil {
				tb.Fatal(err)
			}
			h := &zip.FileHeader{Name: m.name, Method: zip.Deflate, CRC32: crc.Sum32(),
				CompressedSize64: uint64(packed.Len()), UncompressedSize64: uint64(m.size)}
			if m.declared > 0 {
				h.UncompressedSize64 = m.declared
			}
			if m.badCRC {
				h.CRC32 ^= 0xdeadbeef
			}
			w, err := zw.CreateRaw(h)
			if err != nil {
				tb.Fatal(err)
			}
			if _, err := w.Write(packed.Bytes()); err != nil {
				tb.Fatal(err)
			}
		}
	})
}

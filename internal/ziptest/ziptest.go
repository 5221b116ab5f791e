// Package ziptest rewrites zip archives (workbooks) for tests that need a broken
// or hostile one: members changed, dropped or appended raw. It imports nothing
// of Clout, so the importer's own tests and testkit can both use it.
package ziptest

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

// Rewrite copies the zip data, changing the members named in edit (a nil
// function drops the member); then appendRaw, if not nil, may add members
// to the writer before it is closed.
func Rewrite(tb testing.TB, data []byte, edit map[string]func([]byte) []byte, appendRaw func(zw *zip.Writer)) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		if fn, ok := edit[f.Name]; ok {
			if fn == nil {
				continue
			}
			body = fn(body)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			tb.Fatal(err)
		}
	}
	if appendRaw != nil {
		appendRaw(zw)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

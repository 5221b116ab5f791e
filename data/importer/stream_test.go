package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// A csv read where it lies (Request.File, as `clout import` passes a local
// file) is streamed: CSVY front matter is skipped line by line and counted in
// the row numbers, a first line "---" that nothing closes is no front matter,
// Windows-1252 text is decoded on the way, and the stored original is the file.
func TestImportStreamedCSV(t *testing.T) {
	cases := []struct {
		name, text string
		obs        int
		vintage    string
		errRow     int // the row of the first error, 0: none
		warning    string
	}{
		{name: "front matter", text: string(csvText("---", "name: pop", "last_updated: 2024-02-29", "---", "indicator,country,period,value", "SP.POP.TOTL,ARM,2019,1", "SP.POP.TOTL,KAZ,2019,2")),
			obs: 2, vintage: "2024-02"},
		{name: "error row counts the front matter", text: string(csvText("---", "a: b", "---", "indicator,country,period,value", "SP.POP.TOTL,ARM,2019,1", "SP.POP.TOTL,KAZ,2019,abc")),
			errRow: 6},
		{name: "unclosed front matter is a title row", text: string(csvText("---", "indicator,country,period,value", "SP.POP.TOTL,ARM,2019,1")), obs: 1},
		{name: "Windows-1252", text: "indicator,country,period,value,note\nSP.POP.TOTL,ARM,2019,1,caf\xe9\n", obs: 1, warning: "Windows-1252"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pop.csv")
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st := MustOpenStore(t)
			rep, err := New(st, Options{}).Import(context.Background(), Request{FileName: "pop.csv",
				File: io.NewSectionReader(f, 0, int64(len(tc.text))), Local: true})
			if tc.errRow > 0 {
				if indicators.ErrorCode(err) != indicators.EINVALID || len(rep.Errors) == 0 || rep.Errors[0].Row != tc.errRow {
					t.Fatalf("err %v, errors %+v; want EINVALID at row %d", err, rep.Errors, tc.errRow)
				}
				return
			}
			if err != nil {
				t.Fatalf("import: %v %+v", err, rep.Errors)
			}
			if rep.Observations != tc.obs || rep.Vintage != tc.vintage {
				t.Errorf("%d observations, vintage %q; want %d, %q", rep.Observations, rep.Vintage, tc.obs, tc.vintage)
			}
			if tc.warning != "" && !hasProblem(rep.Warnings, tc.warning) {
				t.Errorf("warnings %+v lack %q", rep.Warnings, tc.warning)
			}
			if file, err := versionFileBytes(st, rep.Dataset, rep.Version); err != nil || string(file) != tc.text {
				t.Errorf("stored original differs from the file (%d bytes, err %v)", len(file), err)
			}
			if sum := sha256.Sum256([]byte(tc.text)); rep.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("report SHA-256 %q, want %x", rep.SHA256, sum)
			}
		})
	}
}

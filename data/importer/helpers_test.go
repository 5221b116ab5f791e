package importer

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
	"github.com/xuri/excelize/v2"
)

// MustOpenStore opens a real SQLite store in a temporary directory.
func MustOpenStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "clout.db"))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// sheet is one worksheet of a test workbook: its name and rows of cell values
// (strings are written as text, numbers as numbers, nil leaves a cell empty).
type sheet struct {
	name string
	rows [][]any
}

// MustXLSX writes a workbook with excelize, the way spreadsheet programs do.
func MustXLSX(tb testing.TB, sheets ...sheet) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				tb.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			tb.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(s.name, ref, v); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// csvText joins lines with "\n".
func csvText(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// MustImport runs an import that must succeed.
func MustImport(tb testing.TB, im *Importer, req Request) *indicators.ImportReport {
	tb.Helper()
	rep, err := im.Import(context.Background(), req)
	if err != nil {
		tb.Fatalf("import %s: %v\nerrors: %+v", req.FileName, err, indicators.ErrorDetails(err))
	}
	return rep
}

// MustObservations reads the live observations of the store.
func MustObservations(tb testing.TB, st indicators.Store, q indicators.Query) []indicators.Observation {
	tb.Helper()
	obs, err := st.Observations(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	return obs
}

// find returns the observation with key k.
func find(obs []indicators.Observation, k indicators.Key) (indicators.Observation, bool) {
	for _, o := range obs {
		if o.Key() == k {
			return o, true
		}
	}
	return indicators.Observation{}, false
}

func key(ind, cty, par, per string) indicators.Key {
	return indicators.Key{Indicator: ind, Country: cty, Partner: par, Period: indicators.MustPeriod(per)}
}

// vkey is k in vintage v.
func vkey(k indicators.Key, v string) indicators.Key {
	k.Vintage = v
	return k
}

// hasProblem reports whether some problem's message contains msg.
func hasProblem(ps []indicators.ImportProblem, msg string) bool {
	for _, p := range ps {
		if strings.Contains(p.Message, msg) {
			return true
		}
	}
	return false
}

// versionFileBytes reads a version's original file whole from the store.
func versionFileBytes(st indicators.Store, dataset string, number int) ([]byte, error) {
	f, err := st.VersionFile(context.Background(), dataset, number)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.NewSectionReader(f.Content, 0, f.Content.Size()))
}

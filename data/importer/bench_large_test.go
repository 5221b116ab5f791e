package importer

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// largeCSVBytes is the size of the IEA-style benchmark file: the IEA's full gas
// imports table is 57.5 MiB.
const largeCSVBytes = 60 << 20

// ieaCSV writes an OECD.Stat / IEA natural-gas imports table (code–label column
// pairs, monthly) of about largeCSVBytes: each (origin, importer) pair has 300
// months, origins and importers drawn from 250 ISO countries, never equal.
func ieaCSV(w io.Writer) error {
	codes := isoCodes()
	bw := bufio.NewWriterSize(w, 1<<20)
	n, _ := bw.WriteString("ORIGIN,Origin,PRODUCT,Product,COUNTRY,Country,TIME,Time,Value,Flag Codes,Flags\n")
	written := int64(n)
	for i := 0; written < largeCSVBytes; i++ {
		pair, m := i/300, i%300
		o, d := (pair/249)%250, pair%249
		if d >= o {
			d++
		}
		period := strconv.Itoa(2000+m/12) + "-" + strconv.Itoa(100 + m%12 + 1)[1:]
		line := codes[o] + ",Origin " + codes[o] + ",NATGAS,Natural gas," + codes[d] + ",Country " + codes[d] + "," +
			period + "," + period + "," + strconv.Itoa(1+i%99991) + ",,\n"
		n, err := bw.WriteString(line)
		if err != nil {
			return err
		}
		written += int64(n)
	}
	return bw.Flush()
}

// BenchmarkImportIEACSV60M imports a 60 MiB IEA-style csv from a local file, as
// `clout import` does (streamed from the file , no upload limit; the cell limit raised for its ~9 M
// cells), into a real SQLite file, and reports the process's peak RSS (target
// ≤ 300 MiB, docs/benchmarks.md).
func BenchmarkImportIEACSV60M(b *testing.B) {
	path := fixture(b, "iea60m.csv", ieaCSV, nil)
	dir := b.TempDir()
	if os.Getenv("GOMEMLIMIT") == "" { // as `clout import` runs
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(CLIMemoryLimit))
	}
	rows := countRows(b, path)
	resetPeak(b)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for i := range b.N {
		b.StopTimer()
		db := filepath.Join(dir, "iea"+strconv.Itoa(i)+".db")
		st, err := sqlite.Open(context.Background(), db)
		if err != nil {
			b.Fatal(err)
		}
		im := New(st, Options{MaxCells: 20_000_000})
		b.StartTimer()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		info, err := f.Stat()
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(info.Size())
		// Read where it lies, as `clout import` does.
		rep, err := im.Import(context.Background(), Request{FileName: "iea_gas_imports.csv", File: io.NewSectionReader(f, 0, info.Size()), Local: true})
		b.StopTimer()
		f.Close()
		if err != nil {
			b.Fatal(err, indicators.ErrorDetails(err))
		}
		if rep.Observations != rows || rep.Layout != "oecd" {
			b.Fatalf("layout %s, %d observations, want oecd, %d", rep.Layout, rep.Observations, rows)
		}
		st.Close()
		os.Remove(db)
		b.StartTimer()
	}
	b.StopTimer()
	report(b, rows, cpu0)
}

// countRows counts the data rows of a csv file (lines after the header).
func countRows(tb testing.TB, path string) int {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := -1
	for sc.Scan() {
		n++
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return n
}

package importer

import (
	"bufio"
	"bytes"
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
// `clout import` does (no upload limit; the cell limit raised for its ~9 M
// cells), into a real SQLite file, and reports the process's peak RSS (target
// ≤ 300 MiB, docs/benchmarks.md).
func BenchmarkImportIEACSV60M(b *testing.B) {
	path := fixture(b, "iea60m.csv", ieaCSV, nil)
	dir := b.TempDir()
	if os.Getenv("GOMEMLIMIT") == "" { // as `clout import` runs
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(CLIMemoryLimit))
	}
	resetPeak(b)
	b.ReportAllocs()
	cpu0 := cpuTime()
	var rows int
	for i := range b.N {
		b.StopTimer()
		db := filepath.Join(dir, "iea"+strconv.Itoa(i)+".db")
		st, err := sqlite.Open(context.Background(), db)
		if err != nil {
			b.Fatal(err)
		}
		im := New(st, Options{MaxCells: 20_000_000})
		b.StartTimer()
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
		rows = bytes.Count(data, []byte("\n")) - 1
		rep, err := im.Import(context.Background(), Request{FileName: "iea_gas_imports.csv", Data: data, Local: true})
		b.StopTimer()
		if err != nil {
			b.Fatal(err, indicators.ErrorDetails(err))
		}
		if rep.Observations != rows || rep.Layout != "oecd" {
			b.Fatalf("layout %s, %d observations, want oecd, %d", rep.Layout, rep.Observations, rows)
		}
		data = nil
		st.Close()
		os.Remove(db)
		b.StartTimer()
	}
	b.StopTimer()
	report(b, rows, cpu0)
}

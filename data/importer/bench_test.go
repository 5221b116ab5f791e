package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
	"github.com/xuri/excelize/v2"
)

// The import benchmarks (targets in docs/benchmarks.md): a 1-million-row tidy csv and xlsx and a
// 1-million-cell wide xlsx, imported end to end into a real SQLite file, next to
// excelize's raw streaming read of the same xlsx; and the World Bank bulk CSV of
// the whole world. Each reports rows/s and the peak resident memory of the run.
// Fixture files are generated once per process into a temporary directory.

const benchRows = 1_000_000

var (
	fixtureMu  sync.Mutex
	fixtureDir string
)

// fixture returns the path of a generated fixture, writing it on first use.
func fixture(b *testing.B, name string, gen func(w io.Writer) error, xlsx func(path string) error) string {
	b.Helper()
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	if fixtureDir == "" {
		dir, err := os.MkdirTemp("", "clout-import-bench-")
		if err != nil {
			b.Fatal(err)
		}
		fixtureDir = dir
	}
	path := filepath.Join(fixtureDir, name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	var err error
	if xlsx != nil {
		err = xlsx(path)
	} else {
		var f *os.File
		if f, err = os.Create(path); err == nil {
			w := bufio.NewWriterSize(f, 1<<20)
			if err = gen(w); err == nil {
				err = w.Flush()
			}
			f.Close()
		}
	}
	if err != nil {
		os.Remove(path)
		b.Fatal(err)
	}
	return path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// tidyRow returns row i of the 1M-row tidy fixture: 5 indicators × 250 countries
// × 800 months, every key distinct, sorted by indicator, country and period as
// statistical exports are.
func tidyRow(i int, codes []string) (ind, cty, per string, v float64) {
	ind = [...]string{"SP.POP.TOTL", "NY.GDP.MKTP.PP.CD", "NY.GDP.MKTP.CD", "TXG_FOB_USD", "TMG_CIF_USD"}[i/(250*800)]
	cty = codes[(i/800)%250]
	m := i % 800
	per = fmt.Sprintf("%d-%02d", 1950+m/12, m%12+1)
	return ind, cty, per, float64(i%99991)*1234.5678 + 0.25
}

func isoCodes() []string {
	var out []string
	for _, c := range indicators.DefaultCountries().All() {
		if !c.Aggregate && c.Alpha2 != "" {
			out = append(out, c.Code)
		}
	}
	return out[:250]
}

func tidyCSV(w io.Writer) error {
	codes := isoCodes()
	bw := bufio.NewWriter(w)
	bw.WriteString("indicator,country,period,value\n")
	for i := range benchRows {
		ind, cty, per, v := tidyRow(i, codes)
		bw.WriteString(ind + "," + cty + "," + per + "," + strconv.FormatFloat(v, 'f', -1, 64) + "\n")
	}
	return bw.Flush()
}

func tidyXLSX(path string) error {
	codes := isoCodes()
	return writeStreamed(path, "Data", benchRows, func(i int) []any {
		if i == 0 {
			return []any{"indicator", "country", "period", "value"}
		}
		ind, cty, per, v := tidyRow(i-1, codes)
		return []any{ind, cty, per, v}
	})
}

// wideXLSX writes 16,000 rows × (2 identifier + 64 year) columns ≈ 1.06 M cells.
func wideXLSX(path string) error {
	codes := isoCodes()
	const rows = 16_000
	return writeStreamed(path, "Data", rows, func(i int) []any {
		row := make([]any, 0, 66)
		if i == 0 {
			row = append(row, "Indicator", "Country")
			for y := 1960; y < 2024; y++ {
				row = append(row, strconv.Itoa(y))
			}
			return row
		}
		row = append(row, fmt.Sprintf("IND.%03d", (i-1)/250), codes[(i-1)%250])
		for y := range 64 {
			row = append(row, float64((i*64+y)%99991)*12.5+0.5)
		}
		return row
	})
}

// writeStreamed writes rows+1 rows with excelize's StreamWriter.
func writeStreamed(path, sheetName string, rows int, row func(i int) []any) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return err
	}
	for i := 0; i <= rows; i++ {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(ref, row(i)); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// resetPeak frees what earlier work left and resets the kernel's peak-RSS mark
// (VmHWM), so that each benchmark reports its own peak.
func resetPeak(b *testing.B) {
	b.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset peak RSS: %v", err)
	}
}

// cpuTime returns the CPU time (user + system) the process has used. On a shared
// machine it is steadier than wall time, and it shows what the work costs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report adds rows/s, CPU seconds per run and peak RSS to a benchmark's result.
func report(b *testing.B, rows int, cpu0 time.Duration) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(peakRSS(), "peak-RSS-MiB")
}

// peakRSS returns VmHWM in MiB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func readFixture(b *testing.B, path string) []byte {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// benchImport imports path end to end into a fresh SQLite file per iteration.
func benchImport(b *testing.B, path string, wantObs int) {
	data := readFixture(b, path)
	dir := b.TempDir()
	resetPeak(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		st, err := sqlite.Open(context.Background(), "file:"+filepath.Join(dir, fmt.Sprintf("bench%d.db", i))+os.Getenv("BENCH_DSN"))
		if err != nil {
			b.Fatal(err)
		}
		im := New(st, Options{MaxUpload: 1 << 30, MaxCells: 10_000_000})
		b.StartTimer()
		rep, err := im.Import(context.Background(), Request{FileName: filepath.Base(path), Data: data})
		b.StopTimer()
		if err != nil {
			b.Fatal(err, indicators.ErrorDetails(err))
		}
		if rep.Observations != wantObs {
			b.Fatalf("observations = %d, want %d", rep.Observations, wantObs)
		}
		st.Close()
		os.Remove(filepath.Join(dir, fmt.Sprintf("bench%d.db", i)))
		b.StartTimer()
	}
	b.StopTimer()
	report(b, wantObs, cpu0)
}

func BenchmarkImportTidyCSV1M(b *testing.B) {
	benchImport(b, fixture(b, "tidy1m.csv", tidyCSV, nil), benchRows)
}

func BenchmarkImportTidyXLSX1M(b *testing.B) {
	benchImport(b, fixture(b, "tidy1m.xlsx", nil, tidyXLSX), benchRows)
}

func BenchmarkImportWideXLSX1M(b *testing.B) {
	benchImport(b, fixture(b, "wide1m.xlsx", nil, wideXLSX), 16_000*64)
}

// benchRawRead is excelize's raw streaming read of a workbook: open, iterate the
// rows of every sheet, fetch the columns (raw values, as the importer reads them).
func benchRawRead(b *testing.B, path string, wantRows int) {
	data := readFixture(b, path)
	resetPeak(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
		if err != nil {
			b.Fatal(err)
		}
		rows, cells := 0, 0
		for _, name := range f.GetSheetList() {
			it, err := f.Rows(name)
			if err != nil {
				b.Fatal(err)
			}
			for it.Next() {
				cols, err := it.Columns()
				if err != nil {
					b.Fatal(err)
				}
				rows++
				cells += len(cols)
			}
			it.Close()
		}
		f.Close()
		if rows != wantRows+1 {
			b.Fatalf("read %d rows, want %d", rows, wantRows+1)
		}
	}
	b.StopTimer()
	report(b, wantRows, cpu0)
}

func BenchmarkRawExcelizeRead1M(b *testing.B) {
	benchRawRead(b, fixture(b, "tidy1m.xlsx", nil, tidyXLSX), benchRows)
}

func BenchmarkRawExcelizeReadWide1M(b *testing.B) {
	benchRawRead(b, fixture(b, "wide1m.xlsx", nil, wideXLSX), 16_000)
}

// BenchmarkRawCSVRead1M is encoding/csv's read of the tidy csv, for scale.
func BenchmarkRawCSVRead1M(b *testing.B) {
	data := readFixture(b, fixture(b, "tidy1m.csv", tidyCSV, nil))
	resetPeak(b)
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		n := 0
		for {
			if _, err := r.Read(); err != nil {
				break
			}
			n++
		}
		if n != benchRows+1 {
			b.Fatalf("read %d records", n)
		}
	}
	b.StopTimer()
	report(b, benchRows, cpu0)
}

// BenchmarkWorldBankCSV imports the World Bank bulk CSV of the whole world (266
// economies × 64 years) end to end; target ≤ 150 ms.
func BenchmarkWorldBankCSV(b *testing.B) {
	data, _, figures := worldBankWorld(266)
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "wb.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	im := New(st, Options{})
	resetPeak(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		rep, err := im.Import(context.Background(), Request{FileName: "API_NY.GDP.MKTP.PP.CD_DS2_en_csv_v2.csv", Data: data})
		if err != nil || rep.Observations != figures {
			b.Fatalf("import: %v, %d observations", err, rep.Observations)
		}
	}
	b.StopTimer()
	report(b, 266, cpu0)
}

// benchParse is the importer without the store (a dry run): parse and validate.
func benchParse(b *testing.B, path string, wantObs int) {
	data := readFixture(b, path)
	im := New(nil, Options{MaxUpload: 1 << 30, MaxCells: 10_000_000})
	resetPeak(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		rep, err := im.Import(context.Background(), Request{FileName: filepath.Base(path), Data: data, DryRun: true})
		if err != nil || rep.Observations != wantObs {
			b.Fatalf("dry run: %v, %d observations", err, rep.Observations)
		}
	}
	b.StopTimer()
	report(b, wantObs, cpu0)
}

func BenchmarkParseTidyCSV1M(b *testing.B) {
	benchParse(b, fixture(b, "tidy1m.csv", tidyCSV, nil), benchRows)
}

func BenchmarkParseTidyXLSX1M(b *testing.B) {
	benchParse(b, fixture(b, "tidy1m.xlsx", nil, tidyXLSX), benchRows)
}

func BenchmarkParseWideXLSX1M(b *testing.B) {
	benchParse(b, fixture(b, "wide1m.xlsx", nil, wideXLSX), 16_000*64)
}

// BenchmarkGuardTidyXLSX1M is the workbook check alone (guardWorkbook): the
// cost every xlsx import pays before excelize reads it.
func BenchmarkGuardTidyXLSX1M(b *testing.B) {
	data := readFixture(b, fixture(b, "tidy1m.xlsx", nil, tidyXLSX))
	resetPeak(b)
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		if fault := guardWorkbook(bytes.NewReader(data), DefaultMaxUnzipped); fault != nil {
			b.Fatal(fault)
		}
	}
	b.StopTimer()
	report(b, benchRows, cpu0)
}

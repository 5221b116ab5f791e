package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// importBenchRows is the size of the tidy csv both importers load.
const importBenchRows = 1_000_000

// writeTidyCSV writes n rows of Clout's tidy layout: 5 indicators × 250 areas ×
// monthly periods, every key distinct, sorted as statistical exports are.
func writeTidyCSV(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("indicator,country,period,value\n")
	codes := []string{"SP.POP.TOTL", "NY.GDP.MKTP.PP.CD", "NY.GDP.MKTP.CD", "TXG_FOB_USD", "TMG_CIF_USD"}
	var countries []string
	for _, c := range indicators.DefaultCountries().All() {
		if !c.Aggregate && c.Alpha2 != "" && len(countries) < 250 {
			countries = append(countries, c.Code)
		}
	}
	per := n / (len(codes) * len(countries))
	for i := range n {
		m := i % per
		fmt.Fprintf(w, "%s,%s,%d-%02d,%s\n", codes[i/(per*len(countries))%len(codes)], countries[i/per%len(countries)],
			1950+m/12, m%12+1, strconv.FormatFloat(float64(i%99991)*1234.5678+0.25, 'f', -1, 64))
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// run is one timed process: wall time and peak resident memory.
type run struct {
	wall time.Duration
	rss  float64 // MiB
}

func timed(tb testing.TB, cmd *exec.Cmd) run {
	tb.Helper()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	r := run{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rss = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	return r
}

// sqlitePeerScript loads the csv into a table keyed like Clout's observations,
// with the same journal settings as Clout's store; the first %s may set the
// page size.
const sqlitePeerScript = `%s
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE observations (indicator TEXT NOT NULL, country TEXT NOT NULL, period TEXT NOT NULL, value REAL NOT NULL,
	PRIMARY KEY (indicator, country, period)) WITHOUT ROWID;
.mode csv
.import --skip 1 %s observations
`

// BenchmarkImportVsSQLiteCLI imports a 1 M-row tidy csv with the clout binary
// (`clout import` into a store that exists, as after a first `clout serve`: it is
// seeded and its claims judged once, untimed, and a copy is taken for each round) and with the sqlite3
// CLI (Debian's sqlite3 package: apt-get install sqlite3; skipped when absent)
// into an equally keyed table, alternating them over several rounds. Each run
// starts after a sync, so none pays for writing back the one before. The CLI
// runs twice: with SQLite's default 4 KiB pages, what its users get, and with
// Clout's 16 KiB. It reports the medians and minima, the ratios (target ≤ 1.2)
// and each one's peak RSS (target for clout ≤ 200 MiB).
func BenchmarkImportVsSQLiteCLI(b *testing.B) {
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("the sqlite3 CLI is not installed (apt-get install sqlite3)")
	}
	const rounds = 5
	dir := b.TempDir()
	ctx := context.Background()
	bin := filepath.Join(dir, "clout")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	csv := filepath.Join(dir, "tidy1m.csv")
	writeTidyCSV(b, csv, importBenchRows)
	seeded := filepath.Join(dir, "seeded.db")
	if out, err := exec.CommandContext(ctx, bin, "claims", "check", "--db", seeded).CombinedOutput(); err != nil {
		b.Fatalf("seed a store: %v\n%s", err, out)
	}
	if _, err := exec.LookPath("uptime"); err == nil {
		out, _ := exec.Command("uptime").Output()
		b.Logf("load: %s", strings.TrimSpace(string(out)))
	}
	contenders := []struct {
		name string
		runs []run
		run  func(db string) run
	}{
		{name: "clout import", run: func(db string) run {
			copyFile(b, seeded, db)
			syncDisks()
			return timed(b, exec.Command(bin, "import", "--db", db, "--dataset", "bench", csv))
		}},
		{name: "sqlite3 CLI", run: func(db string) run {
			cmd := exec.Command(sqlite3, db)
			cmd.Stdin = strings.NewReader(fmt.Sprintf(sqlitePeerScript, "", csv))
			syncDisks()
			return timed(b, cmd)
		}},
		{name: "sqlite3 CLI, 16 KiB pages", run: func(db string) run {
			cmd := exec.Command(sqlite3, db)
			cmd.Stdin = strings.NewReader(fmt.Sprintf(sqlitePeerScript, "PRAGMA page_size=16384;", csv))
			syncDisks()
			return timed(b, cmd)
		}},
	}
	b.ResetTimer()
	for i := range b.N * rounds {
		for j := range contenders {
			c := &contenders[(i+j)%len(contenders)] // each goes first in turn
			db := filepath.Join(dir, fmt.Sprintf("round%d.db", i))
			c.runs = append(c.runs, c.run(db))
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(db + suffix)
			}
		}
	}
	b.StopTimer()
	stats := func(rs []run) (median, minimum time.Duration, rss float64) {
		w := make([]time.Duration, len(rs))
		for i, r := range rs {
			w[i] = r.wall
			rss = max(rss, r.rss)
		}
		slices.Sort(w)
		return w[len(w)/2], w[0], rss
	}
	cm, cmin, crss := stats(contenders[0].runs)
	for _, c := range contenders {
		m, mn, rss := stats(c.runs)
		b.Logf("%-26s median %s, min %s, peak RSS %.0f MiB", c.name+":", m.Round(time.Millisecond), mn.Round(time.Millisecond), rss)
	}
	pm, pmin, prss := stats(contenders[1].runs)
	p16, p16min, _ := stats(contenders[2].runs)
	b.ReportMetric(cm.Seconds(), "clout-s")
	b.ReportMetric(pm.Seconds(), "sqlite3-s")
	b.ReportMetric(cm.Seconds()/pm.Seconds(), "ratio")
	b.ReportMetric(cmin.Seconds()/pmin.Seconds(), "ratio-min")
	b.ReportMetric(cm.Seconds()/p16.Seconds(), "ratio-16KiB")
	b.ReportMetric(cmin.Seconds()/p16min.Seconds(), "ratio-16KiB-min")
	b.ReportMetric(crss, "clout-peak-RSS-MiB")
	b.ReportMetric(prss, "sqlite3-peak-RSS-MiB")
}

// copyFile copies the file at from to to.
func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// syncDisks writes back every dirty page, so the next timed run starts clean.
func syncDisks() { syscall.Sync() }

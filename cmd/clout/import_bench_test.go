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
// with the same journal settings as Clout's store.
const sqlitePeerScript = `PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE observations (indicator TEXT NOT NULL, country TEXT NOT NULL, period TEXT NOT NULL, value REAL NOT NULL,
	PRIMARY KEY (indicator, country, period)) WITHOUT ROWID;
.mode csv
.import --skip 1 %s observations
`

// BenchmarkImportVsSQLiteCLI imports a 1 M-row tidy csv with the clout binary
// (`clout import`, a fresh SQLite store each time) and with the sqlite3 CLI
// (Debian's sqlite3 package: apt-get install sqlite3; skipped when absent) into
// an equally keyed table, alternating the two over several rounds. It reports
// the medians and minima of both, their ratio (target ≤ 1.2) and each one's peak
// RSS (target for clout ≤ 200 MiB).
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
	if _, err := exec.LookPath("uptime"); err == nil {
		out, _ := exec.Command("uptime").Output()
		b.Logf("load: %s", strings.TrimSpace(string(out)))
	}
	var clout, peer []run
	b.ResetTimer()
	for i := range b.N * rounds {
		cloutRun := func() {
			db := filepath.Join(dir, fmt.Sprintf("clout%d.db", i))
			clout = append(clout, timed(b, exec.Command(bin, "import", "--db", db, "--dataset", "bench", csv)))
			os.Remove(db)
		}
		peerRun := func() {
			db := filepath.Join(dir, fmt.Sprintf("peer%d.db", i))
			cmd := exec.Command(sqlite3, db)
			cmd.Stdin = strings.NewReader(fmt.Sprintf(sqlitePeerScript, csv))
			peer = append(peer, timed(b, cmd))
			os.Remove(db)
		}
		if i%2 == 0 {
			cloutRun()
			peerRun()
		} else {
			peerRun()
			cloutRun()
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
	cm, cmin, crss := stats(clout)
	pm, pmin, prss := stats(peer)
	b.Logf("clout import: median %s, min %s, peak RSS %.0f MiB", cm.Round(time.Millisecond), cmin.Round(time.Millisecond), crss)
	b.Logf("sqlite3 CLI:  median %s, min %s, peak RSS %.0f MiB", pm.Round(time.Millisecond), pmin.Round(time.Millisecond), prss)
	b.ReportMetric(cm.Seconds(), "clout-s")
	b.ReportMetric(pm.Seconds(), "sqlite3-s")
	b.ReportMetric(cm.Seconds()/pm.Seconds(), "ratio")
	b.ReportMetric(cmin.Seconds()/pmin.Seconds(), "ratio-min")
	b.ReportMetric(crss, "clout-peak-RSS-MiB")
	b.ReportMetric(prss, "sqlite3-peak-RSS-MiB")
}

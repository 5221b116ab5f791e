package dashboard

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/seed"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/benchdata"
	"github.com/clout-dev/clout/internal/benchkit"
	"github.com/clout-dev/clout/internal/testkit"
)

// bigStoreRows is how many unrelated observations the large benchmark store holds
// next to the seed.
const bigStoreRows = 10_000_000

// bigStoreDataset names the unrelated dataset of the large store.
const bigStoreDataset = "bench-unrelated"

// benchDir is where generated benchmark stores are kept between runs:
// $CLOUT_BENCH_DIR (make bench sets it) or clout-bench in the temporary directory.
func benchDir(tb testing.TB) string {
	dir := os.Getenv("CLOUT_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "clout-bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// bigStore opens the seed plus bigStoreRows unrelated observations, generating
// the SQLite file on first use (about a minute) and reusing it afterwards.
func bigStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(benchDir(tb), fmt.Sprintf("store-%dm.db", bigStoreRows/1_000_000))
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".tmp"
		for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(f)
		}
		start := time.Now()
		db, err := sqlite.Open(ctx, tmp, sqlite.WithLogger(discardLogger()))
		if err != nil {
			tb.Fatal(err)
		}
		testkit.Import(tb, db, seed.Dataset, seed.FileName, seed.Workbook())
		if _, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: bigStoreDataset, FileName: "generated"}, unrelatedSource(bigStoreRows)); err != nil {
			tb.Fatal(err)
		}
		if err := db.Close(); err != nil {
			tb.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("generated %s in %s", path, time.Since(start).Round(time.Second))
	}
	db, err := sqlite.Open(ctx, path, sqlite.WithLogger(discardLogger()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	d, err := db.Dataset(ctx, bigStoreDataset)
	if err != nil || d.Observations != bigStoreRows {
		tb.Fatalf("%s: dataset %s holds %d observations (%v); delete the file to generate it again", path, bigStoreDataset, d.Observations, err)
	}
	return db
}

// unrelatedSource yields n observations of indicators no chart reads: 200
// indicators × 200 areas × monthly periods, in key order as exports come.
func unrelatedSource(n int) indicators.ObservationSource {
	return benchdata.Source(n, benchdata.Shape{Indicators: 200, Areas: 200, IndicatorFormat: "BENCH.%03d", AreaFormat: "X%03d", Monthly: true, Batch: 5000})
}

// storeSizeRoutes are the reads whose time must not grow with the store.
var storeSizeRoutes = []string{
	"/api/observations?indicator=" + indicators.ExportsCode + "&country=" + indicators.Russia,
	"/api/charts/trade-share",
	"/api/charts/gas-exports",
	"/charts/trade-share",
	"/charts/series",
}

// BenchmarkQueriesStoreSize answers each route from the seed-only store and from
// the seed plus 10 M unrelated observations (generated once, see bigStore), side
// by side: per round and route, a new server on each store (alternating which
// goes first) answers the route cold (nothing cached: the store is read), then 20
// times warm. It reports the medians per store and their ratio (target ≤ 1.2).
func BenchmarkQueriesStoreSize(b *testing.B) {
	const rounds, warm = 15, 20
	stores := [2]*sqlite.DB{MustSeededStore(b), bigStore(b)}
	b.Logf("load average: %s", benchkit.LoadAverage())
	type key struct {
		route string
		store int
		warm  bool
	}
	lat := map[key][]time.Duration{}
	measure := func(h http.Handler, url string) time.Duration {
		start := time.Now()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		d := time.Since(start)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body.String())
		}
		return d
	}
	b.ResetTimer()
	for range b.N {
		for r := range rounds {
			for j := range 2 {
				st := (r + j) % 2
				h := MustServer(b, stores[st], Config{}).Handler()
				for _, route := range storeSizeRoutes {
					k := key{route, st, false}
					lat[k] = append(lat[k], measure(h, route))
					k.warm = true
					for range warm {
						lat[k] = append(lat[k], measure(h, route))
					}
				}
			}
		}
	}
	b.StopTimer()
	worst := 0.0
	for i, route := range storeSizeRoutes {
		for _, w := range []bool{false, true} {
			seedOnly, big := benchkit.Median(lat[key{route, 0, w}]), benchkit.Median(lat[key{route, 1, w}])
			ratio := float64(big) / float64(seedOnly)
			state := "cold"
			if w {
				state = "warm"
			}
			b.Logf("%-70s %s: seed %8s  10M %8s  ratio %.2f", route, state, seedOnly.Round(time.Microsecond), big.Round(time.Microsecond), ratio)
			if !w {
				b.ReportMetric(float64(big.Microseconds())/1000, fmt.Sprintf("r%d-10M-ms", i))
				b.ReportMetric(float64(seedOnly.Microseconds())/1000, fmt.Sprintf("r%d-seed-ms", i))
			}
			worst = math.Max(worst, ratio)
		}
	}
	b.ReportMetric(worst, "worst-ratio")
}

// BenchmarkLoadHealthzVsStatic compares /healthz (a query on a pooled store
// connection) with a bare Echo route over real TCP with 64 keep-alive
// connections, alternating the two, and reports both rates and their ratio
// (target: /healthz within 1.5× of the static route, a ratio ≥ 0.67).
func BenchmarkLoadHealthzVsStatic(b *testing.B) {
	const conns, total, rounds = 64, 20000, 3
	s := MustServer(b, MustSeededStore(b), Config{})
	health := httptest.NewServer(s.Handler())
	defer health.Close()
	static := httptest.NewServer(staticEcho([]byte("ok\n")))
	defer static.Close()
	runLoad(b, health.URL+"/healthz", conns, 2000) // warm up both
	runLoad(b, static.URL+"/static-bytes", conns, 2000)
	b.Logf("load average: %s", benchkit.LoadAverage())
	b.ResetTimer()
	var hs, ss []float64
	for range b.N {
		for range rounds {
			ss = append(ss, runLoad(b, static.URL+"/static-bytes", conns, total).rps)
			hs = append(hs, runLoad(b, health.URL+"/healthz", conns, total).rps)
		}
	}
	slices.Sort(hs)
	slices.Sort(ss)
	h, st := hs[len(hs)/2], ss[len(ss)/2]
	b.ReportMetric(h, "healthz-req/s")
	b.ReportMetric(st, "static-req/s")
	b.ReportMetric(h/st, "ratio")
}

package dashboard

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/data/seed"
	"github.com/clout-dev/clout/data/sqlite"
)

// BenchmarkChartPage serves /charts/trade-share through the real router (cached
// after the first request), in parallel.
func BenchmarkChartPage(b *testing.B) {
	s := MustServer(b, MustSeededStore(b), Config{})
	h := s.Handler()
	if rec := get(b, h, "/charts/trade-share"); rec.Code != 200 {
		b.Fatalf("status %d", rec.Code)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/charts/trade-share", nil))
			if rec.Code != 200 {
				b.Errorf("status %d", rec.Code)
				return
			}
		}
	})
}

// BenchmarkStaticBytes is the baseline: a bare Echo route writing the same bytes
// as the chart page from memory.
func BenchmarkStaticBytes(b *testing.B) {
	s := MustServer(b, MustSeededStore(b), Config{})
	body := get(b, s.Handler(), "/charts/trade-share").Body.Bytes()
	e := staticEcho(body)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static-bytes", nil))
		}
	})
}

func staticEcho(body []byte) *echo.Echo {
	e := echo.New()
	e.GET("/static-bytes", func(c echo.Context) error { return c.HTMLBlob(http.StatusOK, body) })
	return e
}

// loadResult is one load run: requests per second and latency percentiles.
type loadResult struct {
	rps      float64
	p50, p99 time.Duration
	bytes    int
}

// runLoad sends requests over conns keep-alive connections to url until total
// requests are done, like wrk -c conns.
func runLoad(b *testing.B, url string, conns, total int) loadResult {
	b.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	lat := make([][]time.Duration, conns)
	var size int
	var wg sync.WaitGroup
	per := total / conns
	start := time.Now()
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[i] = make([]time.Duration, 0, per)
			for range per {
				t0 := time.Now()
				resp, err := client.Get(url)
				if err != nil {
					b.Error(err)
					return
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("GET %s: %d", url, resp.StatusCode)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
				if i == 0 {
					size = int(n)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		b.Fatal("no requests completed")
	}
	return loadResult{
		rps:   float64(len(all)) / elapsed.Seconds(),
		p50:   all[len(all)/2],
		p99:   all[len(all)*99/100],
		bytes: size,
	}
}

// BenchmarkLoadChartPageVsStatic is the throughput target of docs/benchmarks.md, side by side
// in one run over real TCP with 64 keep-alive connections: the chart page
// against a bare Echo route serving the same bytes from memory. It reports both
// rates, their ratio (target ≥ 0.5) and the chart page's p99 (target < 20 ms).
func BenchmarkLoadChartPageVsStatic(b *testing.B) {
	const conns, total = 64, 20000
	s := MustServer(b, MustSeededStore(b), Config{})
	page := httptest.NewServer(s.Handler())
	defer page.Close()
	body := get(b, s.Handler(), "/charts/trade-share").Body.Bytes()
	static := httptest.NewServer(staticEcho(body))
	defer static.Close()
	runLoad(b, page.URL+"/charts/trade-share", conns, 2000) // warm up both
	runLoad(b, static.URL+"/static-bytes", conns, 2000)
	b.ResetTimer()
	var pageRPS, staticRPS float64
	var p99, sp99 time.Duration
	for range b.N {
		st := runLoad(b, static.URL+"/static-bytes", conns, total)
		pg := runLoad(b, page.URL+"/charts/trade-share", conns, total)
		staticRPS += st.rps
		pageRPS += pg.rps
		p99 = max(p99, pg.p99)
		sp99 = max(sp99, st.p99)
	}
	b.ReportMetric(pageRPS/float64(b.N), "page-req/s")
	b.ReportMetric(staticRPS/float64(b.N), "static-req/s")
	b.ReportMetric(pageRPS/staticRPS, "ratio")
	b.ReportMetric(float64(p99.Microseconds())/1000, "page-p99-ms")
	b.ReportMetric(float64(sp99.Microseconds())/1000, "static-p99-ms")
	b.ReportMetric(float64(len(body)), "page-bytes")
}

// BenchmarkStartReady measures New + listen + the first page answered, on a
// store that already holds the seed (target: start to ready ≤ 500 ms), and
// reports the process's resident memory after serving every page once (idle
// RSS ≤ 150 MiB).
func BenchmarkStartReady(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "clout.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.WithLogger(discardLogger()))
	if err != nil {
		b.Fatal(err)
	}
	MustImport(b, db, seed.Dataset, seed.FileName, seed.Workbook())
	db.Close()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		db, err := sqlite.Open(context.Background(), path, sqlite.WithLogger(discardLogger()))
		if err != nil {
			b.Fatal(err)
		}
		s := MustServer(b, db, Config{})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Serve(ctx, ln) }()
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("first page: %v %v", err, resp)
		}
		resp.Body.Close()
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-to-first-page")
		for _, p := range []string{"/charts/trade-share", "/charts/gas-exports", "/charts/integration-gain", "/charts/series", "/charts/map"} {
			if r, err := http.Get("http://" + ln.Addr().String() + p); err == nil {
				r.Body.Close()
			}
		}
		b.ReportMetric(residentMiB(), "rss-MiB")
		cancel()
		<-done
		db.Close()
	}
}

// residentMiB reads the process's resident set size from /proc (Linux).
func residentMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

// BenchmarkStartReadyEmptyStore is the first start: an empty store, the embedded
// seed imported through the importer (as `clout serve` does), then the server
// answering its first page.
func BenchmarkStartReadyEmptyStore(b *testing.B) {
	for range b.N {
		start := time.Now()
		db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "clout.db"), sqlite.WithLogger(discardLogger()))
		if err != nil {
			b.Fatal(err)
		}
		MustImport(b, db, seed.Dataset, seed.FileName, seed.Workbook())
		s := MustServer(b, db, Config{})
		if rec := get(b, s.Handler(), "/"); rec.Code != 200 {
			b.Fatalf("first page: %d", rec.Code)
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-to-first-page")
		db.Close()
	}
}

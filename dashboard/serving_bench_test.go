package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/internal/asynclog"
	"github.com/clout-dev/clout/internal/benchkit"
	"github.com/clout-dev/clout/internal/testkit"
	"github.com/clout-dev/clout/render"
)

// BenchmarkServing64 is the serving target of docs/benchmarks.md, side by side
// over real TCP with 64 keep-alive connections: a bare Echo route writing the
// chart page's bytes from memory, the chart page, and /healthz, alternated for
// three rounds per iteration. The server logs every request as clout serve
// does (the asynchronous handler, into a file). It reports the medians of each
// route's rate and p99, the ratios to the static route (targets: page ≥ 0.9
// with p99 < 10 ms, /healthz within 1.5×), and logs the load average.
func BenchmarkServing64(b *testing.B) {
	const conns, total, rounds = 64, 10000, 3
	s, static := servingPair(b)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	staticSrv := httptest.NewServer(static)
	defer staticSrv.Close()
	routes := []struct{ name, url string }{
		{"static", staticSrv.URL + "/static-bytes"},
		{"page", srv.URL + "/charts/trade-share"},
		{"healthz", srv.URL + "/healthz"},
	}
	for _, r := range routes {
		runLoad(b, r.url, conns, 2000) // warm up
	}
	b.Logf("load average before: %s", benchkit.LoadAverage())
	b.ResetTimer()
	rps := map[string][]float64{}
	cpu := map[string][]float64{}
	p99 := map[string][]time.Duration{}
	for range b.N {
		for range rounds {
			for _, r := range routes {
				before := processCPU()
				res := runLoad(b, r.url, conns, total)
				rps[r.name] = append(rps[r.name], res.rps)
				p99[r.name] = append(p99[r.name], res.p99)
				cpu[r.name] = append(cpu[r.name], float64((processCPU()-before).Microseconds())/total)
			}
		}
	}
	b.StopTimer()
	b.Logf("load average after: %s", benchkit.LoadAverage())
	for _, r := range routes {
		b.ReportMetric(benchkit.Median(rps[r.name]), r.name+"-req/s")
		b.ReportMetric(float64(benchkit.Median(p99[r.name]).Microseconds())/1000, r.name+"-p99-ms")
		b.ReportMetric(benchkit.Median(cpu[r.name]), r.name+"-cpu-µs/req")
	}
	b.ReportMetric(benchkit.Median(rps["page"])/benchkit.Median(rps["static"]), "page/static")
	b.ReportMetric(benchkit.Median(rps["static"])/benchkit.Median(rps["healthz"]), "static/healthz")
}

// servingPair is the server of the serving benchmarks, logging every request
// as clout serve does (the asynchronous handler, into a file), and the static
// route they compare it with: a bare Echo route writing the chart page's bytes
// from memory.
func servingPair(tb testing.TB) (*Server, http.Handler) {
	tb.Helper()
	f, err := os.Create(filepath.Join(tb.TempDir(), "requests.log"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	logs := asynclog.New(f, func(w io.Writer) slog.Handler {
		return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})
	})
	tb.Cleanup(func() { logs.Close() })
	s, err := New(Config{}, Deps{Store: MustSeededStore(tb), Logger: slog.New(logs)})
	if err != nil {
		tb.Fatal(err)
	}
	body := get(tb, s.Handler(), "/charts/trade-share").Body.Bytes()
	return s, staticEcho(body)
}

// processCPU is the CPU time (user and system) the process has used: per
// request, it includes the load generator's share, the same for every route.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDefaultViewDownload is the "nobody waits for a default view" target:
// the snapshot downloads (SVG and PNG at the default size) of every chart's
// default view through the router, first cold (each one drawn on request, as
// before the warmer), then after new data once the warmer has drawn them in the
// background (target p50 ≤ 5 ms).
func BenchmarkDefaultViewDownload(b *testing.B) {
	r, err := render.New(render.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	store := MustSeededStore(b)
	warmed := make(chan int64, 4)
	log := slog.New(&signalHandler{msg: "default views drawn", key: "data_version", seen: warmed})
	charts, err := chart.New(chart.Config{}, chart.Deps{Store: store, Exporter: export.New(r)})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{}, Deps{Store: store, Logger: discardLogger(), Charts: charts})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	if err := r.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	downloads := func() []time.Duration {
		var took []time.Duration
		for _, c := range charts.Charts() {
			for _, f := range []string{"svg", "png"} {
				start := time.Now()
				if rec := get(b, h, "/charts/"+c.ID()+"/snapshot."+f); rec.Code != 200 {
					b.Fatalf("%s %s: %d", c.ID(), f, rec.Code)
				}
				took = append(took, time.Since(start))
			}
		}
		slices.Sort(took)
		return took
	}
	b.Logf("load average: %s", benchkit.LoadAverage())
	b.ResetTimer()
	var cold, warm []time.Duration
	for i := range b.N {
		testkit.Import(b, store, "bench", "bench.csv", []byte(fmt.Sprintf("indicator,country,year,value\nXX.BENCH,ARM,2019,%d\n", i+1)))
		s.DataChanged()
		cold = append(cold, downloads()...)

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); charts.WarmDefaults(ctx, log) }()
		testkit.Import(b, store, "bench", "bench.csv", []byte(fmt.Sprintf("indicator,country,year,value\nXX.BENCH,ARM,2019,%d\n", -i-1)))
		s.DataChanged()
		want, err := charts.DataVersion(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		for v := int64(0); v != want; {
			v = <-warmed
		}
		warm = append(warm, downloads()...)
		cancel()
		<-done
	}
	b.StopTimer()
	slices.Sort(cold)
	slices.Sort(warm)
	b.ReportMetric(float64(cold[len(cold)/2].Microseconds())/1000, "cold-p50-ms")
	b.ReportMetric(float64(warm[len(warm)/2].Microseconds())/1000, "warm-p50-ms")
	b.ReportMetric(float64(cold[len(cold)-1].Microseconds())/1000, "cold-max-ms")
	b.ReportMetric(float64(warm[len(warm)-1].Microseconds())/1000, "warm-max-ms")
	b.Logf("load average: %s", benchkit.LoadAverage())
}

// signalHandler sends the int64 attribute key of every record whose message is
// msg to seen, so a benchmark can wait for what a background worker logs.
type signalHandler struct {
	msg, key string
	seen     chan<- int64
}

func (h *signalHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *signalHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == h.key {
				h.seen <- a.Value.Int64()
			}
			return true
		})
	}
	return nil
}

func (h *signalHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *signalHandler) WithGroup(string) slog.Handler      { return h }

// BenchmarkRequestLogLine is what a request pays for its log line (the
// attributes the observe middleware writes) from 64 goroutines at once, into a
// file: slog's text handler writing synchronously (as clout serve did), and the
// asynchronous handler (as it does now), side by side in one run.
func BenchmarkRequestLogLine(b *testing.B) {
	for _, mode := range []string{"sync", "async"} {
		b.Run(mode, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "requests.log"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			text := func(w io.Writer) slog.Handler {
				return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})
			}
			h := text(f)
			closeLog := func() {}
			if mode == "async" {
				logs := asynclog.New(f, text)
				h, closeLog = logs, func() { logs.Close() }
			}
			log := slog.New(h)
			ctx := context.Background()
			b.ReportAllocs()
			b.SetParallelism(32) // 64 goroutines on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					log.LogAttrs(ctx, slog.LevelInfo, "request",
						slog.String("method", http.MethodGet),
						slog.String("path", "/charts/trade-share"),
						slog.String("route", "/charts/:id"),
						slog.Int("status", 200),
						slog.Duration("duration", 84*time.Microsecond),
						slog.Int64("bytes", 21500),
						slog.String("remote", "192.0.2.1"),
					)
				}
			})
			b.StopTimer()
			closeLog()
			// Records the asynchronous handler dropped (queue full) are not
			// written: report the share that was.
			written, err := os.ReadFile(f.Name())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(100*float64(bytes.Count(written, []byte("msg=request")))/float64(b.N), "written-%")
		})
	}
}

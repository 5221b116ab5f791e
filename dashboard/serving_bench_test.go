package dashboard

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clout-dev/clout/internal/asynclog"
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
	f, err := os.Create(filepath.Join(b.TempDir(), "requests.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	logs := asynclog.New(f, func(w io.Writer) slog.Handler {
		return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})
	}, 0)
	defer logs.Close()
	s, err := New(Config{}, Deps{Store: MustSeededStore(b), Logger: slog.New(logs)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	body := get(b, s.Handler(), "/charts/trade-share").Body.Bytes()
	static := httptest.NewServer(staticEcho(body))
	defer static.Close()
	routes := []struct{ name, url string }{
		{"static", static.URL + "/static-bytes"},
		{"page", srv.URL + "/charts/trade-share"},
		{"healthz", srv.URL + "/healthz"},
	}
	for _, r := range routes {
		runLoad(b, r.url, conns, 2000) // warm up
	}
	b.Logf("load average before: %s", loadAverage())
	b.ResetTimer()
	rps := map[string][]float64{}
	p99 := map[string][]time.Duration{}
	for range b.N {
		for range rounds {
			for _, r := range routes {
				res := runLoad(b, r.url, conns, total)
				rps[r.name] = append(rps[r.name], res.rps)
				p99[r.name] = append(p99[r.name], res.p99)
			}
		}
	}
	b.StopTimer()
	b.Logf("load average after: %s", loadAverage())
	for _, r := range routes {
		b.ReportMetric(median(rps[r.name]), r.name+"-req/s")
		b.ReportMetric(float64(median(p99[r.name]).Microseconds())/1000, r.name+"-p99-ms")
	}
	b.ReportMetric(median(rps["page"])/median(rps["static"]), "page/static")
	b.ReportMetric(median(rps["static"])/median(rps["healthz"]), "static/healthz")
}

// median of a non-empty list.
func median[T float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// loadAverage is the first three fields of /proc/loadavg ("?" elsewhere).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/internal/benchkit"
)

// BenchmarkServeVsStatic is the serving target on the binary users run:
// `clout serve` (built here, on a store it seeds, its request logs going to a
// file as an operator would redirect them) answering /charts/trade-share,
// against a static route — a bare Echo server in a process of its own writing
// the same bytes from memory — under wrk with 64 connections, the two
// alternated for 5 s each per round. Two placements on a two-CPU machine:
//
//   - shared: the servers and wrk -t2 on both CPUs, as a benchmark on a laptop
//     runs;
//   - one core: each server pinned to CPU 0 (taskset, so Go runs one P) and
//     wrk -t1 on CPU 1, as on a one-CPU virtual machine with its clients
//     elsewhere.
//
// It reports, per placement, the medians of each route's rate and p99 and the
// page's rate over the static route's (targets: ≥ 0.9, page p99 < 10 ms).
// Skipped without wrk or taskset, or with fewer than two CPUs.
func BenchmarkServeVsStatic(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not installed (apt-get install wrk)")
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		b.Skip("taskset is not installed (util-linux)")
	}
	if runtime.NumCPU() < 2 {
		b.Skip("needs two CPUs")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "clout")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	placements := []struct {
		name      string
		pin       []string // prefix of the servers' command lines
		wrkPrefix []string
		threads   string
	}{
		{name: "shared", threads: "2"},
		{name: "one-core", pin: []string{taskset, "-c", "0"}, wrkPrefix: []string{taskset, "-c", "1"}, threads: "1"},
	}
	load := func(prefix []string, threads, url string) (float64, time.Duration) {
		args := append(slices.Clone(prefix), wrk, "-t"+threads, "-c64", "-d5s", "--latency", url)
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			b.Fatalf("wrk: %v\n%s", err, out)
		}
		rate, p99, err := benchkit.ParseWrk(string(out))
		if err != nil {
			b.Fatal(err)
		}
		return rate, p99
	}
	type series struct {
		rps []float64
		p99 []time.Duration
	}
	results := map[string]*series{}
	b.Logf("load average before: %s", benchkit.LoadAverage())
	b.ResetTimer()
	for range b.N {
		for _, p := range placements {
			b.StopTimer()
			page := startCloutServe(b, bin, dir, p.pin)
			static := startStaticRoute(b, fetch(b, page.url), p.pin)
			b.StartTimer()
			load(p.wrkPrefix, p.threads, static.url) // warm up both
			load(p.wrkPrefix, p.threads, page.url)
			for _, r := range []struct{ name, url string }{{"static", static.url}, {"page", page.url}} {
				rate, tail := load(p.wrkPrefix, p.threads, r.url)
				s := results[p.name+"/"+r.name]
				if s == nil {
					s = &series{}
					results[p.name+"/"+r.name] = s
				}
				s.rps = append(s.rps, rate)
				s.p99 = append(s.p99, tail)
			}
			b.StopTimer()
			page.stop()
			static.stop()
			b.StartTimer()
		}
	}
	b.StopTimer()
	b.Logf("load average after: %s", benchkit.LoadAverage())
	for _, p := range placements {
		for _, route := range []string{"static", "page"} {
			s := results[p.name+"/"+route]
			b.ReportMetric(benchkit.Median(s.rps), p.name+"-"+route+"-req/s")
			b.ReportMetric(float64(benchkit.Median(s.p99).Microseconds())/1000, p.name+"-"+route+"-p99-ms")
		}
		b.ReportMetric(benchkit.Median(results[p.name+"/page"].rps)/benchkit.Median(results[p.name+"/static"].rps), p.name+"-page/static")
	}
}

// childServer is a child process serving url.
type childServer struct {
	url string
	cmd *exec.Cmd
}

// startCloutServe runs the binary's `clout serve` on the store in dir (seeding
// it the first time), with its logs in a file, and returns the chart page's URL
// once the default views are drawn, so that no background work overlaps the
// measurement.
func startCloutServe(tb testing.TB, bin, dir string, prefix []string) childServer {
	tb.Helper()
	addr := freeAddr(tb)
	logPath := filepath.Join(tb.TempDir(), "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer logFile.Close()
	args := append(slices.Clone(prefix), bin, "serve", "--addr", addr, "--db", filepath.Join(dir, "clout.db"))
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "CLOUT_ADMIN_TOKEN=bench-token-that-is-long-enough-to-pass")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	srv := childServer{url: "http://" + addr + "/charts/trade-share", cmd: cmd}
	deadline := time.Now().Add(60 * time.Second)
	for {
		logs, _ := os.ReadFile(logPath)
		if strings.Contains(string(logs), `msg="default views drawn"`) {
			return srv
		}
		if time.Now().After(deadline) {
			srv.stop()
			tb.Fatalf("clout serve drew no default views within 60 s:\n%s", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startStaticRoute runs TestHelperStaticRoute, serving body, and returns its URL
// once it answers.
func startStaticRoute(tb testing.TB, body []byte, prefix []string) childServer {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "body")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		tb.Fatal(err)
	}
	addr := freeAddr(tb)
	args := append(slices.Clone(prefix), os.Args[0], "-test.run=^TestHelperStaticRoute$")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "CLOUT_STATIC_BODY="+path, "CLOUT_STATIC_ADDR="+addr)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	srv := childServer{url: "http://" + addr + "/static-bytes", cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if res, err := http.Get(srv.url); err == nil {
			res.Body.Close()
			return srv
		}
		if time.Now().After(deadline) {
			srv.stop()
			tb.Fatal("the static route never answered")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHelperStaticRoute is the static route of BenchmarkServeVsStatic, run by
// it as a process of its own: a bare Echo route writing a file's bytes from
// memory as HTML.
func TestHelperStaticRoute(t *testing.T) {
	path, addr := os.Getenv("CLOUT_STATIC_BODY"), os.Getenv("CLOUT_STATIC_ADDR")
	if path == "" || addr == "" {
		t.Skip("the static route of BenchmarkServeVsStatic, started by it")
	}
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.GET("/static-bytes", func(c echo.Context) error { return c.HTMLBlob(http.StatusOK, body) })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = http.Serve(ln, e) // until the benchmark kills the process
}

// stop interrupts the server and waits for it.
func (s childServer) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// fetch GETs url and returns its body.
func fetch(tb testing.TB, url string) []byte {
	tb.Helper()
	res, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d %v", url, res.StatusCode, err)
	}
	return body
}

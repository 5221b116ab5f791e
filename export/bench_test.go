package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clout-dev/clout/export"
)

// The three benchmarks below run side by side in `make bench`: Clout's in-process
// SVG and PNG exports of a bar chart, and headless Chromium navigating to the same
// chart (the HTML export, ECharts drawing it) and taking a screenshot.

const latencySamples = 30

// benchSnapshot is the test snapshot without animation, so a browser screenshot
// shows the finished chart as soon as it is drawn.
func benchSnapshot(tb testing.TB) export.Snapshot {
	tb.Helper()
	s := snapshot(tb)
	var opt map[string]any
	if err := json.Unmarshal(s.Option, &opt); err != nil {
		tb.Fatal(err)
	}
	opt["animation"] = false
	b, err := json.Marshal(opt)
	if err != nil {
		tb.Fatal(err)
	}
	s.Option = b
	return s
}

// latency times latencySamples runs of fn before the timed loop (make bench uses
// -benchtime 3x); the returned func reports p50, p95 and process CPU per run.
func latency(b *testing.B, fn func() error) (report func()) {
	b.Helper()
	d := make([]time.Duration, latencySamples)
	cpu0 := cpuTime()
	for i := range d {
		t0 := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		d[i] = time.Since(t0)
	}
	cpu := (cpuTime() - cpu0) / latencySamples
	slices.Sort(d)
	return func() {
		b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(d[len(d)*95/100].Microseconds())/1000, "p95-ms")
		b.ReportMetric(float64(cpu.Microseconds())/1000, "cpu-ms")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus returns a field of /proc/PID/status in MiB (0 when unreadable).
func procStatus(pid, field string) float64 {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field+":" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// treeCPU is the CPU time used so far by process pid and its live descendants.
func treeCPU(pid int) time.Duration {
	var total time.Duration
	for _, p := range tree(pid) {
		stat, err := os.ReadFile(filepath.Join("/proc", p, "stat"))
		if err != nil {
			continue
		}
		// Fields after "(comm) ": state is [0], utime [11] and stime [12], in ticks.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			total += time.Duration(u+s) * time.Second / 100 // USER_HZ is 100 on Linux
		}
	}
	return total
}

// treeRSS is the resident memory of process pid and all its descendants, in MiB.
func treeRSS(pid int) float64 {
	total := 0.0
	for _, p := range tree(pid) {
		total += procStatus(p, "VmRSS")
	}
	return total
}

// tree returns pid and its descendants.
func tree(pid int) []string {
	entries, _ := os.ReadDir("/proc")
	children := map[string][]string{}
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		rest := string(stat[bytes.LastIndexByte(stat, ')')+1:])
		if f := strings.Fields(rest); len(f) >= 2 {
			children[f[1]] = append(children[f[1]], e.Name())
		}
	}
	var out []string
	queue := []string{strconv.Itoa(pid)}
	for len(queue) > 0 {
		p := queue[0]
		queue = append(queue[1:], children[p]...)
		out = append(out, p)
	}
	return out
}

func benchExport(b *testing.B, f export.Format) {
	e := MustExporter(b)
	s := benchSnapshot(b)
	run := func() error {
		var buf bytes.Buffer
		return e.Write(context.Background(), &buf, f, s, export.DefaultImage())
	}
	report := latency(b, run)
	b.ResetTimer()
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	report()
	self := strconv.Itoa(os.Getpid())
	b.ReportMetric(procStatus(self, "VmRSS"), "rss-MiB")
	b.ReportMetric(procStatus(self, "VmHWM"), "peak-rss-MiB")
}

func BenchmarkExportSVG(b *testing.B) { benchExport(b, export.SVG) }

func BenchmarkExportPNG(b *testing.B) { benchExport(b, export.PNG) }

// BenchmarkChromiumPNG navigates headless Chromium to the chart page and takes a
// screenshot of the chart, as a browser-based exporter would. Skipped without
// Chromium.
func BenchmarkChromiumPNG(b *testing.B) {
	t0 := time.Now()
	ctx := MustBrowser(b)
	cold := time.Since(t0)
	e := MustExporter(b)
	url := serve(b, MustWrite(b, e, export.HTML, benchSnapshot(b), export.DefaultImage()))
	pid := chromedp.FromContext(ctx).Browser.Process().Pid
	peak := 0.0
	run := func() error {
		png, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
			if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#chart canvas"))); err != nil {
				return nil, err
			}
			return chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#chart")))
		})
		if err == nil && len(png) == 0 {
			err = os.ErrInvalid
		}
		peak = max(peak, treeRSS(pid))
		return err
	}
	cpu0 := treeCPU(pid)
	report := latency(b, run)
	browserCPU := (treeCPU(pid) - cpu0) / latencySamples
	b.ResetTimer()
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	report()
	b.ReportMetric(float64(browserCPU.Microseconds())/1000, "chromium-cpu-ms")
	b.ReportMetric(float64(cold.Milliseconds()), "cold-start-ms")
	b.ReportMetric(peak, "chromium-peak-rss-MiB")
}

// BenchmarkPNGVsChromium alternates one Clout PNG export and one Chromium
// navigate-and-screenshot of the same chart, so both see the same machine load,
// and reports each one's p50 and p95, the ratio of the medians, and CPU per image.
func BenchmarkPNGVsChromium(b *testing.B) {
	ctx := MustBrowser(b)
	e := MustExporter(b)
	s := benchSnapshot(b)
	url := serve(b, MustWrite(b, e, export.HTML, s, export.DefaultImage()))
	pid := chromedp.FromContext(ctx).Browser.Process().Pid
	clout := func() error {
		var buf bytes.Buffer
		return e.Write(context.Background(), &buf, export.PNG, s, export.DefaultImage())
	}
	chromium := func() error {
		_, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
			if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#chart canvas"))); err != nil {
				return nil, err
			}
			return chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#chart")))
		})
		return err
	}
	// Warm both: the renderer's pools, the browser's caches.
	for range 3 {
		if err := errors.Join(clout(), chromium()); err != nil {
			b.Fatal(err)
		}
	}
	var dc, dx []time.Duration
	var cpuClout, cpuChromium time.Duration
	b.ResetTimer()
	for range max(b.N, latencySamples) {
		c0, t0 := cpuTime(), time.Now()
		if err := clout(); err != nil {
			b.Fatal(err)
		}
		dc = append(dc, time.Since(t0))
		cpuClout += cpuTime() - c0
		c0, x0, t0 := cpuTime(), treeCPU(pid), time.Now()
		if err := chromium(); err != nil {
			b.Fatal(err)
		}
		dx = append(dx, time.Since(t0))
		cpuChromium += cpuTime() - c0 + treeCPU(pid) - x0
	}
	b.StopTimer()
	slices.Sort(dc)
	slices.Sort(dx)
	n := len(dc)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(dc[n/2]), "clout-p50-ms")
	b.ReportMetric(ms(dc[n*95/100]), "clout-p95-ms")
	b.ReportMetric(ms(dx[n/2]), "chromium-p50-ms")
	b.ReportMetric(ms(dx[n*95/100]), "chromium-p95-ms")
	b.ReportMetric(float64(dx[n/2])/float64(dc[n/2]), "speedup-p50")
	b.ReportMetric(ms(cpuClout/time.Duration(n)), "clout-cpu-ms")
	b.ReportMetric(ms(cpuChromium/time.Duration(n)), "chromium-cpu-ms")
}

package render_test

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clout-dev/clout/internal/benchkit"
	"github.com/clout-dev/clout/render"
)

// benchSize is the default export size.
var benchSize = render.Size{Width: 1200, Height: 675}

// latency times n samples of fn (run before the timed loop, so `-benchtime 3x` in
// make bench still gives meaningful percentiles); report reports their p50 and p95
// (after the loop: ResetTimer drops metrics).
func latency(b *testing.B, n int, fn func() error) (report func()) {
	b.Helper()
	d := make([]time.Duration, n)
	cpu0 := cpuTime()
	for i := range d {
		t0 := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		d[i] = time.Since(t0)
	}
	cpu := (cpuTime() - cpu0) / time.Duration(n)
	slices.Sort(d)
	return func() {
		b.ReportMetric(float64(cpu.Microseconds())/1000, "cpu-ms")
		b.ReportMetric(float64(d[n/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(d[n*95/100].Microseconds())/1000, "p95-ms")
	}
}

// cpuTime is the CPU time used by the process so far: on a busy shared machine,
// CPU time per render is steadier than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRSS reports the process's resident and peak resident memory.
func reportRSS(b *testing.B) {
	b.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return // not Linux
	}
	for _, line := range strings.Split(string(status), "\n") {
		for key, unit := range map[string]string{"VmRSS:": "rss-MiB", "VmHWM:": "peak-rss-MiB"} {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == key {
				kb, _ := strconv.ParseFloat(f[1], 64)
				b.ReportMetric(kb/1024, unit)
			}
		}
	}
}

func BenchmarkSVGBar(b *testing.B) {
	r := MustRenderer(b)
	opt := barOption(b, "Trade share", "Turkey", "Azerbaijan", "China", "Germany", "Россия", "Kazakhstan")
	ctx := context.Background()
	svg := func() error { _, err := r.SVG(ctx, opt, benchSize, render.Light); return err }
	report := latency(b, 40, svg)
	b.ResetTimer()
	for b.Loop() {
		if err := svg(); err != nil {
			b.Fatal(err)
		}
	}
	report()
	reportRSS(b)
}

func BenchmarkPNGBar(b *testing.B) {
	r := MustRenderer(b)
	opt := barOption(b, "Trade share", "Turkey", "Azerbaijan", "China", "Germany", "Россия", "Kazakhstan")
	ctx := context.Background()
	png := func() error { _, err := r.PNG(ctx, opt, benchSize, 1, render.Light); return err }
	report := latency(b, 40, png)
	b.ResetTimer()
	for b.Loop() {
		if err := png(); err != nil {
			b.Fatal(err)
		}
	}
	report()
	reportRSS(b)
}

// BenchmarkFirstExport is a restart as a server sees it: a new Renderer warmed as the server does in the
// background from its start (warm-ms), then the first SVG and the first PNG of
// the trade-share chart a reader asks for (first-svg-ms, first-png-ms), and for
// comparison a later, steady-state SVG of the same chart (next-svg-ms).
func BenchmarkFirstExport(b *testing.B) {
	opt := benchCharts(b)[0].option
	ctx := context.Background()
	var warm, svg, png, next time.Duration
	n := 0
	for b.Loop() {
		n++
		t0 := time.Now()
		r, err := render.New(render.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Warm(ctx); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := r.SVG(ctx, opt, benchSize, render.Light); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if _, err := r.PNG(ctx, opt, benchSize, 1, render.Light); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		if _, err := r.SVG(ctx, opt, benchSize, render.Light); err != nil {
			b.Fatal(err)
		}
		warm, svg, png, next = warm+t1.Sub(t0), svg+t2.Sub(t1), png+t3.Sub(t2), next+time.Since(t3)
		_ = r.Close()
	}
	b.ReportMetric(ms(warm)/float64(n), "warm-ms")
	b.ReportMetric(ms(svg)/float64(n), "first-svg-ms")
	b.ReportMetric(ms(png)/float64(n), "first-png-ms")
	b.ReportMetric(ms(next)/float64(n), "next-svg-ms")
	b.Logf("load average: %s", benchkit.LoadAverage())
}

// BenchmarkWarmMemory reports resident memory with every runtime and resvg
// instance of a Renderer started (one per CPU) after rendering in parallel.
func BenchmarkWarmMemory(b *testing.B) {
	r, err := render.New(render.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	opt := barOption(b, "Trade share", "Turkey", "Azerbaijan", "China")
	for b.Loop() {
		var wg sync.WaitGroup
		for range runtime.NumCPU() {
			wg.Go(func() {
				if _, err := r.PNG(context.Background(), opt, benchSize, 2, render.Light); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	debug.FreeOSMemory() // what the Go runtime's scavenger does on its own over time
	reportRSS(b)
}

package render_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clout-dev/clout/assets"
	"github.com/clout-dev/clout/chart/option"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/benchkit"
	"github.com/clout-dev/clout/internal/testkit"
	"github.com/clout-dev/clout/render"
)

// The benchmarks below put Clout's renderer beside what a user would run instead,
// on the dashboard's own chart options computed from the seed: Node.js with
// ECharts' server-side SVG renderer and @resvg/resvg-js (native resvg), and a warm
// headless Chromium drawing the chart and taking a screenshot. Each round renders
// every chart once with each contender in turn, so both see the same machine load;
// the results are per chart: medians, minima and their ratios.

// peerRounds is the fewest alternated renders each contender does per chart (more
// when the benchmark is asked for more iterations); each chart is compared once.
const peerRounds = 15

// peerWarmUp is how many renders of each chart every contender does before the
// measured rounds: V8 (Clout's, Node's, Chromium's) optimises ECharts' hot code
// after a dozen or so, and a running server's renderer is past that point. Clout's
// renderer is also warmed as clout serve warms it at start.
const peerWarmUp = 12

// benchChart is a dashboard chart's option as the pages build it.
type benchChart struct {
	name   string
	option json.RawMessage
}

// benchCharts computes the compared charts on the seed store.
func benchCharts(tb testing.TB) []benchChart {
	tb.Helper()
	store := testkit.SeededStore(tb)
	var out []benchChart
	for _, c := range []struct {
		name, id string
		params   indicators.Params
	}{
		{"trade-share", "trade-share", indicators.Params{"partners": "TUR,AZE", "threshold": "5"}},
		{"gas-monthly", "gas-exports", indicators.Params{"destinations": "TUR,DEU", "freq": "monthly"}},
		{"integration-gain", "integration-gain", indicators.Params{}},
		{"map", "map", indicators.Params{"metric": "bloc", "bloc": "FSU-CORE", "measure": "population"}},
	} {
		def, err := indicators.ChartByID(c.id)
		if err != nil {
			tb.Fatal(err)
		}
		res, err := indicators.ComputeChart(context.Background(), store, def, c.params, 0)
		if err != nil {
			tb.Fatalf("compute %s: %v", c.name, err)
		}
		opt, err := option.JSON(res, "light")
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, benchChart{c.name, opt})
	}
	return out
}

// settle pauses between two contenders' renders, so that each starts on an idle
// machine: Chromium keeps working in its GPU and compositor processes for tens of
// milliseconds after a screenshot returns, and Go's collector after a render;
// without the pause, one contender's trailing work was measured as the other's
// time (the map's PNG: Chromium/Clout 1.62 without, 2.07 with).
func settle() { time.Sleep(100 * time.Millisecond) }

// warmRenderer is a renderer warmed as clout serve warms its own at start.
func warmRenderer(b *testing.B) *render.Renderer {
	b.Helper()
	r := MustRenderer(b)
	if err := r.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	return r
}

// samples collects one contender's render times.
type samples []time.Duration

func (s samples) median() time.Duration {
	return benchkit.Median(s)
}

func (s samples) min() time.Duration { return slices.Min(s) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// nodePeer is a running testdata/peer.mjs.
type nodePeer struct {
	cmd *exec.Cmd
	in  *json.Encoder
	out *bufio.Scanner
	pid int
}

type nodeRequest struct {
	Op         string          `json:"op"`
	Option     json.RawMessage `json:"option"`
	Width      int             `json:"width"`
	Height     int             `json:"height"`
	Scale      int             `json:"scale"`
	Background string          `json:"background"`
	Family     string          `json:"family"`
	Fonts      []string        `json:"fonts"`
}

type nodeAnswer struct {
	MS    float64 `json:"ms"`
	Bytes int     `json:"bytes"`
	Error string  `json:"error"`
}

// startNode starts the Node peer from the module root (where node_modules is), or
// skips when Node or the npm dev dependencies are missing.
func startNode(tb testing.TB) *nodePeer {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Skip("no node on PATH: the Node.js peer is not run")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		tb.Fatal(err)
	}
	for _, dep := range []string{"echarts", "@resvg/resvg-js"} {
		if _, err := os.Stat(filepath.Join(root, "node_modules", dep)); err != nil {
			tb.Skipf("node_modules/%s missing (make assets installs the dev dependencies): the Node.js peer is not run", dep)
		}
	}
	script, err := filepath.Abs(filepath.Join("testdata", "peer.mjs"))
	if err != nil {
		tb.Fatal(err)
	}
	geoDir := tb.TempDir()
	atlas, err := render.NewAtlas(assets.MustRead(assets.WorldAtlas))
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range atlas.MapNames() {
		geo, _ := atlas.GeoJSON(name)
		if err := os.WriteFile(filepath.Join(geoDir, name+".json"), geo, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	cmd := exec.Command(node, script)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CLOUT_GEO_DIR="+geoDir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return &nodePeer{cmd: cmd, in: json.NewEncoder(stdin), out: sc, pid: cmd.Process.Pid}
}

// render has Node render opt (already prepared as Clout's runtime gets it) and
// returns the time Node measured around the render.
func (n *nodePeer) render(op string, opt json.RawMessage, size render.Size, scale int) (time.Duration, error) {
	fonts := []string{}
	for _, name := range []string{assets.FontRegular, assets.FontBold} {
		p, err := filepath.Abs(filepath.Join("..", "assets", name))
		if err != nil {
			return 0, err
		}
		fonts = append(fonts, p)
	}
	if err := n.in.Encode(nodeRequest{Op: op, Option: opt, Width: size.Width, Height: size.Height, Scale: scale,
		Background: render.Light.Background(), Family: render.FontFamily, Fonts: fonts}); err != nil {
		return 0, err
	}
	if !n.out.Scan() {
		return 0, fmt.Errorf("node peer: no answer: %v", n.out.Err())
	}
	var a nodeAnswer
	if err := json.Unmarshal(n.out.Bytes(), &a); err != nil {
		return 0, err
	}
	if a.Error != "" {
		return 0, fmt.Errorf("node peer: %s", a.Error)
	}
	if a.Bytes == 0 {
		return 0, errors.New("node peer: empty output")
	}
	return time.Duration(a.MS * float64(time.Millisecond)), nil
}

// timed runs fn and returns how long it took.
func timed(fn func() error) (time.Duration, error) {
	t0 := time.Now()
	err := fn()
	return time.Since(t0), err
}

// BenchmarkVsNode alternates Clout's and Node's renders of each chart, SVG and PNG.
func BenchmarkVsNode(b *testing.B) {
	charts := benchCharts(b)
	node := startNode(b)
	r := warmRenderer(b)
	ctx := context.Background()
	b.Logf("load average before: %s", benchkit.LoadAverage())
	rounds := max(b.N, peerRounds)
	b.ResetTimer()
	for _, c := range charts {
		prepared, err := render.PrepareOption(c.option, render.Light)
		if err != nil {
			b.Fatal(err)
		}
		var svgC, svgN, pngC, pngN samples
		for round := range rounds + peerWarmUp {
			dc, err := timed(func() error { _, err := r.SVG(ctx, c.option, benchSize, render.Light); return err })
			if err != nil {
				b.Fatal(err)
			}
			settle()
			dn, err := node.render("svg", prepared, benchSize, 1)
			if err != nil {
				b.Fatal(err)
			}
			settle()
			pc, err := timed(func() error { _, err := r.PNG(ctx, c.option, benchSize, 1, render.Light); return err })
			if err != nil {
				b.Fatal(err)
			}
			settle()
			pn, err := node.render("png", prepared, benchSize, 1)
			if err != nil {
				b.Fatal(err)
			}
			settle()
			if round < peerWarmUp {
				continue
			}
			svgC, svgN, pngC, pngN = append(svgC, dc), append(svgN, dn), append(pngC, pc), append(pngN, pn)
		}
		b.Logf("%-17s SVG clout p50 %6.1f min %6.1f | node p50 %5.1f min %5.1f | ratio p50 %.2f min %.2f",
			c.name, ms(svgC.median()), ms(svgC.min()), ms(svgN.median()), ms(svgN.min()),
			ms(svgC.median())/ms(svgN.median()), ms(svgC.min())/ms(svgN.min()))
		b.Logf("%-17s PNG clout p50 %6.1f min %6.1f | node+resvg p50 %5.1f min %5.1f | ratio p50 %.2f min %.2f",
			c.name, ms(pngC.median()), ms(pngC.min()), ms(pngN.median()), ms(pngN.min()),
			ms(pngC.median())/ms(pngN.median()), ms(pngC.min())/ms(pngN.min()))
		b.ReportMetric(ms(svgC.median())/ms(svgN.median()), c.name+"-svg-x-node")
		b.ReportMetric(ms(pngC.median())/ms(pngN.median()), c.name+"-png-x-node")
	}
	b.Logf("load average after: %s; node rss %.0f MiB, clout peak rss %.0f MiB",
		benchkit.LoadAverage(), procStatus(fmt.Sprint(node.pid), "VmRSS"), procStatus("self", "VmHWM"))
}

// procStatus returns a field of /proc/PID/status ("self" for this process) in MiB,
// 0 when unreadable.
func procStatus(pid, field string) float64 {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field+":" {
			var kb float64
			_, _ = fmt.Sscan(f[1], &kb)
			return kb / 1024
		}
	}
	return 0
}

// chromiumPage is the page a browser-based exporter would screenshot: the
// embedded ECharts drawing on a canvas of the export size. draw(option) replaces
// the chart; the page is loaded once, so each screenshot is a warm browser's.
const chromiumPage = `<!doctype html><html><head><meta charset="utf-8">
<style>body{margin:0}#chart{width:%dpx;height:%dpx}</style>
<script src="/echarts.js"></script></head><body><div id="chart"></div>
<script>
Promise.all(%s.map(name => fetch('/geo/' + name + '.json').then(r => r.json()).then(geo => echarts.registerMap(name, geo)))).then(() => {
	window.chart = echarts.init(document.getElementById('chart'), null, {renderer: 'canvas', devicePixelRatio: 1});
	window.ready = true;
});
window.draw = (opt) => { window.chart.setOption(opt, true); return true; };
</script></body></html>`

// BenchmarkVsChromium alternates Clout's PNG of each chart with a warm headless
// Chromium drawing the same option and taking a screenshot of it, and compares
// their memory: Chromium's process tree against this whole test process.
func BenchmarkVsChromium(b *testing.B) {
	path := testkit.ChromiumPath()
	if path == "" {
		b.Skip("no Chromium found (set CLOUT_CHROMIUM or install chromium): the browser peer is not run")
	}
	charts := benchCharts(b)
	r := warmRenderer(b)
	ctx := context.Background()
	mux := http.NewServeMux()
	echartsJS := assets.MustRead(assets.EChartsJS)
	mux.HandleFunc("/echarts.js", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(echartsJS) })
	atlas, err := render.NewAtlas(assets.MustRead(assets.WorldAtlas))
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range atlas.MapNames() {
		geo, _ := atlas.GeoJSON(name)
		mux.HandleFunc("/geo/"+name+".json", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(geo) })
	}
	names, _ := json.Marshal(atlas.MapNames())
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, chromiumPage, benchSize.Width, benchSize.Height, names)
	})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(benchSize.Width+100, benchSize.Height+100))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancel := chromedp.NewContext(actx)
	b.Cleanup(func() { cancel(); cancelAlloc() })
	if _, err := chromedp.Run(bctx, func(ctx context.Context, t *chromedp.Target) (bool, error) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
			return false, err
		}
		return chromedp.Run(ctx, chromedp.Poll[bool](`window.ready === true`, chromedp.WithPollingTimeout(time.Minute)))
	}); err != nil {
		b.Fatalf("chromium: %v", err)
	}
	pid := chromedp.FromContext(bctx).Browser.Process().Pid
	b.Logf("load average before: %s", benchkit.LoadAverage())
	peak := 0.0
	rounds := max(b.N, peerRounds)
	b.ResetTimer()
	for _, c := range charts {
		prepared, err := render.PrepareOption(c.option, render.Light)
		if err != nil {
			b.Fatal(err)
		}
		chromium := func() error {
			png, err := chromedp.Run(bctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("draw("+string(prepared)+")")); err != nil {
					return nil, err
				}
				return chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#chart")))
			})
			if err == nil && len(png) == 0 {
				err = errors.New("chromium: no screenshot")
			}
			return err
		}
		var pc, px samples
		for round := range rounds + peerWarmUp {
			dc, err := timed(func() error { _, err := r.PNG(ctx, c.option, benchSize, 1, render.Light); return err })
			if err != nil {
				b.Fatal(err)
			}
			settle()
			dx, err := timed(chromium)
			if err != nil {
				b.Fatal(err)
			}
			peak = max(peak, treeRSS(pid))
			settle()
			if round >= peerWarmUp {
				pc, px = append(pc, dc), append(px, dx)
			}
		}
		b.Logf("%-17s PNG clout p50 %6.1f min %6.1f | chromium p50 %6.1f min %6.1f | chromium/clout p50 %.2f min %.2f",
			c.name, ms(pc.median()), ms(pc.min()), ms(px.median()), ms(px.min()),
			ms(px.median())/ms(pc.median()), ms(px.min())/ms(pc.min()))
		b.ReportMetric(ms(px.median())/ms(pc.median()), c.name+"-chromium-x-clout")
	}
	clout := procStatus("self", "VmHWM")
	b.Logf("load average after: %s; memory: chromium tree peak %.0f MiB, clout process peak %.0f MiB (%.2f× chromium)",
		benchkit.LoadAverage(), peak, clout, clout/peak)
	b.ReportMetric(clout/peak, "memory-x-chromium")
}

// treeRSS is the resident memory of process pid and all its descendants, in MiB.
func treeRSS(pid int) float64 {
	entries, _ := os.ReadDir("/proc")
	children := map[string][]string{}
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
		if f := strings.Fields(rest); len(f) >= 2 {
			children[f[1]] = append(children[f[1]], e.Name())
		}
	}
	total := 0.0
	for queue := []string{fmt.Sprint(pid)}; len(queue) > 0; queue = queue[1:] {
		total += procStatus(queue[0], "VmRSS")
		queue = append(queue, children[queue[0]]...)
	}
	return total
}

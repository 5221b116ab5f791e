// Command clout-screenshots takes the README's and docs' screenshots from the
// running binary: it starts `clout serve` on a free loopback port over a new
// store in a temporary directory (which imports the embedded seed data), opens
// the main pages in headless Chromium at 1400 px (light and dark) and 390 px
// (light), writes one PNG per page and view, and stops the server.
//
//	go run ./cmd/clout-screenshots -bin bin/clout -out docs/screenshots
//
// `make screenshots` builds the binary and runs it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/clout-dev/clout/internal/browser"
)

// shot is a page to photograph and the file name it is saved under.
type shot struct{ name, path string }

// shots are the main pages: the overview, the charts the README discusses, and
// the claims.
var shots = []shot{
	{name: "overview", path: "/"},
	{name: "gas", path: "/charts/gas-exports"},
	{name: "trade-share", path: "/charts/trade-share"},
	{name: "integration", path: "/charts/integration-gain"},
	{name: "map", path: "/charts/map"},
	{name: "claims", path: "/claims"},
}

// view is a window width and colour scheme.
type view struct {
	width, height int64
	scheme        string
}

var views = []view{
	{width: 1400, height: 1000, scheme: "light"},
	{width: 1400, height: 1000, scheme: "dark"},
	{width: 390, height: 844, scheme: "light"},
}

// maxHeight bounds a screenshot: a chart page is photographed down to its
// chart, never further than this.
const maxHeight = 2400

func main() {
	bin := flag.String("bin", "bin/clout", "the clout binary to start")
	out := flag.String("out", "docs/screenshots", "directory the PNG files are written to")
	flag.Parse()
	if err := run(*bin, *out); err != nil {
		fmt.Fprintln(os.Stderr, "clout-screenshots:", err)
		os.Exit(1)
	}
}

func run(bin, out string) error {
	chromium := browser.Path()
	if chromium == "" {
		return errors.New("no Chromium found (install chromium, or set CLOUT_CHROMIUM)")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "clout-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	base, stop, err := startServer(bin, dir)
	if err != nil {
		return err
	}
	defer stop()

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browser.Options(chromium,
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
	)...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(alloc)
	defer cancelTab()

	for _, v := range views {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.width, v.height)); err != nil {
			return fmt.Errorf("viewport %d: %w", v.width, err)
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v.scheme}},
		}); err != nil {
			return fmt.Errorf("colour scheme %s: %w", v.scheme, err)
		}
		for _, s := range shots {
			file := filepath.Join(out, fmt.Sprintf("%s-%d-%s.png", s.name, v.width, v.scheme))
			if err := photograph(ctx, base+s.path, v, file); err != nil {
				return fmt.Errorf("%s at %d px, %s: %w", s.path, v.width, v.scheme, err)
			}
			fmt.Println(file)
		}
	}
	return nil
}

// startServer starts `bin serve` on a free loopback port over a new store in
// dir and waits until it answers; stop ends it.
func startServer(bin, dir string) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	token := make([]byte, 16)
	rand.Read(token)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", filepath.Join(dir, "clout.db"))
	cmd.Env = append(os.Environ(), "CLOUT_CONFIG=", "CLOUT_ADMIN_TOKEN="+hex.EncodeToString(token))
	log, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return "", nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return "", nil, fmt.Errorf("start %s: %w", bin, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stop = func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		log.Close()
	}
	base = "http://" + addr
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-done:
			b, _ := os.ReadFile(log.Name())
			return "", nil, fmt.Errorf("%s serve exited (%v):\n%s", bin, err, b)
		default:
		}
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base, stop, nil
			}
		}
	}
	stop()
	return "", nil, errors.New("the server did not answer /healthz within a minute")
}

// chartsDrawnJS is truthy once every chart of the page is drawn (app.js marks
// each with data-drawn), or at once on a page without charts; it gives the
// bottom of the last chart, in page pixels.
const chartsDrawnJS = `(() => {
  const els = Array.from(document.querySelectorAll('.chart'));
  if (els.some(el => el.getAttribute('data-drawn') !== 'true')) return 0;
  const last = els.length ? els[els.length - 1].getBoundingClientRect().bottom + window.scrollY : 0;
  return Math.max(1, Math.ceil(last));
})()`

// photograph loads url and writes the page from its top to the bottom of its
// first screen, or of its chart when that lies lower (at most maxHeight).
func photograph(ctx context.Context, url string, v view, file string) error {
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return err
	}
	bottom, err := chromedp.Run(ctx, chromedp.Poll[float64](chartsDrawnJS,
		chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
	if err != nil {
		return fmt.Errorf("charts not drawn: %w", err)
	}
	if err := chromedp.Do(ctx, chromedp.Sleep(1200*time.Millisecond)); err != nil { // the entry animation
		return err
	}
	height := math.Min(math.Max(float64(v.height), bottom+24), maxHeight)
	if v.width < 600 && bottom <= 1 {
		height = float64(v.height) // a phone shows its first screen
	}
	beyond := true
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		CaptureBeyondViewport: &beyond,
		Clip:                  &page.Viewport{X: 0, Y: 0, Width: float64(v.width), Height: height, Scale: 1},
	})
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	return os.WriteFile(file, res.Data, 0o644)
}

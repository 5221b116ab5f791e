// Package browser finds the Chromium that Clout's browser tests and its
// screenshot command drive.
package browser

import (
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// Path returns $CLOUT_CHROMIUM, or Chromium (or Chrome) on PATH; "" when there
// is none.
func Path() string {
	if p := os.Getenv("CLOUT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Options are the allocator options of a headless Chromium at path that
// stays on loopback and quiet: no GPU, sandbox, first-run screens, QUIC,
// background networking, component updates or sync; extra are added after.
func Options(path string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	return append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}, extra...)
}

// Package browser finds the Chromium that Clout's browser tests and its
// screenshot command drive.
package browser

import (
	"os"
	"os/exec"
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

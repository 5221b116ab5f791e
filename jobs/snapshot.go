package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// dayLayout names a snapshot job's day directories.
const dayLayout = "2006-01-02"

// snapshotRunner exports charts into dated directories.
type snapshotRunner struct {
	spec SnapshotSpec
	snap Snapshotter
}

// snapshotFile is one rendered export, kept in memory until all have rendered so a
// failing chart leaves no partial day behind.
type snapshotFile struct {
	name string
	data []byte
}

func (r *snapshotRunner) run(ctx context.Context, now time.Time) (outcome, error) {
	var files []snapshotFile
	for _, chart := range r.spec.Charts {
		for _, format := range r.spec.Formats {
			data, ext, err := r.snap.Snapshot(ctx, chart, r.spec.Params, format)
			if err != nil {
				return outcome{}, fmt.Errorf("snapshot %s as %s: %w", chart, format, err)
			}
			if ext == "" || strings.ContainsAny(ext, `/\.`) {
				return outcome{}, fmt.Errorf("snapshot %s as %s: bad file extension %q", chart, format, ext)
			}
			files = append(files, snapshotFile{name: chart + "." + ext, data: data})
		}
	}
	day := filepath.Join(r.spec.Dir, now.Format(dayLayout))
	if err := os.MkdirAll(day, 0o755); err != nil {
		return outcome{}, fmt.Errorf("snapshot dir: %w", err)
	}
	for _, f := range files {
		if err := writeAtomic(filepath.Join(day, f.name), f.data); err != nil {
			return outcome{}, err
		}
	}
	removed, err := pruneDays(r.spec.Dir, r.spec.keep())
	if err != nil {
		return outcome{}, err
	}
	msg := fmt.Sprintf("wrote %d files to %s", len(files), day)
	if len(removed) > 0 {
		msg += fmt.Sprintf("; removed %s", strings.Join(removed, ", "))
	}
	return outcome{status: indicators.RunOK, message: msg}, nil
}

// writeAtomic writes data to a temporary file next to path and renames it into
// place, so readers see the old file or the new one, never a partial one.
func writeAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// pruneDays removes all but the keep newest YYYY-MM-DD directories of dir and
// returns their names; anything else in dir is left alone.
func pruneDays(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("prune %s: %w", dir, err)
	}
	var days []string
	for _, e := range entries {
		if _, err := time.Parse(dayLayout, e.Name()); e.IsDir() && err == nil && len(e.Name()) == len(dayLayout) {
			days = append(days, e.Name())
		}
	}
	if len(days) <= keep {
		return nil, nil
	}
	slices.Sort(days) // the layout sorts chronologically
	old := days[:len(days)-keep]
	for _, d := range old {
		if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
			return nil, fmt.Errorf("prune %s: %w", dir, err)
		}
	}
	return old, nil
}

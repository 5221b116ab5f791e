package dashboard

import (
	"bytes"
	"context"
	"time"

	"github.com/clout-dev/clout/dashboard/export"
	"github.com/clout-dev/clout/dashboard/render"
)

// exportAdapter serves snapshots with dashboard/export.
type exportAdapter struct {
	e   *export.Exporter
	now func() time.Time
}

// NewExporter adapts an *export.Exporter to the snapshot routes' Exporter; now
// is the clock of the export time printed in each snapshot (time.Now if nil).
func NewExporter(e *export.Exporter, now func() time.Time) Exporter {
	if now == nil {
		now = time.Now
	}
	return exportAdapter{e: e, now: now}
}

// Export renders req; zero width, height or scale take the exporter's defaults,
// and the exporter checks their bounds.
func (a exportAdapter) Export(ctx context.Context, req SnapshotRequest) (Snapshot, error) {
	f, err := export.ParseFormat(req.Format)
	if err != nil {
		return Snapshot{}, err
	}
	img := export.DefaultImage()
	if req.Width > 0 {
		img.Size.Width = req.Width
	}
	if req.Height > 0 {
		img.Size.Height = req.Height
	}
	if req.Scale > 0 {
		img.Scale = int(req.Scale)
	}
	if req.Theme == "dark" {
		img.Theme = render.Dark
	}
	var buf bytes.Buffer
	snap := export.Snapshot{Result: req.Result, Option: req.Option, Permalink: req.Permalink, Time: a.now()}
	if err := a.e.Write(ctx, &buf, f, snap, img); err != nil {
		return Snapshot{}, err
	}
	return Snapshot{ContentType: f.ContentType(), FileName: export.FileName(req.Result, f), Body: buf.Bytes()}, nil
}

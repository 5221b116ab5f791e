package dashboard

import (
	"context"
	"encoding/json"

	"github.com/clout-dev/clout/indicators"
)

// ImportRequest is an upload to import (issue 5).
type ImportRequest struct {
	Dataset  string
	FileName string
	File     []byte
	Format   string // auto | tidy | wide | worldbank | databank | dots | comtrade | oecd
	DryRun   bool
	Who      string
}

// Importer imports an uploaded file; data/importer provides it, wired by cmd/clout.
// A rejected file returns the report and an *indicators.Error with code EREJECTED
// whose Details are every problem.
type Importer interface {
	Import(ctx context.Context, req ImportRequest) (*indicators.ImportReport, error)
}

// Snapshot is a rendered export of a chart (issue 6).
type Snapshot struct {
	ContentType string
	FileName    string
	Body        []byte
}

// SnapshotRequest is what the exporter renders: the computed chart, its option,
// and the export's own parameters.
type SnapshotRequest struct {
	Format    string // png | svg | csv | xlsx | html | json
	Result    *indicators.Result
	Option    json.RawMessage
	Permalink string // absolute when Config.BaseURL is set
	Width     int
	Height    int
	Scale     float64
	Theme     string // "" (light) or "dark"
}

// Exporter renders snapshots; dashboard/export provides it, wired by cmd/clout.
// A nil Exporter leaves the snapshot routes out.
type Exporter interface {
	Export(ctx context.Context, req SnapshotRequest) (Snapshot, error)
}

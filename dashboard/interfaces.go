package dashboard

import (
	"context"

	"github.com/clout-dev/clout/indicators"
)

// ImportRequest is an upload to import.
type ImportRequest struct {
	Dataset  string
	FileName string
	File     []byte
	// Content is the upload where it lies (spooled to a temporary file), in
	// place of File: the importer reads it from there, so an import operation
	// does not hold the upload in memory.
	Content indicators.FileContent
	Format  string // "auto" or one of importer.Formats()
	DryRun  bool
	Who     string
	// Indicator is the indicator of a file whose rows do not name one (Country,
	// Year, Value); the form field indicator=.
	Indicator string
	// AllowOlder stores figures older than the stored vintage of the same cells.
	AllowOlder bool
}

// Importer imports an uploaded file; data/importer provides it, wired by cmd/clout.
// A rejected file returns the report and an *indicators.Error with code EINVALID
// whose Details are every problem.
type Importer interface {
	Import(ctx context.Context, req ImportRequest) (*indicators.ImportReport, error)
}

// Package seed embeds Clout's seed workbook: real figures, each with its source,
// compiled from the project's reference data by `go generate` (see gen/). An empty
// store is filled from it on first start, so a fresh install shows real charts.
package seed

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
)

//go:generate go run ./gen -ref ../../../shared/reference-data -out seed.xlsx

// Dataset is the name the seed is imported under.
const Dataset = "seed"

// FileName is the file name recorded for the seed import.
const FileName = "clout-seed.xlsx"

//go:embed seed.xlsx
var workbook []byte

// Workbook returns a copy of the seed workbook (tidy layout, one sheet per source family).
func Workbook() []byte { return append([]byte(nil), workbook...) }

// Importer imports a file; *importer.Importer is one.
type Importer interface {
	Import(ctx context.Context, req importer.Request) (*indicators.ImportReport, error)
}

// VersionReader tells whether a store holds any data.
type VersionReader interface {
	DataVersion(ctx context.Context) (int64, error)
}

// ImportIfEmpty imports the seed workbook as dataset "seed" when the store holds no
// data yet (data version 0). It returns the report, or nil if nothing was done.
// The store checks again under its write lock, so of several replicas starting
// together on one empty database exactly one seeds it.
func ImportIfEmpty(ctx context.Context, st VersionReader, imp Importer) (*indicators.ImportReport, error) {
	v, err := st.DataVersion(ctx)
	if err != nil || v > 0 {
		return nil, err
	}
	report, err := imp.Import(ctx, importer.Request{Dataset: Dataset, FileName: FileName, Data: workbook, Who: "seed", OnlyIfEmpty: true})
	if indicators.ErrorCode(err) == indicators.ECONFLICT {
		return nil, nil // another replica seeded first
	}
	if err != nil {
		return report, fmt.Errorf("import seed: %w", err)
	}
	return report, nil
}

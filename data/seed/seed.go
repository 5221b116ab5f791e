// Package seed embeds Clout's seed workbook: real figures, each with its source,
// compiled from the project's reference data by `go generate` (see gen/). An empty
// store is filled from it on first start, so a fresh install shows real charts.
package seed

import (
	_ "embed"
)

//go:generate go run ./gen -ref ../../../shared/reference-data -out seed.xlsx

// Dataset is the name the seed is imported under.
const Dataset = "seed"

// FileName is the file name recorded for the seed import.
const FileName = "clout-seed.xlsx"

//go:embed seed.xlsx
var workbook []byte

// Workbook returns the seed workbook (tidy layout, one sheet per source family).
func Workbook() []byte { return append([]byte(nil), workbook...) }

package postgres_test

import (
	"testing"

	"github.com/clout-dev/clout/data/internal/storetest"
)

// BenchmarkSaveVersion1M stores 1,000,000 observations into a fresh schema with COPY.
func BenchmarkSaveVersion1M(b *testing.B) {
	testDSN(b)
	storetest.BenchmarkSave(b, backend, 1_000_000)
}

// BenchmarkObservations reads a chart's query and a whole indicator out of 1M rows.
func BenchmarkObservations(b *testing.B) {
	testDSN(b)
	storetest.BenchmarkObservations(b, backend)
}

// BenchmarkOverlaps checks 500,000 keys against a stored dataset.
func BenchmarkOverlaps(b *testing.B) {
	testDSN(b)
	storetest.BenchmarkOverlaps(b, backend)
}

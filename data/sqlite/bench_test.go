package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/internal/storetest"
	"github.com/clout-dev/clout/data/sqlite"
)

// BenchmarkSaveVersion1M stores 1,000,000 observations into a fresh database.
func BenchmarkSaveVersion1M(b *testing.B) { storetest.BenchmarkSave(b, backend, 1_000_000) }

// BenchmarkSaveVersionBatch compares INSERT statement sizes on 200,000 observations.
func BenchmarkSaveVersionBatch(b *testing.B) {
	for _, n := range []int{1, 50, 200, 500} {
		bk := storetest.Backend{
			New: func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "clout.db") },
			Open: func(tb testing.TB, path string, now func() time.Time, opts ...sqlite.Option) storetest.Store {
				return MustOpenPath(tb, path, append([]sqlite.Option{sqlite.WithClock(now), sqlite.WithBatchRows(n)}, opts...)...)
			},
		}
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) { storetest.BenchmarkSave(b, bk, 200_000) })
	}
}

// BenchmarkObservations reads a chart's query and a whole indicator out of 1M rows.
func BenchmarkObservations(b *testing.B) { storetest.BenchmarkObservations(b, backend) }

// BenchmarkOverlaps checks 500,000 keys against a stored dataset.
func BenchmarkOverlaps(b *testing.B) { storetest.BenchmarkOverlaps(b, backend) }

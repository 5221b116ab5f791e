package storetest

import (
	"bytes"
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/benchdata"
)

// Source streams n observations in batches of 1000, reusing the batch as a parser
// would: 50 indicators × 200 countries × years, in the order of a tidy file.
func Source(n int) indicators.ObservationSource {
	return benchdata.Source(n, benchdata.Shape{Indicators: 50, Areas: 200, IndicatorFormat: "IND.%02d", AreaFormat: "C%03d", Batch: 1000})
}

// BenchmarkSave stores rows observations into a fresh database per iteration and
// reports rows/s and CPU seconds per import.
func BenchmarkSave(b *testing.B, bk Backend, rows int) {
	ctx := context.Background()
	cpu0 := cpuTime()
	for b.Loop() {
		b.StopTimer()
		db := bk.Open(b, bk.New(b), time.Now)
		b.StartTimer()
		v, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: "bench", File: bytes.NewReader([]byte("bench"))}, Source(rows))
		if err != nil || v.Observations != rows {
			b.Fatalf("save: %+v %v", v, err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	// The machine is shared: CPU seconds (every core, GC included, the database
	// server's not) say more than wall time when other processes compete.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkObservations reads, out of 1,000,000 stored observations in two
// overlapping datasets: one indicator for 20 countries over 31 years (a chart's
// query), one whole indicator, and the chart query as of the first import.
func BenchmarkObservations(b *testing.B, bk Backend) {
	ctx := context.Background()
	db := bk.Open(b, bk.New(b), time.Now)
	for _, ds := range []string{"a", "b"} {
		if _, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: ds}, Source(500_000)); err != nil {
			b.Fatal(err)
		}
	}
	var some []string
	for c := 0; c < 200; c += 10 {
		some = append(some, fmt.Sprintf("C%03d", c))
	}
	queries := []struct {
		name string
		q    indicators.Query
	}{
		{name: "chart", q: indicators.Query{Indicators: []string{"IND.07"}, Countries: some, From: indicators.Year(1900), To: indicators.Year(1930)}},
		{name: "indicator", q: indicators.Query{Indicators: []string{"IND.07"}}},
		{name: "as-of", q: indicators.Query{Indicators: []string{"IND.07"}, Countries: some, AsOf: 1}},
	}
	for _, qq := range queries {
		b.Run(qq.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				obs, err := db.Observations(ctx, qq.q)
				if err != nil || len(obs) == 0 {
					b.Fatalf("%d rows, %v", len(obs), err)
				}
				n = len(obs)
			}
			b.ReportMetric(float64(n), "rows/op")
		})
	}
}

// cpuTime is the CPU time this process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOverlaps checks 500,000 keys of a new import against a stored dataset
// that gives all of them, as the importer does before saving.
func BenchmarkOverlaps(b *testing.B, bk Backend) {
	ctx := context.Background()
	db := bk.Open(b, bk.New(b), time.Now)
	if _, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: "a"}, Source(500_000)); err != nil {
		b.Fatal(err)
	}
	var keys []indicators.Key
	err := Source(500_000)(func(batch []indicators.Observation) error {
		for _, o := range batch {
			keys = append(keys, o.Key())
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		got, err := db.Overlaps(ctx, "b", indicators.NewKeyList(keys...))
		if err != nil || got["a"] != len(keys) {
			b.Fatalf("Overlaps = %v, %v", got, err)
		}
	}
	b.ReportMetric(float64(len(keys)*b.N)/b.Elapsed().Seconds(), "keys/s")
}

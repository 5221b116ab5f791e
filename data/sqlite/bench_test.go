package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// benchSource streams n observations in batches of 1000, reusing the batch as a
// parser would: 50 indicators × 200 countries × periods, sorted like a tidy file.
func benchSource(n int) indicators.ObservationSource {
	return func(yield func([]indicators.Observation) error) error {
		batch := make([]indicators.Observation, 0, 1000)
		years := n/(50*200) + 1
		inds, countries := names("IND.%02d", 50), names("C%03d", 200)
		for i := range n {
			batch = append(batch, indicators.Observation{
				Indicator: inds[i/(200*years)],
				Country:   countries[i/years%200],
				Period:    indicators.Year(1900 + i%years),
				Value:     float64(i) * 1.5,
				Unit:      "US$",
				Source:    "benchmark",
			})
			if len(batch) == cap(batch) {
				if err := yield(batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			return yield(batch)
		}
		return nil
	}
}

func benchmarkSave(b *testing.B, rows int, opts ...sqlite.Option) {
	ctx := context.Background()
	cpu0 := cpuTime()
	for b.Loop() {
		b.StopTimer()
		db := MustOpenPath(b, filepath.Join(b.TempDir(), "bench.db"), opts...)
		b.StartTimer()
		v, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: "bench", File: []byte("bench")}, benchSource(rows))
		if err != nil || v.Observations != rows {
			b.Fatalf("save: %+v %v", v, err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	// The machine is shared: CPU seconds (both cores, GC included) say more than
	// wall time when other processes compete.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the CPU time this process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSaveVersion1M stores 1,000,000 observations into a fresh database.
func BenchmarkSaveVersion1M(b *testing.B) { benchmarkSave(b, 1_000_000) }

// BenchmarkSaveVersionBatch compares statement sizes on 200,000 observations.
func BenchmarkSaveVersionBatch(b *testing.B) {
	for _, n := range []int{1, 50, 200, 500} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) { benchmarkSave(b, 200_000, sqlite.WithBatchRows(n)) })
	}
}

// BenchmarkObservations reads one indicator for 20 countries (a chart's query) and
// a whole indicator, out of 1,000,000 stored observations in two overlapping datasets.
func BenchmarkObservations(b *testing.B) {
	ctx := context.Background()
	db := MustOpenPath(b, filepath.Join(b.TempDir(), "bench.db"))
	for _, ds := range []string{"a", "b"} {
		if _, err := db.SaveVersion(ctx, indicators.NewVersion{Dataset: ds}, benchSource(500_000)); err != nil {
			b.Fatal(err)
		}
	}
	var countries []string
	for c := range 20 {
		countries = append(countries, fmt.Sprintf("C%03d", c*10))
	}
	queries := []struct {
		name string
		q    indicators.Query
	}{
		{name: "chart", q: indicators.Query{Indicators: []string{"IND.07"}, Countries: countries, From: indicators.Year(1900), To: indicators.Year(1930)}},
		{name: "indicator", q: indicators.Query{Indicators: []string{"IND.07"}}},
		{name: "as-of", q: indicators.Query{Indicators: []string{"IND.07"}, Countries: countries, AsOf: 1}},
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

func names(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

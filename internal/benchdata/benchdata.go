// Package benchdata generates the synthetic observations that the store and
// dashboard benchmarks load: many indicators × areas × periods, streamed in
// batches in the key order a tidy export comes in.
package benchdata

import (
	"fmt"

	"github.com/clout-dev/clout/indicators"
)

// Shape is what a generated set holds: Indicators × Areas series named by the
// formats ("IND.%02d", "C%03d"), each with as many periods as n allows, yearly
// from 1900 or monthly from 1950-01.
type Shape struct {
	Indicators, Areas           int
	IndicatorFormat, AreaFormat string
	Monthly                     bool
	Batch                       int // observations per batch, reused as a parser would
}

// Source streams n observations of the shape.
func Source(n int, s Shape) indicators.ObservationSource {
	return func(yield func([]indicators.Observation) error) error {
		periods := max(1, (n+s.Indicators*s.Areas-1)/(s.Indicators*s.Areas))
		inds, areas := names(s.IndicatorFormat, s.Indicators), names(s.AreaFormat, s.Areas)
		batch := make([]indicators.Observation, 0, s.Batch)
		for i := range n {
			p := i % periods
			period := indicators.Year(1900 + p)
			if s.Monthly {
				period = indicators.Month(1950+p/12, p%12+1)
			}
			batch = append(batch, indicators.Observation{
				Indicator: inds[i/(s.Areas*periods)%s.Indicators],
				Country:   areas[i/periods%s.Areas],
				Period:    period,
				Value:     float64(i%9973) * 1.25,
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

func names(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

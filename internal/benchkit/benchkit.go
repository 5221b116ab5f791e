// Package benchkit holds what the side-by-side benchmarks share: the load
// average they log with their numbers, medians, and reading wrk's report.
package benchkit

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LoadAverage is the first three fields of /proc/loadavg, as uptime prints
// them ("?" where there is none).
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// Median of a non-empty list (the upper one of an even count).
func Median[T cmp.Ordered](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// ParseWrk reads the rate ("Requests/sec:") and the 99th percentile latency
// of the report of wrk --latency.
func ParseWrk(report string) (rate float64, p99 time.Duration, err error) {
	for _, line := range strings.Split(report, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			if rate, err = strconv.ParseFloat(f[1], 64); err != nil {
				return 0, 0, fmt.Errorf("wrk rate %q: %w", f[1], err)
			}
		case len(f) == 2 && f[0] == "99%":
			if p99, err = time.ParseDuration(f[1]); err != nil {
				return 0, 0, fmt.Errorf("wrk latency %q: %w", f[1], err)
			}
		}
	}
	if rate == 0 || p99 == 0 {
		return 0, 0, fmt.Errorf("no rate or 99%% latency in wrk's report:\n%s", report)
	}
	return rate, p99, nil
}

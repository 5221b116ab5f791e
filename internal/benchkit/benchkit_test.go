package benchkit_test

import (
	"testing"
	"time"

	"github.com/clout-dev/clout/internal/benchkit"
)

// A report as wrk 4.1 prints it with --latency.
const report = `Running 5s test @ http://127.0.0.1:40000/charts/trade-share
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.61ms    1.43ms  13.61ms   84.99%
    Req/Sec    20.39k     1.22k   22.51k    80.00%
  Latency Distribution
     50%    2.16ms
     75%    3.02ms
     90%    4.41ms
     99%    8.84ms
  101432 requests in 5.00s, 5.01GB read
Requests/sec:  20286.17
Transfer/sec:      1.00GB
`

func TestParseWrk(t *testing.T) {
	rate, p99, err := benchkit.ParseWrk(report)
	if err != nil {
		t.Fatal(err)
	}
	if rate != 20286.17 || p99 != 8840*time.Microsecond {
		t.Errorf("rate %v, p99 %v; want 20286.17, 8.84ms", rate, p99)
	}
	if _, _, err := benchkit.ParseWrk("Running 5s test\nsocket errors: connect 64\n"); err == nil {
		t.Error("a report without numbers parsed")
	}
}

func TestMedian(t *testing.T) {
	if m := benchkit.Median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median %v, want 2", m)
	}
	xs := []time.Duration{4, 1, 3, 2}
	if m := benchkit.Median(xs); m != 3 {
		t.Errorf("median %v, want 3 (the upper middle)", m)
	}
	if xs[0] != 4 {
		t.Error("Median sorted its argument in place")
	}
}

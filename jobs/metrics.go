package jobs

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clout-dev/clout/indicators"
)

// metrics are the jobs' Prometheus collectors (registered only if a Registerer is
// given; no global registry).
type metrics struct {
	runs        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clout_job_runs_total",
			Help: "Job runs by final status (ok, unchanged, failed, skipped); retries are part of one run.",
		}, []string{"job", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "clout_job_run_duration_seconds",
			Help:    "Duration of job runs, all attempts and backoff included.",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600},
		}, []string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "clout_job_last_success_timestamp_seconds",
			Help: "Unix time at which the job's last successful (ok or unchanged) run ended.",
		}, []string{"job"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.runs, m.duration, m.lastSuccess} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("jobs: registering metrics: %w", err)
		}
	}
	return m, nil
}

// init creates the job's series at zero so they exist before its first run.
func (m *metrics) init(job string) {
	for _, st := range []string{indicators.RunOK, indicators.RunUnchanged, indicators.RunFailed, indicators.RunSkipped} {
		m.runs.WithLabelValues(job, st)
	}
}

// observe counts a finished run r that took d (skips are counted, not timed).
func (m *metrics) observe(r indicators.JobRun, d time.Duration) {
	m.runs.WithLabelValues(r.Job, r.Status).Inc()
	if r.Status == indicators.RunSkipped {
		return
	}
	m.duration.WithLabelValues(r.Job).Observe(d.Seconds())
	if r.Status == indicators.RunOK || r.Status == indicators.RunUnchanged {
		m.lastSuccess.WithLabelValues(r.Job).Set(float64(r.Ended.UnixNano()) / 1e9)
	}
}

package claims

import (
	"context"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clout-dev/clout/indicators"
)

// verdictDesc describes clout_claim_verdict.
var verdictDesc = prometheus.NewDesc("clout_claim_verdict",
	"Current verdict of each claim: 1 holds, 0 borderline, -1 fails, NaN untestable (no figure settles it).",
	[]string{"claim"}, nil)

// VerdictValue is a verdict as the gauge clout_claim_verdict reports it: 1
// holds, 0 borderline, -1 fails, NaN untestable.
func VerdictValue(v indicators.Verdict) float64 {
	switch v {
	case indicators.VerdictHolds:
		return 1
	case indicators.VerdictBorderline:
		return 0
	case indicators.VerdictFails:
		return -1
	}
	return math.NaN()
}

// Collector publishes each claim's current verdict as clout_claim_verdict{claim}.
// A scrape judges the claims at the current data version (from the service's
// memory unless the data changed), so a scrape after an import made by another
// process also records its verdict changes.
type Collector struct{ svc *Service }

// NewCollector returns the collector of svc's verdicts, for a server's registry.
func NewCollector(svc *Service) *Collector { return &Collector{svc: svc} }

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) { ch <- verdictDesc }

// Collect implements prometheus.Collector; with the claims not judged (the store
// unreachable) it reports no verdicts and the error, which fails the scrape.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := c.svc.Evaluate(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(verdictDesc, err)
		return
	}
	for _, ev := range rep.Claims {
		ch <- prometheus.MustNewConstMetric(verdictDesc, prometheus.GaugeValue, VerdictValue(ev.Current.Verdict), ev.Claim.ID)
	}
}

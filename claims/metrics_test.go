package claims_test

import (
	"math"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

func TestCollector_seed(t *testing.T) {
	svc := newService(t, testkit.SeededStore(t), claims.Config{})
	reg := prometheus.NewRegistry()
	reg.MustRegister(claims.NewCollector(svc))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range families {
		if mf.GetName() != "clout_claim_verdict" {
			continue
		}
		for _, m := range mf.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
		}
	}
	for _, ev := range mustEvaluate(t, svc).Claims {
		want := claims.VerdictValue(ev.Current.Verdict)
		if g, ok := got[ev.Claim.ID]; !ok || g != want && !(math.IsNaN(g) && math.IsNaN(want)) {
			t.Errorf("%s: gauge %v (present %v), want %v (%s)", ev.Claim.ID, g, ok, want, ev.Current.Verdict)
		}
	}
	if got[indicators.ClaimGasFall] != -1 {
		t.Errorf("gas claim gauge %v, want -1 (fails)", got[indicators.ClaimGasFall])
	}
}

func TestVerdictValue(t *testing.T) {
	for v, want := range map[indicators.Verdict]float64{indicators.VerdictHolds: 1, indicators.VerdictBorderline: 0, indicators.VerdictFails: -1} {
		if got := claims.VerdictValue(v); got != want {
			t.Errorf("%s = %v, want %v", v, got, want)
		}
	}
	if !math.IsNaN(claims.VerdictValue(indicators.VerdictUntestable)) {
		t.Error("untestable is not NaN")
	}
}

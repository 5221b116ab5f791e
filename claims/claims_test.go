package claims_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

// verdictsOf maps period → verdict.
func verdictsOf(ev claims.Evaluation) map[string]indicators.Verdict {
	out := map[string]indicators.Verdict{}
	for _, v := range ev.Verdicts {
		out[v.Period.String()] = v.Verdict
	}
	return out
}

func mustFind(tb testing.TB, rep *claims.Report, id string) claims.Evaluation {
	tb.Helper()
	ev, err := rep.Find(id)
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}

// The article's claims on the embedded seed, newest vintage.
func TestEvaluate_seed(t *testing.T) {
	svc := newService(t, testkit.SeededStore(t), claims.Config{})
	rep := mustEvaluate(t, svc)
	if len(rep.Claims) != 4 || rep.DataVersion == 0 {
		t.Fatalf("report: %d claims at data version %d", len(rep.Claims), rep.DataVersion)
	}
	const H, F, U = indicators.VerdictHolds, indicators.VerdictFails, indicators.VerdictUntestable
	tests := []struct {
		claim string
		want  map[string]indicators.Verdict
	}{
		{indicators.ClaimTradeShare, map[string]indicators.Verdict{"2017": H, "2018": H, "2019": H, "2020": H, "2021": H,
			"2022": F, "2023": F, "2024": F, "2025": U}},
		{indicators.ClaimGasFall, map[string]indicators.Verdict{"2020-03": H, "2020-04": H, "2024-04": H,
			"2019": F, "2020": F, "2021": F, "2022": F, "2023": F, "2024": F}},
		{indicators.ClaimGDPGain, map[string]indicators.Verdict{"2019": H, "2020": H, "2021": H, "2022": H, "2023": H, "2024": H}},
		{indicators.ClaimPopGain, map[string]indicators.Verdict{"2019": H, "2020": H, "2022": F, "2023": F, "2024": F}},
	}
	for _, tt := range tests {
		t.Run(tt.claim, func(t *testing.T) {
			ev := mustFind(t, rep, tt.claim)
			got := verdictsOf(ev)
			for p, want := range tt.want {
				if got[p] != want {
					t.Errorf("%s: %q, want %q (all: %v)", p, got[p], want, got)
				}
			}
			if ev.Error != "" || ev.Summary == "" || len(ev.Metric) == 0 || len(ev.Caveats) < len(ev.Claim.Caveats) {
				t.Errorf("evaluation %+v", ev)
			}
		})
	}

	gas := mustFind(t, rep, indicators.ClaimGasFall)
	var held []string
	for _, v := range gas.Verdicts {
		if v.Verdict == H {
			held = append(held, v.Period.String())
		}
		if v.Period.Freq == indicators.Annual && v.Verdict.Testable() && v.Verdict != F {
			t.Errorf("gas: full year %s is %s, want fails", v.Period, v.Verdict)
		}
	}
	if strings.Join(held, ",") != "2020-03,2020-04,2024-04" {
		t.Errorf("gas holds in %v, want 2020-03, 2020-04 and 2024-04 only", held)
	}
	if !strings.HasPrefix(gas.Summary, "holds for single months only (2020-03, 2020-04, 2024-04); fails for every full year") {
		t.Errorf("gas summary %q", gas.Summary)
	}
	if gas.Current.Verdict != F || gas.Current.Period.Freq != indicators.Annual {
		t.Errorf("gas current %+v, want fails at a full year", gas.Current)
	}

	trade := mustFind(t, rep, indicators.ClaimTradeShare)
	for _, v := range trade.Verdicts {
		if v.Verdict == H && !v.RangeAcrossSources() {
			t.Errorf("trade %s holds without a range across sources: %+v", v.Period, v.MetricPoint)
		}
	}
	if !strings.HasPrefix(trade.Summary, "held 2017–2021; fails since 2022 under every source; untestable 2025 (missing: Turkey–Russia turnover 2025") {
		t.Errorf("trade summary %q", trade.Summary)
	}
	for _, p := range []string{"2022", "2023", "2024"} {
		v := verdictOf(t, trade, p)
		if lo, _ := bounds(v.MetricPoint); lo <= 5.25 {
			t.Errorf("trade %s: some source allows %.2f%%, yet the claim fails under every source", p, lo)
		}
	}
	if v := verdictOf(t, trade, "2022"); v.Low == nil || v.High == nil || round1(*v.Low) != 7.6 || round1(*v.High) != 8.6 {
		t.Errorf("trade 2022 range %v–%v, want 7.6–8.6%%", v.Low, v.High)
	}
	pop := mustFind(t, rep, indicators.ClaimPopGain)
	for p, want := range map[string]float64{"2022": 72.3, "2023": 73.4, "2024": 74.5} {
		if v := verdictOf(t, pop, p); v.Value == nil || round1(*v.Value) != want {
			t.Errorf("population ratio %s = %v, want %.1f%%", p, v.Value, want)
		}
	}
	gdp := mustFind(t, rep, indicators.ClaimGDPGain)
	for _, p := range []string{"2019", "2020", "2021", "2022", "2023", "2024"} {
		lo, hi := bounds(verdictOf(t, gdp, p).MetricPoint)
		if round1(lo) < 30.6 || round1(hi) > 32.6 {
			t.Errorf("GDP PPP ratio %s spans %.2f–%.2f, want within 30.6–32.6%%", p, lo, hi)
		}
	}
}

func verdictOf(tb testing.TB, ev claims.Evaluation, period string) indicators.PeriodVerdict {
	tb.Helper()
	for _, v := range ev.Verdicts {
		if v.Period.String() == period {
			return v
		}
	}
	tb.Fatalf("%s: no verdict for %s", ev.Claim.ID, period)
	return indicators.PeriodVerdict{}
}

// bounds are the lowest and highest figure or bound of a point.
func bounds(p indicators.MetricPoint) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, f := range []*float64{p.Value, p.Low, p.High, p.AtLeast, p.AtMost} {
		if f != nil {
			lo, hi = math.Min(lo, *f), math.Max(hi, *f)
		}
	}
	return lo, hi
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// A what-if vintage judges the claim on that vintage's figures and records nothing.
func TestEvaluateClaim_vintage(t *testing.T) {
	db := testkit.SeededStore(t)
	svc := newService(t, db, claims.Config{})
	ctx := context.Background()
	vs, err := db.Vintages(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var vintage string
	for _, iv := range vs {
		if iv.Indicator == indicators.GDPPPPCode && len(iv.Vintages) > 0 {
			vintage = iv.Vintages[0]
		}
	}
	if vintage == "" {
		t.Skip("the seed has no vintaged GDP PPP figures")
	}
	ev, err := svc.EvaluateClaim(ctx, indicators.ClaimGDPGain, vintage)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Vintage != vintage || len(ev.Verdicts) == 0 {
		t.Fatalf("vintage %s: %+v", vintage, ev)
	}
	if v := verdictOf(t, ev, "2019"); vintage == "2023-05" && (v.Value == nil || round1(*v.Value) != 30.6 || v.Low != nil) {
		t.Errorf("GDP PPP 2019 in vintage 2023-05: %v (range %v–%v), want 30.6%% alone", v.Value, v.Low, v.High)
	}
	newest, _ := mustEvaluate(t, svc).Find(indicators.ClaimGDPGain)
	if v := verdictOf(t, newest, "2019"); v.Value == nil || round1(*v.Value) != 32.5 {
		t.Errorf("GDP PPP 2019, newest vintage: %v, want 32.5%%", v.Value)
	}
	if _, err := svc.EvaluateClaim(ctx, "no-such-claim", ""); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("unknown claim: %v, want ENOTFOUND", err)
	}
}

// hook is a webhook receiver that fails its first `fail` posts.
type hook struct {
	mu     sync.Mutex
	fail   int
	posts  int
	bodies []claims.WebhookPayload
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.posts++
	if h.posts <= h.fail {
		http.Error(w, "down", http.StatusBadGateway)
		return
	}
	var p claims.WebhookPayload
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	h.bodies = append(h.bodies, p)
}

func (h *hook) delivered() []claims.WebhookPayload {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]claims.WebhookPayload(nil), h.bodies...)
}

// raiseTurkey imports Turkey–Russia trade for 2019 large enough to put the
// combined share over 5% on Russia's own figures.
func raiseTurkey(tb testing.TB, db indicators.Store) {
	testkit.Import(tb, db, "correction", "correction.xlsx", testkit.TidyWorkbook(tb, [][]any{
		{indicators.ExportsCode, "RUS", "TUR", "2019", 60e9, "US$", "test correction"},
		{indicators.ImportsCode, "RUS", "TUR", "2019", 30e9, "US$", "test correction"},
	}))
}

// The first judging is a baseline; an import that changes a figure records the
// verdict change once (not again by a second process on the same store) and
// posts it to the claim's webhook once, after a failed attempt.
func TestRejudge_importRecordsChangeOnceAndFiresWebhookOnce(t *testing.T) {
	db := testkit.SeededStore(t)
	h := &hook{fail: 1}
	srv := httptest.NewServer(h)
	defer srv.Close()
	cfg := claims.Config{Webhooks: map[string]string{indicators.ClaimTradeShare: srv.URL}, WebhookBackoff: 10 * time.Millisecond}
	svc := newService(t, db, cfg)
	other := newService(t, db, cfg) // another replica on the same store
	ctx := context.Background()

	if changes, err := svc.Rejudge(ctx); err != nil || len(changes) != 0 {
		t.Fatalf("first judging: %v, %v; want a baseline", changes, err)
	}
	raiseTurkey(t, db)
	changes, err := svc.Rejudge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Claim != indicators.ClaimTradeShare || changes[0].Period != indicators.Year(2019) ||
		changes[0].Old != indicators.VerdictHolds || changes[0].New == indicators.VerdictHolds {
		t.Fatalf("changes after the import = %+v, want 2019 no longer holding", changes)
	}
	if again, _ := other.Rejudge(ctx); len(again) != 0 {
		t.Errorf("the other replica recorded %+v again", again)
	}
	if again, _ := svc.Rejudge(ctx); len(again) != 0 {
		t.Errorf("the same data version recorded %+v again", again)
	}
	svc.Wait()
	other.Wait()

	got := h.delivered()
	if len(got) != 1 || got[0].Claim != indicators.ClaimTradeShare || len(got[0].Changes) != 1 || got[0].Changes[0].Period != indicators.Year(2019) ||
		!strings.HasSuffix(got[0].Link, "/claims/"+indicators.ClaimTradeShare) {
		t.Fatalf("webhook got %+v, want one post of the 2019 change", got)
	}
	if h.posts != 2 {
		t.Errorf("webhook saw %d posts, want 2 (one failure, one retry)", h.posts)
	}
	runs, err := db.JobRuns(ctx, claims.WebhookJob(indicators.ClaimTradeShare), 0)
	if err != nil || len(runs) != 1 || runs[0].Status != indicators.RunOK || runs[0].Attempt != 2 || runs[0].DataVersion != changes[0].DataVersion {
		t.Errorf("webhook runs = %+v, %v; want one ok run after 2 attempts", runs, err)
	}
	hist, err := svc.History(ctx, indicators.ClaimTradeShare, 0)
	if err != nil || len(hist) != 1 || hist[0].ID != changes[0].ID {
		t.Errorf("history = %+v, %v", hist, err)
	}
	ev, _ := mustEvaluate(t, svc).Find(indicators.ClaimTradeShare)
	if v := verdictsOf(ev)["2019"]; v != changes[0].New {
		t.Errorf("2019 now %s, change says %s", v, changes[0].New)
	}
}

// A webhook that never answers well is given up after the attempts configured,
// and the failed delivery is recorded.
func TestWebhook_givesUp(t *testing.T) {
	db := testkit.SeededStore(t)
	h := &hook{fail: 100}
	srv := httptest.NewServer(h)
	defer srv.Close()
	svc := newService(t, db, claims.Config{Webhooks: map[string]string{indicators.ClaimTradeShare: srv.URL},
		WebhookAttempts: 3, WebhookBackoff: time.Millisecond})
	ctx := context.Background()
	mustEvaluate(t, svc)
	raiseTurkey(t, db)
	if _, err := svc.Rejudge(ctx); err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	runs, _ := db.JobRuns(ctx, claims.WebhookJob(indicators.ClaimTradeShare), 0)
	if h.posts != 3 || len(runs) != 1 || runs[0].Status != indicators.RunFailed || !strings.Contains(runs[0].Message, "HTTP 502") {
		t.Errorf("posts %d, runs %+v; want 3 posts and one failed run", h.posts, runs)
	}
}

func TestAdd(t *testing.T) {
	db := testkit.SeededStore(t)
	svc := newService(t, db, claims.Config{})
	ctx := context.Background()
	in := claims.ConfigClaim{ID: "pop-over-60", Text: "The bloc has more than 60% of Russia's population",
		Said:   indicators.ClaimSource{Title: "A talk"},
		Metric: claims.ConfigMetric{Chart: indicators.ChartIntegrationGain, Params: indicators.Params{"bloc": "FSU-CORE", "measure": "population"}, Figure: indicators.FigureBlocRatio, Unit: "%"},
		Test:   ">60", Periods: "each year, from 2015"}
	if _, err := svc.Add(ctx, in, "session"); err != nil {
		t.Fatal(err)
	}
	rep := mustEvaluate(t, svc)
	ev := mustFind(t, rep, "pop-over-60")
	if ev.Origin != claims.OriginUser || ev.Current.Verdict != indicators.VerdictHolds || verdictsOf(ev)["2014"] != "" {
		t.Errorf("user claim: %+v", ev)
	}
	if _, err := svc.Add(ctx, in, "session"); indicators.ErrorCode(err) != indicators.ECONFLICT {
		t.Errorf("same id: %v, want ECONFLICT", err)
	}
	in.ID, in.Test, in.Periods = indicators.ClaimGasFall, "=>3", ""
	_, err := svc.Add(ctx, in, "session")
	msg := indicators.ErrorMessage(err)
	if indicators.ErrorCode(err) != indicators.EINVALID || !strings.Contains(msg, "test:") || !strings.Contains(msg, "periods:") {
		t.Errorf("bad claim: %v", err)
	}
}

// Package claims puts statements on trial: it measures each claim's metric with
// the chart service, judges it per period (indicators.Judge), says the verdict in
// words, and re-judges at every new data version, recording each verdict change
// in the store, publishing the verdicts to Prometheus and posting changes to the
// claim's webhook. The dashboard, the CLI and the metrics share one Service.
package claims

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/indicators"
)

// Store is what the service keeps: the judgings, verdict changes and user claims
// (indicators.ClaimStore), settings for the check point of `clout claims check`,
// and job runs, in which webhook deliveries are recorded.
type Store interface {
	indicators.ClaimStore
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string) error
	RecordJobRun(ctx context.Context, r indicators.JobRun) (int64, error)
	UpdateJobRun(ctx context.Context, r indicators.JobRun) error
}

// Where a claim comes from.
const (
	OriginBuiltin = "built-in"
	OriginConfig  = "config"
	OriginUser    = "user"
)

// Config are the claims beyond the built-in ones and where to post changes.
type Config struct {
	// Claims are the claims of the config file, judged after the built-in ones.
	Claims []indicators.Claim
	// Webhooks maps a claim id to the URL that receives a JSON POST whenever one
	// of its verdicts changes.
	Webhooks map[string]string
	// WebhookAttempts bounds the tries of one delivery (4); WebhookBackoff is the
	// wait before the second, doubling after each (1s).
	WebhookAttempts int
	WebhookBackoff  time.Duration
}

// Deps are the service's collaborators; Charts and Store are required.
type Deps struct {
	Charts *chart.Service
	Store  Store
	Logger *slog.Logger     // slog.Default() if nil
	Now    func() time.Time // time.Now if nil
	// Client posts webhooks (a client with a 10s timeout if nil).
	Client *http.Client
}

// Service judges the claims. It is safe for concurrent use.
type Service struct {
	cfg    Config
	charts *chart.Service
	store  Store
	log    *slog.Logger
	now    func() time.Time
	client *http.Client

	mu   sync.Mutex
	last *Report // the judging of the latest data version seen

	// entries are the claims as last read, kept for chart.DefaultVersionTTL so
	// a page costs no store query; a claim added on another replica is seen
	// within it, as new data are.
	entriesMu      sync.Mutex
	entries        []Entry
	entriesFetched time.Time

	// deliveries are the webhook posts in flight; stop cancels their waits.
	deliveries sync.WaitGroup
	stopCtx    context.Context
	stop       context.CancelFunc
}

// New builds a Service; it validates the config's claims against the built-in
// ones and each other, and its webhooks.
func New(cfg Config, deps Deps) (*Service, error) {
	if deps.Charts == nil || deps.Store == nil {
		return nil, errors.New("claims: Deps.Charts and Deps.Store are required")
	}
	if err := indicators.ClaimProblemsError(indicators.ValidateClaims(slices.Concat(indicators.BuiltinClaims(), cfg.Claims))); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	if cfg.WebhookAttempts <= 0 {
		cfg.WebhookAttempts = 4
	}
	if cfg.WebhookBackoff <= 0 {
		cfg.WebhookBackoff = time.Second
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Client == nil {
		deps.Client = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Service{cfg: cfg, charts: deps.Charts, store: deps.Store, log: deps.Logger, now: deps.Now, client: deps.Client}
	s.stopCtx, s.stop = context.WithCancel(context.Background())
	return s, nil
}

// Close cancels the back-off waits of webhook deliveries and waits for them to end.
func (s *Service) Close() {
	s.stop()
	s.deliveries.Wait()
}

// Wait waits for the webhook deliveries in flight (tests, and the CLI before exit).
func (s *Service) Wait() { s.deliveries.Wait() }

// Entry is a claim with where it comes from.
type Entry struct {
	Claim  indicators.Claim `json:"claim"`
	Origin string           `json:"origin"`
}

// Claims returns every claim: built-in, from the config, then added by users.
func (s *Service) Claims(ctx context.Context) ([]Entry, error) {
	var out []Entry
	for _, c := range indicators.BuiltinClaims() {
		out = append(out, Entry{c, OriginBuiltin})
	}
	for _, c := range s.cfg.Claims {
		out = append(out, Entry{c, OriginConfig})
	}
	users, err := s.store.UserClaims(ctx)
	if err != nil {
		return nil, fmt.Errorf("claims: user claims: %w", err)
	}
	for _, u := range users {
		out = append(out, Entry{u.Claim, OriginUser})
	}
	return out, nil
}

// Evaluation is a claim judged at one data version: the verdict of every period
// with the figures it rests on, the current verdict and since when, the summary
// in words, the metric over every period (for sparklines and charts) and the
// caveats a reader must know. Its recorded verdict changes are History's.
type Evaluation struct {
	Claim       indicators.Claim           `json:"claim"`
	Origin      string                     `json:"origin"`
	DataVersion int64                      `json:"data_version"`
	Vintage     string                     `json:"vintage"`
	Verdicts    []indicators.PeriodVerdict `json:"verdicts"`
	Current     indicators.CurrentVerdict  `json:"current"`
	Summary     string                     `json:"summary"`
	Metric      []indicators.MetricPoint   `json:"metric"`
	Caveats     []string                   `json:"caveats"`
	// Error says why the metric could not be computed (the verdict is then
	// untestable); empty when it was.
	Error string `json:"error,omitempty"`
}

// Path is the site path of the claim's page.
func Path(id string) string { return "/claims/" + id }

// Report is every claim judged at one data version.
type Report struct {
	DataVersion int64        `json:"data_version"`
	Claims      []Evaluation `json:"claims"`
	key         string
}

// Key identifies what the report judged: the data version and the claims'
// definitions (pages cache on it).
func (r *Report) Key() string { return r.key }

// Find returns the evaluation of claim id, or ENOTFOUND listing the ids.
func (r *Report) Find(id string) (Evaluation, error) {
	ids := make([]string, len(r.Claims))
	for i, e := range r.Claims {
		if e.Claim.ID == id {
			return e, nil
		}
		ids[i] = e.Claim.ID
	}
	return Evaluation{}, indicators.Errorf(indicators.ENOTFOUND, "unknown claim %q (claims: %s)", id, strings.Join(ids, ", "))
}

// Evaluate judges every claim at the current data version. The first judging of
// a data version in this process also records it in the store (each verdict
// change, once across processes) and posts the changes to the claims' webhooks;
// later calls at that version return the same report.
func (s *Service) Evaluate(ctx context.Context) (*Report, error) {
	rep, _, err := s.evaluate(ctx)
	return rep, err
}

// Rejudge is Evaluate returning the verdict changes this call recorded: none
// when the data version was judged before (here or by another process).
func (s *Service) Rejudge(ctx context.Context) ([]indicators.ClaimChange, error) {
	if current, err := s.judgingsCurrent(ctx); err != nil || current {
		return nil, err
	}
	_, changes, err := s.evaluate(ctx)
	return changes, err
}

// judgingsCurrent reports whether the store holds a judging of every claim, as
// defined now, at the current data version. Judging again would then record
// nothing (the store would find every judging stale), and it costs a chart
// computation per claim: a tenth of `clout import`'s time for a million rows.
func (s *Service) judgingsCurrent(ctx context.Context) (bool, error) {
	version, err := s.charts.DataVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("claims: data version: %w", err)
	}
	entries, err := s.recentClaims(ctx)
	if err != nil {
		return false, err
	}
	judged, err := s.store.ClaimJudgings(ctx)
	if err != nil {
		return false, fmt.Errorf("claims: judgings: %w", err)
	}
	for _, e := range entries {
		if j, ok := judged[e.Claim.ID]; !ok || j.DataVersion < version || j.Definition != definition(e.Claim) {
			return false, nil
		}
	}
	return true, nil
}

// DataChanged drops the remembered report after a write in this process (the
// data version is re-read by the chart service, which the caller tells too).
func (s *Service) DataChanged() {
	s.mu.Lock()
	s.last = nil
	s.mu.Unlock()
	s.forgetClaims()
}

// recentClaims is Claims, read from the store at most once per
// chart.DefaultVersionTTL.
func (s *Service) recentClaims(ctx context.Context) ([]Entry, error) {
	s.entriesMu.Lock()
	defer s.entriesMu.Unlock()
	if !s.entriesFetched.IsZero() && time.Since(s.entriesFetched) < chart.DefaultVersionTTL {
		return s.entries, nil
	}
	entries, err := s.Claims(ctx)
	if err != nil {
		return nil, err
	}
	s.entries, s.entriesFetched = entries, time.Now()
	return entries, nil
}

// forgetClaims makes the next judging read the claims again.
func (s *Service) forgetClaims() {
	s.entriesMu.Lock()
	s.entriesFetched = time.Time{}
	s.entriesMu.Unlock()
}

func (s *Service) evaluate(ctx context.Context) (*Report, []indicators.ClaimChange, error) {
	version, err := s.charts.DataVersion(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("claims: data version: %w", err)
	}
	entries, err := s.recentClaims(ctx)
	if err != nil {
		return nil, nil, err
	}
	key := fmt.Sprintf("%d|%s", version, claimsKey(entries))
	s.mu.Lock()
	defer s.mu.Unlock() // one judging per data version at a time: the others wait for it
	if s.last != nil && s.last.key == key {
		return s.last, nil, nil
	}
	rep := &Report{DataVersion: version, key: key}
	for _, e := range entries {
		rep.Claims = append(rep.Claims, s.judge(ctx, e, version, indicators.NewestVintage))
	}
	var changes []indicators.ClaimChange
	for i, ev := range rep.Claims {
		rec, err := s.record(ctx, ev)
		if err != nil {
			return nil, nil, err
		}
		if len(rec.Changes) > 0 {
			changes = append(changes, rec.Changes...)
			s.notify(rep.Claims[i], rec.Changes)
		}
	}
	s.last = rep
	return rep, changes, nil
}

// EvaluateClaim judges one claim at the current data version, with the figures
// of vintage (NewestVintage: each figure's newest, as recorded). Another vintage
// is a what-if: it is not recorded.
func (s *Service) EvaluateClaim(ctx context.Context, id, vintage string) (Evaluation, error) {
	rep, err := s.Evaluate(ctx)
	if err != nil {
		return Evaluation{}, err
	}
	ev, err := rep.Find(id)
	if err != nil || vintage == indicators.NewestVintage {
		return ev, err
	}
	out := s.judge(ctx, Entry{ev.Claim, ev.Origin}, rep.DataVersion, vintage)
	if out.Error != "" {
		return out, indicators.Errorf(indicators.EINVALID, "%s", out.Error)
	}
	return out, nil
}

// claimsKey fingerprints the claims judged, so that a claim added by a user is
// judged at once, not at the next data version.
func claimsKey(entries []Entry) string {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.Claim.ID + ":" + definition(e.Claim)
	}
	return strings.Join(ids, ",")
}

// definition fingerprints what a verdict depends on: the metric, test, margin
// and periods (not the wording, source or caveats).
func definition(c indicators.Claim) string {
	b, _ := json.Marshal([]any{c.Metric, c.Test, c.Margin, c.Periods})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// record stores the judging and returns what it changed.
func (s *Service) record(ctx context.Context, ev Evaluation) (indicators.ClaimRecording, error) {
	j := indicators.ClaimJudging{Claim: ev.Claim.ID, Definition: definition(ev.Claim), DataVersion: ev.DataVersion,
		Verdicts: map[indicators.Period]indicators.Verdict{}, At: s.now()}
	for _, v := range ev.Verdicts {
		j.Verdicts[v.Period] = v.Verdict
	}
	rec, err := s.store.RecordJudging(ctx, j)
	if err != nil {
		return rec, fmt.Errorf("claims: record judging of %s at data version %d: %w", ev.Claim.ID, ev.DataVersion, err)
	}
	return rec, nil
}

// History returns the recorded verdict changes of a claim, newest first.
func (s *Service) History(ctx context.Context, id string, limit int) ([]indicators.ClaimChange, error) {
	ch, err := s.store.ClaimChanges(ctx, id, 0, limit)
	if err != nil {
		return nil, fmt.Errorf("claims: history of %s: %w", id, err)
	}
	return ch, nil
}

// judge measures and judges one claim at a data version.
func (s *Service) judge(ctx context.Context, e Entry, version int64, vintage string) Evaluation {
	c := e.Claim
	ev := Evaluation{Claim: c, Origin: e.Origin, DataVersion: version, Vintage: vintage,
		Verdicts: []indicators.PeriodVerdict{}, Metric: []indicators.MetricPoint{}}
	points, err := s.measure(ctx, c, version, vintage)
	if err != nil {
		ev.Error = indicators.ErrorMessage(err)
	}
	ev.Metric = points
	ev.Verdicts = orEmpty(indicators.Judge(c, points))
	ev.Current = indicators.Current(ev.Verdicts)
	ev.Summary = indicators.Summarize(c, ev.Verdicts)
	if ev.Error != "" && len(ev.Verdicts) == 0 {
		ev.Summary = "untestable: " + ev.Error
	}
	ev.Caveats = caveats(c, ev.Verdicts)
	return ev
}

// measure computes the claim's metric: one chart computation per frequency the
// claim is judged at (gas exports are annual or monthly, not both at once).
func (s *Service) measure(ctx context.Context, c indicators.Claim, version int64, vintage string) ([]indicators.MetricPoint, error) {
	var points []indicators.MetricPoint
	var errs []error
	for _, params := range metricParams(c, vintage) {
		cc, err := s.charts.ComputeByID(ctx, c.Metric.Chart, params, version)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ps, err := MetricPoints(c, cc.Result)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		points = append(points, ps...)
	}
	slices.SortStableFunc(points, func(a, b indicators.MetricPoint) int { return a.Period.Compare(b.Period) })
	if len(points) == 0 && len(errs) > 0 {
		return nil, fmt.Errorf("claim %s: metric %s: %w", c.ID, c.Metric.Chart, errors.Join(errs...))
	}
	return points, nil
}

// metricParams are the chart parameters of the claim's metric for each chart
// computation it needs.
func metricParams(c indicators.Claim, vintage string) []indicators.Params {
	base := indicators.Params{}
	for k, v := range c.Metric.Params {
		base[k] = v
	}
	if vintage != indicators.NewestVintage {
		base["vintage"] = vintage
	}
	if c.Metric.Chart != indicators.ChartGasExports {
		return []indicators.Params{base}
	}
	var out []indicators.Params
	for _, f := range c.Periods.Frequencies() {
		p := indicators.Params{}
		for k, v := range base {
			p[k] = v
		}
		p["freq"] = "annual"
		if f == indicators.Monthly {
			p["freq"] = "monthly"
		}
		out = append(out, p)
	}
	return out
}

// caveats are the claim's own caveats, then what the judged figures rest on:
// flagged inputs by period, and their notes.
func caveats(c indicators.Claim, vs []indicators.PeriodVerdict) []string {
	out := slices.Clone(c.Caveats)
	for _, f := range indicators.KnownFlags() {
		var ps []string
		for _, v := range vs {
			if v.HasFlag(f) {
				ps = append(ps, v.Period.String())
			}
		}
		if len(ps) > 0 {
			out = append(out, fmt.Sprintf("Inputs that are %s: %s.", flagNoun(f), strings.Join(ps, ", ")))
		}
	}
	for _, v := range vs {
		for _, n := range v.Notes {
			out = appendNew(out, v.Period.String()+": "+n)
		}
	}
	return orEmpty(out)
}

func flagNoun(f indicators.Flag) string {
	switch f {
	case indicators.FlagLowerBound:
		return "lower bounds (\"more than X\")"
	case indicators.FlagStatement:
		return "officials' rounded statements"
	case indicators.FlagEstimate:
		return "estimates"
	}
	return f.Label() + " from other figures"
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Add validates a claim written as the config file writes one (its webhook, if
// any, is ignored: webhooks are set in the config) and stores it as a user
// claim, judged from then on. Every problem is named in one EINVALID error; an
// id already in use is ECONFLICT.
func (s *Service) Add(ctx context.Context, in ConfigClaim, who string) (indicators.Claim, error) {
	c, ps := in.claim()
	if err := indicators.ClaimProblemsError(ps); err != nil {
		return c, err
	}
	entries, err := s.Claims(ctx)
	if err != nil {
		return c, err
	}
	if slices.ContainsFunc(entries, func(e Entry) bool { return e.Claim.ID == c.ID }) {
		return c, indicators.Errorf(indicators.ECONFLICT, "a claim with id %q exists; choose another id", c.ID)
	}
	if err := s.store.SaveUserClaim(ctx, indicators.UserClaim{Claim: c, Who: who, CreatedAt: s.now()}); err != nil {
		return c, fmt.Errorf("claims: add %s: %w", c.ID, err)
	}
	s.forgetClaims()
	return c, nil
}

package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/clout-dev/clout/indicators"
)

// stopGrace is how long Stop still waits, once its context has ended and running
// jobs have been cancelled, for them to record their failure.
const stopGrace = 2 * time.Second

// Scheduler runs the configured jobs on their schedules and on demand, and records
// every attempt in the RunStore.
type Scheduler struct {
	deps    Deps
	owner   owner // this process, as its runs name it
	cron    *cron.Cron
	jobs    []*job // config order
	byName  map[string]*job
	metrics *metrics

	base   context.Context // cancelled when Stop gives up waiting
	cancel context.CancelFunc

	mu      sync.Mutex // guards stopped and wg.Add
	stopped bool
	wg      sync.WaitGroup // runs in progress
}

// job is a configured job with its parsed schedule and its runner.
type job struct {
	Job
	schedule cron.Schedule
	runner   runner
	entry    cron.EntryID // its cron entry, whose Prev is the tick a scheduled run is for

	lock sync.Mutex // held for a whole run (all attempts): overlapping runs are skipped

	mu    sync.Mutex // guards since
	since time.Time  // start of the run in progress, zero if none
}

// runner is a job kind: it does one attempt and says what happened.
type runner interface {
	run(ctx context.Context, now time.Time) (outcome, error)
}

// outcome is a successful attempt: status ok or unchanged.
type outcome struct {
	status      string
	message     string
	dataVersion int64
	report      *indicators.ImportReport
}

// JobStatus is what the jobs page, GET /api/jobs and `clout jobs list` show.
type JobStatus struct {
	Name        string             `json:"name"`
	Kind        string             `json:"kind"` // import | snapshot
	Schedule    string             `json:"schedule"`
	Description string             `json:"description"` // the schedule in words
	Next        time.Time          `json:"next"`
	Running     bool               `json:"running"`
	Since       time.Time          `json:"since,omitzero"` // start of the run in progress
	Last        *indicators.JobRun `json:"last,omitempty"`
	Import      *ImportSpec        `json:"import,omitempty"`
	Snapshot    *SnapshotSpec      `json:"snapshot,omitempty"`
}

// New validates cfg (one EINVALID error listing every problem) and builds a
// scheduler for its jobs. It does not start it: `clout jobs run` uses RunNow only.
func New(cfg Config, deps Deps) (*Scheduler, error) {
	if err := cfg.Validate(deps.Known); err != nil {
		return nil, err
	}
	deps = deps.withDefaults()
	if err := checkDeps(cfg, deps); err != nil {
		return nil, err
	}
	m, err := newMetrics(deps.Registerer)
	if err != nil {
		return nil, err
	}
	logger := cronLogger{deps.Logger}
	s := &Scheduler{
		deps:    deps,
		owner:   newOwner(),
		metrics: m,
		byName:  map[string]*job{},
		cron: cron.New(cron.WithParser(parser), cron.WithLogger(logger),
			cron.WithChain(cron.Recover(logger))),
	}
	s.base, s.cancel = context.WithCancel(context.Background())
	for _, jc := range cfg.Jobs {
		j, err := s.newJob(jc)
		if err != nil {
			return nil, err
		}
		s.jobs = append(s.jobs, j)
		s.byName[j.Name] = j
		m.init(j.Name)
		// SkipIfStillRunning is per job, with a logger that records the skip,
		// so overlapping scheduled runs show up in the history too.
		skip := cron.SkipIfStillRunning(skipLogger{s, j})
		j.entry = s.cron.Schedule(j.schedule, cron.NewChain(skip).Then(cron.FuncJob(func() { s.runScheduled(j) })))
	}
	return s, nil
}

func checkDeps(cfg Config, d Deps) error {
	if d.Runs == nil {
		return errors.New("jobs: Deps.Runs is required")
	}
	for _, j := range cfg.Jobs {
		switch {
		case j.Import != nil && (d.Importer == nil || d.Datasets == nil):
			return fmt.Errorf("jobs: job %q imports but Deps.Importer or Deps.Datasets is nil", j.Name)
		case j.Snapshot != nil && d.Snapshotter == nil:
			return fmt.Errorf("jobs: job %q takes snapshots but Deps.Snapshotter is nil", j.Name)
		}
	}
	return nil
}

func (s *Scheduler) newJob(jc Job) (*job, error) {
	sched, err := ParseSchedule(jc.Schedule)
	if err != nil {
		return nil, fmt.Errorf("job %q: %w", jc.Name, err)
	}
	j := &job{Job: jc, schedule: sched}
	if jc.Import != nil {
		limit := orDefault(jc.Import.MaxSize, s.deps.MaxSize)
		if limit > s.deps.MaxSize {
			s.deps.Logger.Warn("job max_size is over the upload limit; the limit applies", "job", jc.Name,
				"max_size", int64(limit), "limit", int64(s.deps.MaxSize))
			limit = s.deps.MaxSize
		}
		j.runner = &importRunner{job: jc.Name, spec: *jc.Import, limit: int64(limit), d: s.deps}
	} else {
		j.runner = &snapshotRunner{spec: *jc.Snapshot, snap: s.deps.Snapshotter}
	}
	return j, nil
}

// Start marks the runs of processes that died as interrupted, starts running
// jobs on their schedules and logs each job's next run.
func (s *Scheduler) Start() {
	s.markInterrupted("")
	now := s.deps.Now()
	for _, j := range s.jobs {
		s.deps.Logger.Info("job scheduled", "job", j.Name, "schedule", Describe(j.Schedule), "next", j.schedule.Next(now))
	}
	s.cron.Start()
}

// Stop stops scheduling and waits for running jobs. If ctx ends first, running
// jobs are cancelled (they record a failed attempt, their import rolled back),
// Stop waits a short grace for that, and returns ctx's error.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.cron.Stop()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		s.cancel()
		return nil
	case <-ctx.Done():
	}
	s.cancel()
	select {
	case <-done:
	case <-time.After(stopGrace):
	}
	return ctx.Err()
}

// begin registers a run in progress unless the scheduler is stopping.
func (s *Scheduler) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	s.wg.Add(1)
	return true
}

func (s *Scheduler) runScheduled(j *job) {
	if !s.begin() {
		return
	}
	defer s.wg.Done()
	// cron has set the entry's Prev to the scheduled time before it answers.
	s.run(j, s.cron.Entry(j.entry).Prev)
}

// RunNow runs the job now and returns its final run (status ok, unchanged,
// failed, or skipped if a run of that job is already in progress). The error is
// ENOTFOUND for an unknown job, ECONFLICT while stopping, or ctx's error if ctx
// ends first (the run goes on and is recorded).
func (s *Scheduler) RunNow(ctx context.Context, name string) (indicators.JobRun, error) {
	j, ok := s.byName[name]
	if !ok {
		return indicators.JobRun{}, indicators.Errorf(indicators.ENOTFOUND, "no job %q", name)
	}
	if !s.begin() {
		return indicators.JobRun{}, indicators.Errorf(indicators.ECONFLICT, "the scheduler is stopping")
	}
	ch := make(chan indicators.JobRun, 1)
	go func() {
		defer s.wg.Done()
		r, _ := s.run(j, time.Time{})
		ch <- r
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return indicators.JobRun{}, ctx.Err()
	}
}

// Jobs returns every job in config order with its schedule in words, next run
// time and last recorded run.
func (s *Scheduler) Jobs(ctx context.Context) ([]JobStatus, error) {
	last, err := s.deps.Runs.LastJobRuns(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: last runs: %w", err)
	}
	now := s.deps.Now()
	out := make([]JobStatus, 0, len(s.jobs))
	for _, j := range s.jobs {
		st := JobStatus{
			Name: j.Name, Kind: j.Kind(), Schedule: j.Schedule, Description: Describe(j.Schedule),
			Next: j.schedule.Next(now), Import: redacted(j.Import), Snapshot: j.Snapshot,
		}
		st.Since = j.runningSince()
		st.Running = !st.Since.IsZero()
		if r, ok := last[j.Name]; ok {
			st.Last = &r
		}
		out = append(out, st)
	}
	return out, nil
}

// Runs returns the job's latest runs (every attempt), newest first; ENOTFOUND for
// an unknown job.
func (s *Scheduler) Runs(ctx context.Context, name string, limit int) ([]indicators.JobRun, error) {
	if _, ok := s.byName[name]; !ok {
		return nil, indicators.Errorf(indicators.ENOTFOUND, "no job %q", name)
	}
	runs, err := s.deps.Runs.JobRuns(ctx, name, limit)
	if err != nil {
		return nil, fmt.Errorf("jobs: runs of %s: %w", name, err)
	}
	return runs, nil
}

// redacted hides a password in an import URL: job lists are public.
func redacted(spec *ImportSpec) *ImportSpec {
	if spec == nil {
		return nil
	}
	c := *spec
	if u, err := url.Parse(c.Source); err == nil && isURL(u) {
		c.Source = u.Redacted()
	}
	return &c
}

func (j *job) runningSince() time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.since
}

func (j *job) setRunning(t time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.since = t
}

// cronLogger sends cron's logs to slog; its routine chatter goes to Debug.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}

// skipLogger is the logger of one job's cron.SkipIfStillRunning, whose only
// message is a skip: it records a skipped run.
type skipLogger struct {
	s *Scheduler
	j *job
}

func (k skipLogger) Info(string, ...any) {
	k.s.skip(k.j, overlap(k.j))
}

func (k skipLogger) Error(err error, msg string, kv ...any) {
	cronLogger{k.s.deps.Logger}.Error(err, msg, kv...)
}

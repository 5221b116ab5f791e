package jobs

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// recordTimeout bounds a history write; it runs on a context that outlives a
// cancelled run, so a timed-out or stopped run is still recorded.
const recordTimeout = 10 * time.Second

// run does a whole run of j: attempts with retries and backoff, each recorded.
// tick is the scheduled time of a scheduled run, zero for a manual one. A run
// already in progress makes this one a recorded skip. With a Locker, a scheduled
// run that another replica holds, or has already done for this tick, is left to
// that replica (ok=false, nothing recorded here); a manual one is a recorded skip.
func (s *Scheduler) run(j *job, tick time.Time) (r indicators.JobRun, ok bool) {
	manual := tick.IsZero()
	if !j.lock.TryLock() {
		return s.skip(j, overlap(j)), true
	}
	defer j.lock.Unlock()
	if s.deps.Locker != nil {
		unlock, held, err := s.deps.Locker.TryLock(s.base, "clout-job:"+j.Name)
		switch {
		case err != nil:
			s.deps.Logger.Error("job lock", "job", j.Name, "err", err)
			return s.skip(j, fmt.Sprintf("skipped: cannot take the job lock: %v", err)), true
		case !held && !manual:
			s.deps.Logger.Debug("job runs on another replica", "job", j.Name)
			return indicators.JobRun{}, false
		case !held:
			return s.skip(j, "skipped: the job is running on another replica"), true
		}
		defer unlock()
		if !manual {
			claimed, err := s.claimTick(j, tick)
			if err != nil {
				s.deps.Logger.Error("job tick", "job", j.Name, "err", err)
				return s.skip(j, fmt.Sprintf("skipped: cannot claim the scheduled run: %v", err)), true
			}
			if !claimed {
				s.deps.Logger.Debug("job ran on another replica", "job", j.Name, "tick", tick)
				return indicators.JobRun{}, false
			}
		}
	}
	return s.attempts(j, tick), true
}

// claimTick records, under the job's replica lock, that this replica does the
// run scheduled at tick, and reports false if another replica already did it.
// The lock alone is not enough: a run shorter than the replicas' clock skew
// ends before the next replica's cron fires, which would then take the free
// lock and run the same tick again. A tick within half a period of the last
// claimed one counts as the same, so replicas whose @every schedules started
// at different times still share one run per period. Without Settings the
// lock is all there is.
func (s *Scheduler) claimTick(j *job, tick time.Time) (bool, error) {
	if s.deps.Settings == nil {
		return true, nil
	}
	ctx, cancel := context.WithTimeout(s.base, recordTimeout)
	defer cancel()
	key := "job_tick:" + j.Name
	v, ok, err := s.deps.Settings.Setting(ctx, key)
	if err != nil {
		return false, err
	}
	if ok {
		last, err := time.Parse(time.RFC3339Nano, v)
		period := j.schedule.Next(tick).Sub(tick)
		if err == nil && last.After(tick.Add(-period/2)) {
			return false, nil
		}
	}
	return true, s.deps.Settings.SetSetting(ctx, key, tick.UTC().Format(time.RFC3339Nano))
}

// attempts runs j until an attempt succeeds, fails for good, or retries run out.
// tick is the scheduled time the run is for, zero for a manual run.
func (s *Scheduler) attempts(j *job, tick time.Time) indicators.JobRun {
	// Afterwards, so that the check never delays a run's start.
	defer s.markInterrupted(j.Name)
	start := s.deps.Now()
	j.setRunning(start)
	defer j.setRunning(time.Time{})

	var r indicators.JobRun
	for attempt := 1; ; attempt++ {
		wait := time.Duration(0)
		if attempt <= j.retries() {
			wait = backoffDelay(j.backoff(), attempt)
		}
		var retry bool
		r, retry = s.attempt(j, tick, attempt, wait)
		if r.Status != indicators.RunFailed || !retry || wait == 0 {
			break
		}
		if err := s.deps.Sleep(s.base, wait); err != nil {
			break // stopping
		}
	}
	s.metrics.observe(r, s.deps.Now().Sub(start))
	s.deps.Logger.Info("job run", "job", j.Name, "status", r.Status, "attempt", r.Attempt,
		"duration", s.deps.Now().Sub(start), "message", r.Message)
	return r
}

// attempt does and records one attempt. retry reports whether a failure may pass
// on a next attempt; wait is the delay before it (0: this is the last attempt).
func (s *Scheduler) attempt(j *job, tick time.Time, n int, wait time.Duration) (r indicators.JobRun, retry bool) {
	r = indicators.JobRun{Job: j.Name, Tick: tick, Started: s.deps.Now(), Status: indicators.RunRunning, Attempt: n,
		Owner: s.owner.String(), Heartbeat: time.Now()}
	r.ID = s.record(r)

	ctx, cancel := context.WithTimeout(s.base, j.timeout())
	defer cancel()
	stop := make(chan struct{})
	go s.heartbeat(r.ID, stop)
	out, err := s.execute(ctx, j)
	close(stop)
	r.Ended = s.deps.Now()
	r.Report = out.report
	if err == nil {
		r.Status, r.Message, r.DataVersion = out.status, out.message, out.dataVersion
	} else {
		retry = retryable(err) && s.base.Err() == nil
		r.Status, r.Message = indicators.RunFailed, failureMessage(ctx, err, j.timeout())
		if retry && wait > 0 {
			r.Message += fmt.Sprintf(" (attempt %d of %d, retrying in %s)", n, j.retries()+1, wait)
		}
	}
	s.update(r)
	return r, retry
}

// execute runs one attempt, turning a panic into a failure that is not retried.
func (s *Scheduler) execute(ctx context.Context, j *job) (out outcome, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.deps.Logger.Error("job panicked", "job", j.Name, "panic", p, "stack", string(debug.Stack()))
			out, err = outcome{}, permanent(fmt.Errorf("panic: %v", p))
		}
	}()
	return j.runner.run(ctx, s.deps.Now())
}

// overlap says why a run of j is skipped while another is in progress here.
func overlap(j *job) string {
	if since := j.runningSince(); !since.IsZero() {
		return fmt.Sprintf("skipped: the run started at %s is still in progress", since.Format(time.RFC3339))
	}
	return "skipped: the previous run is still in progress"
}

// skip records a skipped run of j.
func (s *Scheduler) skip(j *job, msg string) indicators.JobRun {
	now := s.deps.Now()
	r := indicators.JobRun{Job: j.Name, Started: now, Ended: now, Status: indicators.RunSkipped, Message: msg}
	r.ID = s.record(r)
	s.metrics.observe(r, 0)
	s.deps.Logger.Info("job run", "job", j.Name, "status", r.Status, "message", msg)
	return r
}

func (s *Scheduler) record(r indicators.JobRun) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	id, err := s.deps.Runs.RecordJobRun(ctx, r)
	if err != nil {
		s.deps.Logger.Error("recording job run", "job", r.Job, "err", err)
	}
	return id
}

func (s *Scheduler) update(r indicators.JobRun) {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	var err error
	if r.ID == 0 {
		_, err = s.deps.Runs.RecordJobRun(ctx, r)
	} else {
		err = s.deps.Runs.UpdateJobRun(ctx, r)
	}
	if err != nil {
		s.deps.Logger.Error("recording job run", "job", r.Job, "err", err)
	}
}

// backoffDelay is base doubled attempt-1 times, at most DefaultMaxBackoff.
func backoffDelay(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < DefaultMaxBackoff; i++ {
		d *= 2
	}
	return min(d, DefaultMaxBackoff)
}

func failureMessage(ctx context.Context, err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("timed out after %s: %v", timeout, err)
	}
	return err.Error()
}

// permanentError is a failure that a retry cannot fix (a panic, a bad file).
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return permanentError{err} }

// retryable reports whether a failure may be transient: network errors, timeouts,
// 5xx. User errors (a bad or missing file, over the size limit) are not retried.
func retryable(err error) bool {
	var p permanentError
	if errors.As(err, &p) || errors.Is(err, context.Canceled) {
		return false
	}
	switch indicators.ErrorCode(err) {
	case indicators.EINVALID, indicators.ENOTFOUND, indicators.ETOOLARGE, indicators.EUNSUPPORTED,
		indicators.EFORBIDDEN, indicators.EUNAUTHORIZED:
		return false
	}
	return true
}

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/clout-dev/clout/indicators"
)

const jobRunColumns = `id, job, started, ended, status, attempt, message, data_version, report, owner, heartbeat, tick`

// RecordJobRun stores a new run of a job (typically with status running) and
// returns its id.
func (s *Store) RecordJobRun(ctx context.Context, r indicators.JobRun) (int64, error) {
	if r.Job == "" {
		return 0, indicators.Errorf(indicators.EINVALID, "job run without a job name")
	}
	report, err := marshalReport(r.Report)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO job_runs (job, started, ended, status, attempt, message, data_version, report, owner, heartbeat, tick)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			r.Job, formatTime(r.Started), formatTime(r.Ended), r.Status, r.Attempt, r.Message, r.DataVersion, report,
			r.Owner, formatTime(r.Heartbeat), formatTime(r.Tick)).Scan(&id)
	})
	if err != nil {
		return 0, s.errorf(err, "record run of job %s", r.Job)
	}
	return id, nil
}

// UpdateJobRun overwrites the run with r.ID (its end, status, message...);
// ENOTFOUND if there is none.
func (s *Store) UpdateJobRun(ctx context.Context, r indicators.JobRun) error {
	report, err := marshalReport(r.Report)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE job_runs SET job = ?, started = ?, ended = ?, status = ?, attempt = ?,
			message = ?, data_version = ?, report = ? WHERE id = ?`),
			r.Job, formatTime(r.Started), formatTime(r.Ended), r.Status, r.Attempt, r.Message, r.DataVersion, report, r.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return indicators.Errorf(indicators.ENOTFOUND, "no job run %d", r.ID)
		}
		return nil
	})
	if err != nil {
		return s.errorf(err, "update job run %d", r.ID)
	}
	return nil
}

// RunningJobRuns returns the runs recorded as running, with their owners and
// heartbeats, oldest first.
func (s *Store) RunningJobRuns(ctx context.Context) ([]indicators.JobRun, error) {
	runs, err := s.jobRuns(ctx, `SELECT `+jobRunColumns+` FROM job_runs WHERE status = ? ORDER BY id`, indicators.RunRunning)
	if err != nil {
		return nil, s.errorf(err, "running job runs")
	}
	return runs, nil
}

// HeartbeatJobRun records that the process running run id still runs it at at.
func (s *Store) HeartbeatJobRun(ctx context.Context, id int64, at time.Time) error {
	err := s.writeState(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE job_runs SET heartbeat = ? WHERE id = ? AND status = ?`),
			formatTime(at), id, indicators.RunRunning)
		return err
	})
	if err != nil {
		return s.errorf(err, "heartbeat of job run %d", id)
	}
	return nil
}

// InterruptJobRun marks r interrupted, ended at ended with message, unless it
// is no longer running or its heartbeat changed since r was read (its process
// is alive after all); it reports whether it marked it.
func (s *Store) InterruptJobRun(ctx context.Context, r indicators.JobRun, ended time.Time, message string) (bool, error) {
	var marked bool
	err := s.writeState(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE job_runs SET status = ?, ended = ?, message = ?
			WHERE id = ? AND status = ? AND heartbeat = ?`),
			indicators.RunInterrupted, formatTime(ended), message, r.ID, indicators.RunRunning, formatTime(r.Heartbeat))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		marked = n == 1
		return err
	})
	if err != nil {
		return false, s.errorf(err, "interrupt job run %d", r.ID)
	}
	return marked, nil
}

// JobRuns returns the latest runs of job, newest first; limit <= 0 means all.
func (s *Store) JobRuns(ctx context.Context, job string, limit int) ([]indicators.JobRun, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	runs, err := s.jobRuns(ctx, `SELECT `+jobRunColumns+` FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT ?`, job, limit)
	if err != nil {
		return nil, s.errorf(err, "runs of job %s", job)
	}
	return runs, nil
}

// LastJobRuns returns the latest run of every job that has run, by job name.
func (s *Store) LastJobRuns(ctx context.Context) (map[string]indicators.JobRun, error) {
	runs, err := s.jobRuns(ctx, `SELECT `+jobRunColumns+` FROM job_runs
		WHERE id IN (SELECT MAX(id) FROM job_runs GROUP BY job)`)
	if err != nil {
		return nil, s.errorf(err, "last job runs")
	}
	out := make(map[string]indicators.JobRun, len(runs))
	for _, r := range runs {
		out[r.Job] = r
	}
	return out, nil
}

func (s *Store) jobRuns(ctx context.Context, query string, args ...any) ([]indicators.JobRun, error) {
	var out []indicators.JobRun
	err := s.read(ctx, func(tx *sql.Tx) error {
		return s.each(ctx, tx, func(rows *sql.Rows) error {
			r, err := scanJobRun(rows)
			out = append(out, r)
			return err
		}, query, args...)
	})
	return out, err
}

func scanJobRun(rows *sql.Rows) (indicators.JobRun, error) {
	var (
		r              indicators.JobRun
		started, ended string
		report         sql.NullString
		heartbeat      string
		tick           string
	)
	err := rows.Scan(&r.ID, &r.Job, &started, &ended, &r.Status, &r.Attempt, &r.Message, &r.DataVersion, &report, &r.Owner, &heartbeat, &tick)
	if err != nil {
		return r, err
	}
	if r.Tick, err = parseTime(tick); err != nil {
		return r, err
	}
	if r.Heartbeat, err = parseTime(heartbeat); err != nil {
		return r, err
	}
	if r.Started, err = parseTime(started); err != nil {
		return r, err
	}
	if r.Ended, err = parseTime(ended); err != nil {
		return r, err
	}
	if r.Report, err = unmarshalReport(report); err != nil {
		return r, fmt.Errorf("job run %d: %w", r.ID, err)
	}
	return r, nil
}

// Setting returns the value stored under key and whether there is one.
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	switch {
	case notFound(err):
		return "", false, nil
	case err != nil:
		return "", false, s.errorf(err, "setting %s", key)
	}
	return v, true, nil
}

// SetSetting stores value under key, replacing any previous value.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
		return err
	})
	if err != nil {
		return s.errorf(err, "set setting %s", key)
	}
	return nil
}

// DeleteSetting removes the value stored under key, if any.
func (s *Store) DeleteSetting(ctx context.Context, key string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM settings WHERE key = ?`), key)
		return err
	})
	if err != nil {
		return s.errorf(err, "delete setting %s", key)
	}
	return nil
}

// AddSetting stores value under key unless a value is stored there, and reports
// whether it stored it: of several replicas adding at once, one wins.
func (s *Store) AddSetting(ctx context.Context, key, value string) (bool, error) {
	var added bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`), key, value)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		added = n == 1
		return err
	})
	if err != nil {
		return false, s.errorf(err, "add setting %s", key)
	}
	return added, nil
}

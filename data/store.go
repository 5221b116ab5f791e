package data

import (
	"context"
	"strings"
	"time"

	"github.com/clout-dev/clout/data/internal/sqlstore"
	"github.com/clout-dev/clout/data/postgres"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// Store is everything Clout keeps: the datasets (indicators.Store), the job run
// history, a small key/value table of settings and the claims' verdict history.
type Store interface {
	indicators.Store
	// ClaimStore keeps the claims' judgings, verdict changes and user claims.
	indicators.ClaimStore
	// RecordJobRun stores a new run of a job and returns its id.
	RecordJobRun(ctx context.Context, r indicators.JobRun) (int64, error)
	// UpdateJobRun overwrites the run with r.ID; ENOTFOUND if there is none.
	UpdateJobRun(ctx context.Context, r indicators.JobRun) error
	// JobRuns returns a job's latest runs, newest first; limit <= 0 means all.
	JobRuns(ctx context.Context, job string, limit int) ([]indicators.JobRun, error)
	// LastJobRuns returns the latest run of every job that has run.
	LastJobRuns(ctx context.Context) (map[string]indicators.JobRun, error)
	// RunningJobRuns returns the runs recorded as running, oldest first.
	RunningJobRuns(ctx context.Context) ([]indicators.JobRun, error)
	// HeartbeatJobRun records that the process running run id is still at it.
	HeartbeatJobRun(ctx context.Context, id int64, at time.Time) error
	// InterruptJobRun marks a running run interrupted unless its heartbeat
	// changed since r was read; it reports whether it did.
	InterruptJobRun(ctx context.Context, r indicators.JobRun, ended time.Time, message string) (bool, error)
	// Setting returns the value stored under key and whether there is one.
	Setting(ctx context.Context, key string) (string, bool, error)
	// SetSetting stores value under key, replacing any previous value.
	SetSetting(ctx context.Context, key, value string) error
	// AddSetting stores value under key unless one is stored; it reports whether
	// it stored it.
	AddSetting(ctx context.Context, key, value string) (bool, error)
	// DeleteSetting removes the value stored under key, if any.
	DeleteSetting(ctx context.Context, key string) error
	// TryLock takes the lock called name unless another process holds it (ok false)
	// and returns its release; with several replicas on PostgreSQL, jobs take one
	// per scheduled run. SQLite has one process per file: it always succeeds.
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)

	// Session returns the data of a browser session unless it expired at now.
	Session(ctx context.Context, token string, now time.Time) ([]byte, bool, error)
	// SaveSession stores a session's data until expires and purges expired ones.
	SaveSession(ctx context.Context, token string, data []byte, expires, now time.Time) error
	// DeleteSession removes a session.
	DeleteSession(ctx context.Context, token string) error
	// StageUpload keeps a dry-run upload until it expires, purging expired ones
	// and the oldest beyond keep.
	StageUpload(ctx context.Context, u indicators.StagedUpload, now time.Time, keep int) error
	// TakeStagedUpload removes and returns the owner's unexpired staged upload id.
	TakeStagedUpload(ctx context.Context, id, owner string, now time.Time) (indicators.StagedUpload, bool, error)
	// AddImportOperation stores an import operation unless its owner has an
	// unexpired one under the same idempotency key (returned instead, added
	// false), purging expired ones.
	AddImportOperation(ctx context.Context, op indicators.ImportOperation, now time.Time) (indicators.ImportOperation, bool, error)
	// UpdateImportOperation stores an operation's new state and result.
	UpdateImportOperation(ctx context.Context, op indicators.ImportOperation) error
	// ImportOperation returns an unexpired import operation.
	ImportOperation(ctx context.Context, id string, now time.Time) (indicators.ImportOperation, bool, error)
}

var (
	_ Store = (*sqlite.DB)(nil)
	_ Store = (*postgres.DB)(nil)
)

// Option configures Open (both stores take the same options).
type Option = sqlite.Option

// DefaultWriteWait is how long a write waits for the store's write lock, held by
// another writer of this process or of another, before it fails with EBUSY.
const DefaultWriteWait = sqlstore.DefaultWriteWait

// Options for Open: how long a write waits for the write lock, the function
// told once when a write has to wait, and the logger (default slog.Default()).
var (
	WithWriteWait       = sqlite.WithWriteWait
	WithWriteWaitNotice = sqlite.WithWriteWaitNotice
	WithLogger          = sqlite.WithLogger
)

// Open opens the store named by dsn and applies pending migrations: a
// "postgres://" or "postgresql://" URL connects to PostgreSQL; anything else is a
// SQLite file path or "file:" URI, created if needed.
func Open(ctx context.Context, dsn string, opts ...Option) (Store, error) {
	switch {
	case strings.TrimSpace(dsn) == "":
		return nil, indicators.Errorf(indicators.EINVALID, "no database given (use --db FILE or CLOUT_DB)")
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn, opts...)
	}
	return sqlite.Open(ctx, dsn, opts...)
}

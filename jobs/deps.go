package jobs

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clout-dev/clout/indicators"
)

// RunStore keeps the run history (data/sqlite implements it).
type RunStore interface {
	// RecordJobRun inserts a run and returns its id.
	RecordJobRun(ctx context.Context, r indicators.JobRun) (int64, error)
	// UpdateJobRun rewrites the run with r.ID.
	UpdateJobRun(ctx context.Context, r indicators.JobRun) error
	// JobRuns returns a job's latest runs, newest first.
	JobRuns(ctx context.Context, job string, limit int) ([]indicators.JobRun, error)
	// LastJobRuns returns the latest run of every job that has one.
	LastJobRuns(ctx context.Context) (map[string]indicators.JobRun, error)
	// RunningJobRuns returns the runs recorded as running, with owner and heartbeat.
	RunningJobRuns(ctx context.Context) ([]indicators.JobRun, error)
	// HeartbeatJobRun records that the process running run id still runs it.
	HeartbeatJobRun(ctx context.Context, id int64, at time.Time) error
	// InterruptJobRun marks r interrupted unless its heartbeat changed since it
	// was read; it reports whether it did.
	InterruptJobRun(ctx context.Context, r indicators.JobRun, ended time.Time, message string) (bool, error)
}

// DatasetInfo tells an import job which file the dataset's current version came
// from (indicators.Store implements it).
type DatasetInfo interface {
	// Dataset returns the dataset with its versions; ENOTFOUND if there is none.
	Dataset(ctx context.Context, name string) (indicators.Dataset, error)
}

// ImportRequest is what an import job asks the importer to do.
type ImportRequest struct {
	Dataset  string
	FileName string
	Data     []byte
	Format   string // "" = auto
	Who      string // "job:<name>"
	// AllowOlder stores figures older than the stored vintage of the same cells.
	AllowOlder bool
}

// Importer imports a file all-or-nothing: on error no version is created.
// The report may be non-nil with an error (the file's problems).
type Importer interface {
	Import(ctx context.Context, r ImportRequest) (*indicators.ImportReport, error)
}

// ImporterFunc adapts a function to Importer (e.g. a closure calling
// data/importer with its own request type).
type ImporterFunc func(ctx context.Context, r ImportRequest) (*indicators.ImportReport, error)

// Import calls f.
func (f ImporterFunc) Import(ctx context.Context, r ImportRequest) (*indicators.ImportReport, error) {
	return f(ctx, r)
}

// Snapshotter renders one export of a chart: the bytes and the file extension
// (without dot) for format.
type Snapshotter interface {
	Snapshot(ctx context.Context, chart string, params indicators.Params, format string) (data []byte, ext string, err error)
}

// SnapshotterFunc adapts a function to Snapshotter.
type SnapshotterFunc func(ctx context.Context, chart string, params indicators.Params, format string) ([]byte, string, error)

// Snapshot calls f.
func (f SnapshotterFunc) Snapshot(ctx context.Context, chart string, params indicators.Params, format string) ([]byte, string, error) {
	return f(ctx, chart, params, format)
}

// Settings is a small key/value store; import jobs keep the source's ETag and
// Last-Modified there so conditional requests survive a restart (data.Store
// implements it).
type Settings interface {
	// Setting returns the value stored under key and whether there is one.
	Setting(ctx context.Context, key string) (string, bool, error)
	// SetSetting stores value under key, replacing any previous value.
	SetSetting(ctx context.Context, key, value string) error
}

// Locker takes a lock shared by every replica (a PostgreSQL advisory lock), so a
// scheduled run happens on one replica only. TryLock returns at once; ok is false
// if another holder has key.
type Locker interface {
	TryLock(ctx context.Context, key string) (unlock func(), ok bool, err error)
}

// Deps are the scheduler's collaborators. Runs is required; Datasets and Importer
// are required when the config has import jobs, Snapshotter when it has snapshot
// jobs. Everything else has a default.
type Deps struct {
	Runs        RunStore
	Datasets    DatasetInfo
	Importer    Importer
	Snapshotter Snapshotter
	Settings    Settings // nil: validators are kept in memory only
	Locker      Locker   // nil: runs are exclusive within this process only

	// Known is what the config may name (chart ids, formats); see Config.Validate.
	Known Known

	// DataChanged, if set, is called after an import job stored a new version
	// (the dashboard drops its caches at once).
	DataChanged func()

	HTTPClient *http.Client // nil: a client without its own timeout (each attempt has one)
	MaxSize    ByteSize     // download limit (jobs' max_size is capped by it); 0: DefaultMaxSize
	// RunLease is how long a run of another process may go without a heartbeat
	// before it counts as interrupted; 0: DefaultRunLease.
	RunLease   time.Duration
	Registerer prometheus.Registerer // nil: no metrics
	Logger     *slog.Logger          // nil: slog.Default()
	Now        func() time.Time      // nil: time.Now
	// Sleep waits d or until ctx ends (between retries); nil: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (d Deps) withDefaults() Deps {
	if d.HTTPClient == nil {
		d.HTTPClient = &http.Client{}
	}
	if d.MaxSize <= 0 {
		d.MaxSize = DefaultMaxSize
	}
	if d.RunLease <= 0 {
		d.RunLease = DefaultRunLease
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Sleep == nil {
		d.Sleep = sleep
	}
	return d
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

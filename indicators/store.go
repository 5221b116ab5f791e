package indicators

import (
	"context"
	"io"
	"time"
)

// Query selects observations from the live data (or the data as of a data version).
// Empty slices mean "any"; Partners == []string{""} selects observations without a
// partner only.
type Query struct {
	Indicators []string
	Countries  []string
	Partners   []string
	From, To   Period // inclusive bounds; zero = open
	AsOf       int64  // data version to read as of; 0 = current
	// Vintage selects among the vintages of a figure (see SelectVintage):
	// NewestVintage ("", the default), a vintage's name (that vintage, plus
	// figures without a vintage, for the indicators it has; the newest for the
	// others) or AllVintages ("*").
	Vintage string
}

// IndicatorVintages lists the vintages an indicator's live figures come from.
type IndicatorVintages struct {
	Indicator string   `json:"indicator"`
	Vintages  []string `json:"vintages"` // oldest first
	// Unvintaged says that some of its figures carry no vintage.
	Unvintaged bool `json:"unvintaged,omitempty"`
}

// Dataset is a named, versioned collection of observations, replaced as a whole by
// each import.
type Dataset struct {
	Name         string    `json:"name"`
	Current      int       `json:"current_version"`
	Observations int       `json:"observations"`
	UpdatedAt    time.Time `json:"updated_at"`
	Versions     []Version `json:"versions,omitempty"`
}

// Version is one import (or rollback) of a dataset. Versions are append-only.
type Version struct {
	Dataset      string        `json:"dataset"`
	Number       int           `json:"version"`
	DataVersion  int64         `json:"data_version"`
	CreatedAt    time.Time     `json:"created_at"`
	FileName     string        `json:"file_name"`
	Size         int64         `json:"size"`
	SHA256       string        `json:"sha256"`
	Who          string        `json:"who,omitempty"`
	Observations int           `json:"observations"`
	RollbackOf   int           `json:"rollback_of,omitempty"` // version restored, for rollbacks
	Current      bool          `json:"current"`
	Report       *ImportReport `json:"report,omitempty"`
}

// NewVersion describes an import to store: the original file and its report.
type NewVersion struct {
	Dataset  string
	FileName string
	// File is the original file, kept for download and audit; the store reads it
	// a chunk at a time, so it need not be in memory (an *os.File through an
	// io.SectionReader, or a *bytes.Reader). nil: an empty file.
	File FileContent
	// SHA256 is File's SHA-256 in hex when the caller has computed it already;
	// the store checks it while storing the file. "": the store computes it.
	SHA256 string
	Who    string
	Report *ImportReport
	// OnlyIfEmpty stores nothing, and fails with ECONFLICT, if the store already
	// holds data when the write lock is taken: replicas starting together on one
	// empty database then seed it once.
	OnlyIfEmpty bool
}

// FileContent is a file read at any offset, of a known size.
type FileContent interface {
	io.ReaderAt
	Size() int64
}

// OriginalFile is a version's original file as the store returns it: Content
// reads it from the store a chunk at a time (io.NewSectionReader streams it).
type OriginalFile struct {
	Name    string
	SHA256  string
	Content FileContent
}

// ObservationChange is one difference between two versions of a dataset.
type ObservationChange struct {
	Key
	Old *float64 `json:"old"` // nil: added
	New *float64 `json:"new"` // nil: removed
	// OldFlags and NewFlags are the flags before and after: a figure that keeps
	// its value but loses or gains a flag (a statement replaced by the release)
	// is a change.
	OldFlags []Flag `json:"old_flags,omitempty"`
	NewFlags []Flag `json:"new_flags,omitempty"`
}

// Diff compares two versions of one dataset.
type Diff struct {
	Dataset string              `json:"dataset"`
	From    int                 `json:"from"`
	To      int                 `json:"to"`
	Added   int                 `json:"added"`
	Removed int                 `json:"removed"`
	Changed int                 `json:"changed"`
	Changes []ObservationChange `json:"changes"`
}

// ObservationSource feeds a store with observations in batches by calling yield;
// a non-nil error from the source aborts the save. A batch may be reused by the
// source after yield returns.
type ObservationSource func(yield func(batch []Observation) error) error

// Store keeps datasets, their versions and observations, and the global data
// version. Implementations: data/sqlite (default) and data/postgres, chosen by
// data.Open from the DSN.
// Every method runs in one transaction; a failed write changes nothing.
type Store interface {
	// Observations returns the live observations matching q (as of q.AsOf if set),
	// ordered by indicator, country, partner, period.
	Observations(ctx context.Context, q Query) ([]Observation, error)
	// DataVersion returns the current global data version (0 for an empty store).
	DataVersion(ctx context.Context) (int64, error)
	// SaveVersion stores the observations that src yields as the new current version
	// of v.Dataset (version N+1, data version +1). If src returns an error (the parse
	// failed) or ctx ends, nothing is stored and that error is returned.
	SaveVersion(ctx context.Context, v NewVersion, src ObservationSource) (Version, error)
	// Overlaps counts, per other dataset, how many of keys that dataset's current
	// version also gives (the import report warns about them).
	Overlaps(ctx context.Context, dataset string, keys KeySet) (map[string]int, error)
	// Vintages lists, per indicator with live figures (as of data version asOf,
	// 0 for the current data), the vintages they come from, by indicator.
	Vintages(ctx context.Context, asOf int64) ([]IndicatorVintages, error)
	// Datasets lists datasets with their current version (no version list).
	Datasets(ctx context.Context) ([]Dataset, error)
	// Dataset returns one dataset with all its versions, newest first.
	Dataset(ctx context.Context, name string) (Dataset, error)
	// VersionFile returns the original file of a version, its name and a reader
	// of its bytes.
	VersionFile(ctx context.Context, dataset string, number int) (OriginalFile, error)
	// Rollback makes version number current again by appending a new version.
	Rollback(ctx context.Context, dataset string, number int, who string) (Version, error)
	// Diff compares two versions of a dataset.
	Diff(ctx context.Context, dataset string, from, to int) (Diff, error)
	// Ping checks the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// Job run statuses, as recorded in the store and shown on /jobs.
const (
	RunOK        = "ok"
	RunUnchanged = "unchanged"
	RunFailed    = "failed"
	RunSkipped   = "skipped"
	RunRunning   = "running"
	// RunInterrupted is a run whose process died before it ended (kill -9, a
	// crash): it changed nothing, its import's transaction was never committed.
	RunInterrupted = "interrupted"
)

// JobRun is the record of one run of a scheduled job.
type JobRun struct {
	ID          int64         `json:"id"`
	Job         string        `json:"job"`
	Started     time.Time     `json:"started"`
	Ended       time.Time     `json:"ended"`
	Status      string        `json:"status"`
	Attempt     int           `json:"attempt"`
	Message     string        `json:"message,omitempty"`
	DataVersion int64         `json:"data_version,omitempty"`
	Report      *ImportReport `json:"report,omitempty"`
	// Tick is the scheduled time a scheduled run is for (zero for a manual
	// run): replicas that share a store run each tick once.
	Tick time.Time `json:"tick,omitzero"`
	// Owner names the process that runs it (host, pid, a per-process id) and
	// Heartbeat is when that process last said it still runs it.
	Owner     string    `json:"-"`
	Heartbeat time.Time `json:"-"`
}

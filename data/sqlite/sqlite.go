package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/clout-dev/clout/data/internal/sqlstore"
	"github.com/clout-dev/clout/indicators"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// pragmas are set on every pooled connection through the DSN. BEGIN IMMEDIATE for
// writing transactions takes the write lock up front, so the N+1 version number a
// transaction computes cannot race with another process; read-only transactions
// still begin deferred. Temporary b-trees in memory and a 16 MiB page cache keep
// large imports of unsorted files from spilling index pages to disk over and over.
var pragmas = []string{
	"_pragma=busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")",
	"_pragma=foreign_keys(1)",
	"_pragma=journal_mode(WAL)",
	"_pragma=synchronous(NORMAL)",
	"_pragma=temp_store(MEMORY)",
	"_pragma=cache_size(-16384)",
	"_txlock=immediate",
}

// busyTimeout is how long a statement waits for a lock another process holds
// (readers rarely do, in WAL mode). A writing transaction's wait for the write
// lock is the store's own bound instead (sqlstore.Config.WriteWait).
const busyTimeout = 5 * time.Second

// DB is the SQLite store: indicators.Store plus job run history and settings (the
// methods of sqlstore.Store). It is safe for concurrent use.
type DB struct {
	*sqlstore.Store
	path string
}

// Option configures Open.
type Option = sqlstore.Option

// Options for Open: the clock that stamps versions (tests pin it), the logger for
// migrations, how many observations one bulk insert writes (default 200), and
// how long a write waits for the write lock and whom it tells when it waits.
var (
	WithClock           = sqlstore.WithClock
	WithLogger          = sqlstore.WithLogger
	WithBatchRows       = sqlstore.WithBatchRows
	WithWriteWait       = sqlstore.WithWriteWait
	WithWriteWaitNotice = sqlstore.WithWriteWaitNotice
)

// dialect is SQLite's part of the shared SQL.
var dialect = sqlstore.Dialect{
	Name:        "sqlite",
	BeginWrite:  beginWrite,
	Raw:         raw,
	IsDuplicate: isDuplicate,
	Explain:     "EXPLAIN QUERY PLAN",
}

// beginWrite begins a writing transaction (BEGIN IMMEDIATE, from the DSN's
// _txlock) with the connection's busy timeout set to wait for its duration, so
// the wait for another process's write lock is the store's bound.
func beginWrite(ctx context.Context, conn *sql.Conn, wait time.Duration) (*sql.Tx, bool, error) {
	if err := setBusyTimeout(ctx, conn, wait); err != nil {
		return nil, false, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	// The connection goes back to the pool afterwards: restore its usual timeout.
	if err != nil {
		if rerr := setBusyTimeout(context.WithoutCancel(ctx), conn, busyTimeout); rerr != nil {
			return nil, false, rerr
		}
		var se *sqlite.Error
		if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
			return nil, true, nil
		}
		return nil, false, err
	}
	if err := setBusyTimeout(ctx, tx, busyTimeout); err != nil {
		tx.Rollback()
		return nil, false, err
	}
	return tx, false, nil
}

func setBusyTimeout(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, d time.Duration) error {
	_, err := db.ExecContext(ctx, "PRAGMA busy_timeout = "+strconv.FormatInt(d.Milliseconds(), 10))
	return err
}

// Open opens (creating if needed) the SQLite database at path, which may be a file
// path or a "file:" URI, and applies any pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	if strings.TrimSpace(path) == "" {
		return nil, indicators.Errorf(indicators.EINVALID, "sqlite: empty database path")
	}
	var cfg sqlstore.Config
	for _, o := range opts {
		o(&cfg)
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	sdb, err := sql.Open("sqlite", path+sep+strings.Join(pragmas, "&"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// database/sql keeps only two idle connections by default: under concurrent
	// requests every other query opened a new SQLite connection (parsing the
	// schema, applying the pragmas) and closed it again. The pool is bounded and
	// kept whole; each connection's page cache stays warm.
	conns := max(8, 4*runtime.GOMAXPROCS(0))
	sdb.SetMaxOpenConns(conns)
	sdb.SetMaxIdleConns(conns)
	sdb.SetConnMaxIdleTime(10 * time.Minute)
	db := &DB{Store: sqlstore.New(sdb, dialect, cfg), path: path}
	if err := db.Migrate(ctx, migrationFS, "migrations"); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// Path returns the database path Open was given.
func (db *DB) Path() string { return db.path }

func isDuplicate(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

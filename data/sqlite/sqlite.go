package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"runtime"
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
	"_pragma=busy_timeout(5000)",
	"_pragma=foreign_keys(1)",
	"_pragma=journal_mode(WAL)",
	"_pragma=synchronous(NORMAL)",
	"_pragma=temp_store(MEMORY)",
	"_pragma=cache_size(-16384)",
	"_txlock=immediate",
}

// DB is the SQLite store: indicators.Store plus job run history and settings (the
// methods of sqlstore.Store). It is safe for concurrent use.
type DB struct {
	*sqlstore.Store
	path string
}

// Option configures Open.
type Option = sqlstore.Option

// Options for Open: the clock that stamps versions (tests pin it), the logger for
// migrations, and how many observations one bulk insert writes (default 200).
var (
	WithClock     = sqlstore.WithClock
	WithLogger    = sqlstore.WithLogger
	WithBatchRows = sqlstore.WithBatchRows
)

// dialect is SQLite's part of the shared SQL.
var dialect = sqlstore.Dialect{
	Name:        "sqlite",
	Raw:         raw,
	IsDuplicate: isDuplicate,
	Explain:     "EXPLAIN QUERY PLAN",
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

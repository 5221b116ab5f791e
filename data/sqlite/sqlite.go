package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/clout-dev/clout/data/internal/sqlstore"
	"github.com/clout-dev/clout/indicators"
	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// pragmas are set on every pooled connection through the DSN, the others by
// connectPragmas. database/sql hands a connection to one goroutine at a time,
// so SQLite's own per-connection mutex is left out (_mutex=no). A 16 MiB page
// cache keeps large imports of unsorted files from spilling index pages to disk
// over and over.
var pragmas = []string{
	"_busy_timeout=" + strconv.FormatInt(busyTimeout.Milliseconds(), 10),
	"_foreign_keys=1",
	"_synchronous=NORMAL",
	"_cache_size=-16384",
	"_mutex=no",
}

// connectPragmas run on every new connection, in this order: a new database
// gets 16 KiB pages (a quarter of the pages and system calls of SQLite's
// default 4 KiB for the same rows: a 1 M-row import took 8 % less time), which
// only a database not yet written, and not yet in WAL mode, can take; an
// existing one keeps its own. Temporary b-trees live in memory.
const connectPragmas = `PRAGMA page_size = 16384;
PRAGMA journal_mode = WAL;
PRAGMA temp_store = MEMORY;`

// writeLock is the writer pool's extra parameter: its transactions begin
// IMMEDIATE, taking the write lock up front, so the N+1 version number a
// transaction computes cannot race with another process. The driver begins
// every transaction of a connection the same way, so readers have a pool of
// their own, whose transactions begin deferred.
const writeLock = "_txlock=immediate"

// connector opens connections of the SQLite driver (the C library, through cgo)
// on one DSN, without registering a driver name process-wide.
type connector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
}

func newConnector(dsn string) connector {
	return connector{dsn: dsn, driver: &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(connectPragmas, nil)
		return err
	}}}
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.driver }

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
		var se sqlite3.Error
		if errors.As(err, &se) && se.Code == sqlite3.ErrBusy {
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
	dsn := path + sep + strings.Join(pragmas, "&")
	sdb := sql.OpenDB(newConnector(dsn))
	// Writers take turns in this process (the store's writer slot): their pool
	// keeps one connection.
	wdb := sql.OpenDB(newConnector(dsn + "&" + writeLock))
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxIdleTime(10 * time.Minute)
	cfg.WriteDB = wdb
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
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// Path returns the database path Open was given.
func (db *DB) Path() string { return db.path }

func isDuplicate(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey || se.ExtendedCode == sqlite3.ErrConstraintUnique
}

// Package sqlstore is the SQL shared by Clout's stores: indicators.Store, the job
// run history and settings over database/sql, with the few differences between
// SQLite and PostgreSQL (placeholders, the write lock, bulk inserts) in a Dialect.
// data/sqlite and data/postgres wrap it; nothing else should import it.
//
// Datasets have append-only versions; each import stores its observations under
// its own version, and a rollback appends a version that points at the restored
// version's observations (versions.obs_version_id), so nothing is copied and
// nothing is lost. A global data version numbers every change; reads "as of" a data
// version take each dataset's latest version at or below it. Where two datasets
// give the same (indicator, country, partner, period, vintage), the dataset whose
// version has the later data version wins; among the vintages of a figure, reads
// take the one Query.Vintage selects (see indicators.SelectVintage).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// Dialect is what differs between databases.
type Dialect struct {
	// Name names the database in errors ("sqlite", "postgres").
	Name string
	// Numbered placeholders ($1, $2...) instead of "?".
	Numbered bool
	// BeginWrite begins a writing transaction on conn holding the write lock that
	// serialises writers across processes (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
	// advisory transaction lock), waiting at most wait for it (0: not at all).
	// busy reports that another process held the lock all that time (tx is nil).
	BeginWrite func(ctx context.Context, conn *sql.Conn, wait time.Duration) (tx *sql.Tx, busy bool, err error)
	// RowLocks means the database locks the rows a transaction writes, so small
	// state (sessions, staged uploads) is written without the write lock
	// (PostgreSQL); otherwise every write queues for it (SQLite).
	RowLocks bool
	// Raw runs fn with the driver-level connection under conn, inside the open
	// transaction, for bulk inserts.
	Raw func(ctx context.Context, conn *sql.Conn, fn func(RawConn) error) error
	// IsDuplicate reports whether err is a primary or unique key violation.
	IsDuplicate func(err error) bool
	// TryLock takes the named cluster-wide lock on conn without waiting and
	// reports whether it got it; Unlock releases it. Nil for single-process
	// databases, where TryLock always succeeds.
	TryLock, Unlock func(ctx context.Context, conn *sql.Conn, name string) (bool, error)
	// Explain is the statement prefix that makes the database describe a query's
	// plan instead of running it.
	Explain string
	// ReadOptions begin reading transactions (default: read-only). PostgreSQL
	// needs repeatable read for one snapshot across a method's queries.
	ReadOptions *sql.TxOptions
}

// RawConn is a driver connection inside the writing transaction: what an import
// needs without database/sql's per-argument overhead.
type RawConn interface {
	// Exec runs a statement written with "?" placeholders.
	Exec(ctx context.Context, query string, args ...any) error
	// QueryInt returns the first column of the first row (0 if there is none).
	QueryInt(ctx context.Context, query string, args ...any) (int64, error)
	// InsertObservations stores rows under versionID.
	InsertObservations(ctx context.Context, versionID int64, rows []Row) error
	// Close releases prepared statements.
	Close() error
}

// Row is one observation as stored: the period as its sortable key, the unit,
// source and note as label ids (nil for none) and the flags as one text.
type Row struct {
	Indicator, Country, Partner string
	Period                      int64
	Vintage                     string
	Value                       float64
	Unit, Source                any
	Flags                       string
	Note                        any
}

// DefaultWriteWait is how long a write waits for the store's write lock, held by
// another import of this process or another process, before it fails with EBUSY.
const DefaultWriteWait = 30 * time.Second

// Config are a store's settings.
type Config struct {
	Now       func() time.Time // stamps versions; default time.Now
	Logger    *slog.Logger     // default slog.Default()
	BatchRows int              // observations per insert batch; default 200
	// WriteDB, if set, is a pool of its own for writing transactions (SQLite's
	// driver begins every transaction of a pool in the same way, and only writers
	// should begin IMMEDIATE); the store owns it too.
	WriteDB *sql.DB
	// WriteWait bounds a write's wait for the write lock; default DefaultWriteWait.
	WriteWait time.Duration
	// OnWriteWait, if set, is called once by a write that has to wait for the
	// write lock, before it waits at most wait (the CLI says so on stderr).
	OnWriteWait func(wait time.Duration)
}

// Option changes a Config.
type Option func(*Config)

// WithClock sets the clock that stamps versions (tests pin it).
func WithClock(now func() time.Time) Option { return func(c *Config) { c.Now = now } }

// WithLogger sets the logger for migrations.
func WithLogger(l *slog.Logger) Option { return func(c *Config) { c.Logger = l } }

// WithBatchRows sets how many observations one bulk insert writes.
func WithBatchRows(n int) Option { return func(c *Config) { c.BatchRows = n } }

// WithWriteWait bounds how long a write waits for the write lock (see
// DefaultWriteWait).
func WithWriteWait(d time.Duration) Option { return func(c *Config) { c.WriteWait = d } }

// WithWriteWaitNotice sets the function a write calls once when it has to wait
// for the write lock (see Config.OnWriteWait).
func WithWriteWaitNotice(fn func(wait time.Duration)) Option {
	return func(c *Config) { c.OnWriteWait = fn }
}

// Store implements indicators.Store, job run history and settings over db.
type Store struct {
	db *sql.DB
	// writeDB is the pool writing transactions run on (db unless Config.WriteDB).
	writeDB *sql.DB
	dialect Dialect
	now     func() time.Time
	log     *slog.Logger
	batch   int
	// writer serialises this process's writing transactions, so concurrent imports
	// queue here (honouring their contexts) instead of spinning on the database's
	// lock while a long import holds it.
	writer chan struct{}
	// wait bounds a write's wait for writer and the database's write lock
	// together; onWait is told when a write starts waiting.
	wait   time.Duration
	onWait func(time.Duration)
}

// New returns a store on db, which it owns (Close closes it).
func New(db *sql.DB, d Dialect, c Config) *Store {
	s := &Store{db: db, writeDB: c.WriteDB, dialect: d, now: c.Now, log: c.Logger, batch: c.BatchRows, writer: make(chan struct{}, 1),
		wait: c.WriteWait, onWait: c.OnWriteWait}
	if s.wait <= 0 {
		s.wait = DefaultWriteWait
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.batch <= 0 {
		s.batch = 200
	}
	if s.writeDB == nil {
		s.writeDB = db
	}
	return s
}

// SQL returns the underlying database handle.
func (s *Store) SQL() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.writeDB != s.db {
		err = errors.Join(err, s.writeDB.Close())
	}
	return err
}

// Ping checks that the database takes a connection (SQLite: the driver's ping,
// as cheap as the static route; PostgreSQL: a round trip to the server).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("%s: ping: %w", s.dialect.Name, err)
	}
	return nil
}

// q rewrites a query written with "?" placeholders for the dialect.
func (s *Store) q(query string) string {
	if !s.dialect.Numbered {
		return query
	}
	return Rebind(query)
}

// Rebind turns "?" placeholders into $1, $2... (the queries here have no "?"
// inside string literals).
func Rebind(query string) string {
	var b strings.Builder
	n := 0
	for {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			b.WriteString(query)
			return b.String()
		}
		n++
		b.WriteString(query[:i])
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
		query = query[i+1:]
	}
}

// Migrate applies the migrations in dir of fsys not yet recorded in
// schema_migrations, each in its own writing transaction, in file name order.
func (s *Store) Migrate(ctx context.Context, fsys fs.FS, dir string) error {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	if s.migrated(ctx, names) {
		return nil
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	for _, name := range names {
		if err := s.migrateFile(ctx, fsys, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

// migrated reports whether every migration in names is recorded. It only reads,
// so opening an up-to-date store does not queue behind another process's import.
func (s *Store) migrated(ctx context.Context, names []string) bool {
	done := map[string]bool{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		return s.each(ctx, tx, func(rows *sql.Rows) error {
			var name string
			err := rows.Scan(&name)
			done[name] = true
			return err
		}, `SELECT name FROM schema_migrations`)
	})
	if err != nil {
		return false // no migrations table yet, or unreadable: migrate under the lock
	}
	for _, name := range names {
		if !done[name] {
			return false
		}
	}
	return true
}

func (s *Store) migrateFile(ctx context.Context, fsys fs.FS, name string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM schema_migrations WHERE name = ?`), name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return err
		}
		s.log.Info("store: migrated", "db", s.dialect.Name, "migration", name)
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`),
			name, formatTime(s.now()))
		return err
	})
}

// TryLock takes the lock called name if no other process holds it and returns
// the function that releases it; ok is false if another process holds it. Jobs use
// it so that, with several replicas on one PostgreSQL database, each scheduled run
// happens on one replica only. On SQLite (one process serves a file) it always
// succeeds. The lock is also released when the store closes or its connection dies.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if s.dialect.TryLock == nil {
		return func() {}, true, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, s.errorf(err, "lock %s", name)
	}
	ok, err = s.dialect.TryLock(ctx, conn, name)
	if err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, false, s.errorf(err, "lock %s", name)
		}
		return nil, false, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			// A fresh context: the unlock must happen even if the run's ended.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := s.dialect.Unlock(ctx, conn, name); err != nil {
				s.log.Warn("store: unlock", "lock", name, "err", err)
			}
			conn.Close()
		})
	}, true, nil
}

// write runs fn in a writing transaction after taking the process-wide writer
// slot and the dialect's write lock, and commits if fn returns nil.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.writeConn(ctx, func(_ *sql.Conn, tx *sql.Tx) error { return fn(tx) })
}

// writeConn is write that also hands fn the connection the transaction runs on.
// Writers take turns: first in this process's queue, then for the database's
// write lock, which another process may hold. The two waits together last at
// most s.wait; past it the write fails with EBUSY and changes nothing.
func (s *Store) writeConn(ctx context.Context, fn func(conn *sql.Conn, tx *sql.Tx) error) error {
	deadline := time.Now().Add(s.wait)
	waiting := false
	startWaiting := func() {
		if !waiting {
			waiting = true
			s.log.Info("store: another writer holds the write lock; waiting", "db", s.dialect.Name, "at_most", s.wait)
			if s.onWait != nil {
				s.onWait(s.wait)
			}
		}
	}
	select {
	case s.writer <- struct{}{}:
	default:
		startWaiting()
		timer := time.NewTimer(s.wait)
		select {
		case s.writer <- struct{}{}:
			timer.Stop()
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
			return s.busy()
		}
	}
	defer func() { <-s.writer }()
	conn, err := s.writeDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	tx, busy, err := s.dialect.BeginWrite(ctx, conn, 0)
	if busy {
		startWaiting()
		if left := time.Until(deadline); left > 0 {
			tx, busy, err = s.dialect.BeginWrite(ctx, conn, left)
		}
	}
	if busy {
		return s.busy()
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(conn, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// busy is the error of a write that did not get the write lock within s.wait. It
// suggests retrying after as long again: the lock has been held at least that long.
func (s *Store) busy() error {
	secs := int64((s.wait + time.Second - 1) / time.Second)
	return &indicators.Error{Code: indicators.EBUSY, RetryAfter: time.Duration(secs) * time.Second,
		Message: fmt.Sprintf("another import is writing; try again in %d s", secs)}
}

// read runs fn in a read-only transaction: one consistent snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	opts := s.dialect.ReadOptions
	if opts == nil {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// each runs query (with "?" placeholders) in tx and calls fn on every row.
func (s *Store) each(ctx context.Context, tx *sql.Tx, fn func(*sql.Rows) error, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// timeLayout is fixed-width so stored times sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// notFound reports whether err is sql.ErrNoRows.
func notFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// errorf wraps err with the dialect name and an operation.
func (s *Store) errorf(err error, format string, args ...any) error {
	return fmt.Errorf("%s: %s: %w", s.dialect.Name, fmt.Sprintf(format, args...), err)
}

var _ indicators.Store = (*Store)(nil)

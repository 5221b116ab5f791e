package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/clout-dev/clout/data/internal/sqlstore"
	"github.com/clout-dev/clout/indicators"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// writeLockKey is the advisory lock every writing transaction takes: Clout's
// writes are few, and one lock keeps version numbers and data versions gap-free
// and in commit order across replicas.
const writeLockKey = 0x436c6f7574 // "Clout"

// namedLockClass is the first half of the two-part advisory lock keys TryLock
// uses ("JOBS"); the second is a hash of the lock's name.
const namedLockClass = int32(0x4a4f4253)

func lockID(name string) int32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int32(h.Sum32())
}

// DB is the PostgreSQL store: indicators.Store plus job run history and settings
// (the methods of sqlstore.Store). It is safe for concurrent use.
type DB struct {
	*sqlstore.Store
}

// Option configures Open.
type Option = sqlstore.Option

// Options for Open: the clock that stamps versions (tests pin it), the logger for
// migrations, how many observations one bulk insert writes (default 5000), and
// how long a write waits for the write lock and whom it tells when it waits.
var (
	WithClock           = sqlstore.WithClock
	WithLogger          = sqlstore.WithLogger
	WithBatchRows       = sqlstore.WithBatchRows
	WithWriteWait       = sqlstore.WithWriteWait
	WithWriteWaitNotice = sqlstore.WithWriteWaitNotice
)

var dialect = sqlstore.Dialect{
	Name:        "postgres",
	Numbered:    true,
	BeginWrite:  beginWrite,
	RowLocks:    true,
	Raw:         raw,
	IsDuplicate: isDuplicate,
	TryLock: func(ctx context.Context, conn *sql.Conn, name string) (ok bool, err error) {
		err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, namedLockClass, lockID(name)).Scan(&ok)
		return ok, err
	},
	Unlock: func(ctx context.Context, conn *sql.Conn, name string) (ok bool, err error) {
		err = conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1, $2)`, namedLockClass, lockID(name)).Scan(&ok)
		return ok, err
	},
	ReadOptions: &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
	Explain:     "EXPLAIN",
}

// beginWrite begins a transaction and takes the write lock in it: at once or not
// at all for wait 0, else queued behind the holder (PostgreSQL grants advisory
// locks in turn) with lock_timeout bounding the wait to this statement.
func beginWrite(ctx context.Context, conn *sql.Conn, wait time.Duration) (*sql.Tx, bool, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	busy, err := lockWrites(ctx, tx, wait)
	if err != nil || busy {
		tx.Rollback()
		return nil, busy, err
	}
	return tx, false, nil
}

func lockWrites(ctx context.Context, tx *sql.Tx, wait time.Duration) (busy bool, err error) {
	if wait <= 0 {
		var ok bool
		err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1)`, int64(writeLockKey)).Scan(&ok)
		return !ok && err == nil, err
	}
	var prior string
	if err := tx.QueryRowContext(ctx, `SELECT current_setting('lock_timeout')`).Scan(&prior); err != nil {
		return false, err
	}
	ms := max(wait.Milliseconds(), 1) // 0 would mean no limit
	if _, err := tx.ExecContext(ctx, `SELECT set_config('lock_timeout', $1, true)`, strconv.FormatInt(ms, 10)+"ms"); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(writeLockKey)); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
			return true, nil
		}
		return false, err
	}
	_, err = tx.ExecContext(ctx, `SELECT set_config('lock_timeout', $1, true)`, prior)
	return false, err
}

// Open connects to the PostgreSQL database named by dsn (a postgres:// URL or a
// key=value string) and applies any pending migrations.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, indicators.Errorf(indicators.EINVALID, "postgres: empty connection string")
	}
	cfg := sqlstore.Config{BatchRows: 5000}
	for _, o := range opts {
		o(&cfg)
	}
	sdb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// database/sql keeps only two idle connections by default, so concurrent
	// requests kept opening new server connections (a process on the server each).
	// Idle ones are kept for a while; how many are open at once is left to the
	// server's max_connections, shared by the replicas.
	sdb.SetMaxIdleConns(max(8, 4*runtime.GOMAXPROCS(0)))
	sdb.SetConnMaxIdleTime(10 * time.Minute)
	db := &DB{Store: sqlstore.New(sdb, dialect, cfg)}
	if err := db.Ping(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	if err := db.Migrate(ctx, migrationFS, "migrations"); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return db, nil
}

func isDuplicate(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" // unique_violation
}

// rawConn is the pgx connection under the database/sql transaction.
type rawConn struct{ conn *pgx.Conn }

func raw(ctx context.Context, conn *sql.Conn, fn func(sqlstore.RawConn) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("driver connection %T is not pgx's", dc)
		}
		return fn(rawConn{conn: c.Conn()})
	})
}

// Exec implements sqlstore.RawConn.
func (r rawConn) Exec(ctx context.Context, query string, args ...any) error {
	_, err := r.conn.Exec(ctx, sqlstore.Rebind(query), args...)
	return err
}

// QueryInt implements sqlstore.RawConn.
func (r rawConn) QueryInt(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := r.conn.QueryRow(ctx, sqlstore.Rebind(query), args...).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

var observationColumns = []string{"version_id", "indicator", "country", "partner", "period", "vintage", "value", "unit_id", "source_id", "flags", "note_id"}

// InsertObservations implements sqlstore.RawConn with COPY.
func (r rawConn) InsertObservations(ctx context.Context, versionID int64, rows []sqlstore.Row) error {
	_, err := r.conn.CopyFrom(ctx, pgx.Identifier{"observations"}, observationColumns,
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			row := rows[i]
			return []any{versionID, row.Indicator, row.Country, row.Partner, row.Period, row.Vintage, row.Value, row.Unit, row.Source, row.Flags, row.Note}, nil
		}))
	return err
}

// Close implements sqlstore.RawConn.
func (r rawConn) Close() error { return nil }

// Package sqlite is Clout's default store: indicators.Store on an embedded SQLite
// database (SQLite's C library through github.com/mattn/go-sqlite3, the same
// engine as the sqlite3 CLI; the build needs cgo, as the renderer's V8 does),
// plus the job run history and settings
// the jobs and dashboard packages keep. The SQL is shared with data/postgres
// (data/internal/sqlstore); this package adds the connection settings, the
// migrations and a bulk insert through the driver connection.
//
// Writes are serialised: inside one process by a queue in the store, across
// processes by SQLite's write lock taken at BEGIN IMMEDIATE (writers have a
// connection pool of their own, whose transactions begin so); a write waits its
// turn at most the store's write wait (WithWriteWait), then fails with EBUSY
// having changed nothing. Reads run in read-only transactions and see a consistent snapshot
// while an import runs (WAL mode).
package sqlite

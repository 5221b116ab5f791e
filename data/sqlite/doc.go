// Package sqlite is Clout's default store: indicators.Store on an embedded SQLite
// database (modernc.org/sqlite, pure Go), plus the job run history and settings
// the jobs and dashboard packages keep.
//
// Datasets have append-only versions; each import stores its observations under
// its own version, and a rollback appends a version that points at the restored
// version's observations, so nothing is copied and nothing is lost. A global data
// version numbers every change; reads "as of" a data version take each dataset's
// latest version at or below it. Where two datasets give the same (indicator,
// country, partner, period), the dataset whose current version has the later data
// version wins.
//
// Writes are serialised: inside one process by a lock on the DB, across processes
// by SQLite's write lock taken at BEGIN IMMEDIATE (with a busy timeout). Reads run
// in read-only transactions and see a consistent snapshot while an import runs
// (WAL mode).
package sqlite

// Package postgres is Clout's store on PostgreSQL (pgx v5 through database/sql),
// for several replicas sharing one database. It runs the same SQL as data/sqlite
// (data/internal/sqlstore) with its own migrations; writes are serialised across
// replicas by a transaction-scoped advisory lock, and observations are bulk
// loaded with COPY inside the import's transaction.
package postgres

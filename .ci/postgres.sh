#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the test suite and prints the DSN that
# CLOUT_TEST_POSTGRES should hold. Usage: eval "$(bash .ci/postgres.sh)".
# The server listens on 127.0.0.1 only, trusts local connections, and keeps its data
# under a temporary directory; `pg_ctl stop -D "$CLOUT_PGDATA"` stops it.
set -euo pipefail
port="${CLOUT_PGPORT:-55439}"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "postgres.sh: no PostgreSQL server installed (apt-get install postgresql)" >&2
  exit 1
fi
data=$(mktemp -d /tmp/clout-ci-pg.XXXXXX)
run() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$data" postgres
  chown postgres "$data"
  run() { su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; }
fi
run "$bindir/initdb" -D "$data/db" -U postgres -A trust --no-sync >/dev/null
run "$bindir/pg_ctl" -D "$data/db" -l "$data/log" -w start \
  -o "-h 127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
echo "export CLOUT_PGDATA=$data/db"
echo "export CLOUT_TEST_POSTGRES='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"

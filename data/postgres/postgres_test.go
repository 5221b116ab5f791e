package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/clout-dev/clout/data/internal/storetest"
	"github.com/clout-dev/clout/data/postgres"
	"github.com/clout-dev/clout/indicators"
)

// testDSN returns the server the tests run against, or skips the test.
func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("CLOUT_TEST_POSTGRES")
	if dsn == "" {
		tb.Skip("CLOUT_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres); skipping PostgreSQL tests")
	}
	return dsn
}

// freshSchema creates an empty schema, dropped when the test ends, and returns a
// DSN whose connections use it.
func freshSchema(tb testing.TB) string {
	tb.Helper()
	dsn := testDSN(tb)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "clout_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(dsn, schema)
}

func withSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

// MustOpen opens a store on dsn, closed when the test ends.
func MustOpen(tb testing.TB, dsn string, opts ...postgres.Option) *postgres.DB {
	tb.Helper()
	opts = append([]postgres.Option{postgres.WithClock(storetest.NewClock().Now), postgres.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	db, err := postgres.Open(context.Background(), dsn, opts...)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

var backend = storetest.Backend{
	New: freshSchema,
	Open: func(tb testing.TB, dsn string, now func() time.Time, opts ...postgres.Option) storetest.Store {
		return MustOpen(tb, dsn, append([]postgres.Option{postgres.WithClock(now)}, opts...)...)
	},
	PlansNeedStatistics: true,
}

func TestStore(t *testing.T) {
	testDSN(t)
	storetest.Run(t, backend)
}

func TestOpen_migrationsRecordedOnce(t *testing.T) {
	dsn := freshSchema(t)
	for range 3 {
		MustOpen(t, dsn).Close()
	}
	db := MustOpen(t, dsn)
	var n int
	files, _ := filepath.Glob("migrations/*.sql")
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || len(files) == 0 || n != len(files) {
		t.Errorf("schema_migrations has %d rows (%v), want one per migration file (%d)", n, err, len(files))
	}
}

func TestOpen_errors(t *testing.T) {
	if _, err := postgres.Open(context.Background(), " "); indicators.ErrorCode(err) != indicators.EINVALID {
		t.Errorf("empty DSN: %v, want EINVALID", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := postgres.Open(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"); err == nil {
		t.Error("Open of an unreachable server succeeded")
	}
}

func TestTryLock_oneHolderAcrossReplicas(t *testing.T) {
	dsn := freshSchema(t)
	a, b := MustOpen(t, dsn), MustOpen(t, dsn)
	ctx := context.Background()
	unlock, ok, err := a.TryLock(ctx, "wdi-population")
	if err != nil || !ok {
		t.Fatalf("first TryLock: ok %v, %v", ok, err)
	}
	if _, ok, err := b.TryLock(ctx, "wdi-population"); err != nil || ok {
		t.Errorf("second replica got the held lock: ok %v, %v", ok, err)
	}
	unlockOther, ok, err := b.TryLock(ctx, "weekly-snapshots")
	if err != nil || !ok {
		t.Errorf("another name: ok %v, %v", ok, err)
	} else {
		unlockOther()
	}
	unlock()
	unlock() // releasing twice is harmless
	unlockB, ok, err := b.TryLock(ctx, "wdi-population")
	if err != nil || !ok {
		t.Fatalf("TryLock after release: ok %v, %v", ok, err)
	}
	unlockB()
}

package sqlite_test

import (
	"context"
	"sync"
	"testing"
)

// TestPool_keepsIdleConnections: concurrent requests reuse pooled connections
// instead of opening a new SQLite connection for most queries and closing it
// again (database/sql's default keeps two idle).
func TestPool_keepsIdleConnections(t *testing.T) {
	db := MustOpenPath(t, t.TempDir()+"/clout.db")
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if err := db.Ping(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	st := db.SQL().Stats()
	if st.MaxIdleClosed > 0 || st.MaxIdleTimeClosed > 0 || st.MaxLifetimeClosed > 0 {
		t.Errorf("connections closed and reopened: %+v", st)
	}
	if st.OpenConnections > st.MaxOpenConnections || st.Idle != st.OpenConnections {
		t.Errorf("pool after the burst: %+v", st)
	}
}

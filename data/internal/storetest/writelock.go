package storetest

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/internal/sqlstore"
	"github.com/clout-dev/clout/indicators"
)

// heldImport is an import in progress that holds the store's write lock until
// released: its source blocks after the first batch.
type heldImport struct {
	release chan struct{}
	done    chan error
	version indicators.Version
}

// holdWriteLock starts importing dataset into db and returns once the import
// holds the write lock (its source runs under it).
func holdWriteLock(t *testing.T, db Store, dataset string) *heldImport {
	t.Helper()
	h := &heldImport{release: make(chan struct{}), done: make(chan error, 1)}
	holding := make(chan struct{})
	go func() {
		var err error
		h.version, err = db.SaveVersion(context.Background(), indicators.NewVersion{
			Dataset: dataset, FileName: dataset + ".csv", File: bytes.NewReader([]byte(dataset)), Who: "test",
		}, func(yield func([]indicators.Observation) error) error {
			if err := yield([]indicators.Observation{pop("ARM", 2020, 1)}); err != nil {
				return err
			}
			close(holding)
			<-h.release
			return yield([]indicators.Observation{pop("ARM", 2021, 2)})
		})
		h.done <- err
	}()
	select {
	case <-holding:
	case err := <-h.done:
		t.Fatalf("the holding import of %s ended early: %v", dataset, err)
	case <-time.After(30 * time.Second):
		t.Fatalf("the holding import of %s never got the write lock", dataset)
	}
	return h
}

// finish releases the lock and returns the holding import's version.
func (h *heldImport) finish(t *testing.T) indicators.Version {
	t.Helper()
	close(h.release)
	if err := <-h.done; err != nil {
		t.Fatalf("the holding import failed: %v", err)
	}
	return h.version
}

// waitFor polls cond for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Two stores on one database (two processes, or two replicas) write in turn:
// the second import waits for the first's write lock, says once that it waits,
// and then stores the next version.
func testWriteLock_storesTakeTurns(t *testing.T, b Backend) {
	name := b.New(t)
	clock := NewClock()
	first := b.Open(t, name, clock.Now)
	var notices atomic.Int32
	second := b.Open(t, name, clock.Now, sqlstore.WithWriteWait(time.Minute),
		sqlstore.WithWriteWaitNotice(func(wait time.Duration) {
			if wait != time.Minute {
				t.Errorf("notice with wait %s, want 1m", wait)
			}
			notices.Add(1)
		}))

	held := holdWriteLock(t, first, "first")
	type result struct {
		v   indicators.Version
		err error
	}
	got := make(chan result, 1)
	go func() {
		v, err := second.SaveVersion(context.Background(), indicators.NewVersion{Dataset: "second", FileName: "second.csv", File: bytes.NewReader([]byte("2"))},
			sliceSource([]indicators.Observation{pop("GEO", 2020, 3)}))
		got <- result{v, err}
	}()
	waitFor(t, "the second store says it waits", func() bool { return notices.Load() == 1 })
	time.Sleep(200 * time.Millisecond)
	select {
	case r := <-got:
		t.Fatalf("the second import finished while the first held the write lock: %+v %v", r.v, r.err)
	default:
	}
	v1 := held.finish(t)
	r := <-got
	if r.err != nil {
		t.Fatalf("the waiting import: %v", r.err)
	}
	if v1.DataVersion != 1 || r.v.DataVersion != 2 || r.v.Number != 1 {
		t.Errorf("data versions %d then %d (second's number %d), want 1 then 2", v1.DataVersion, r.v.DataVersion, r.v.Number)
	}
	if n := notices.Load(); n != 1 {
		t.Errorf("the waiting import said it waits %d times, want once", n)
	}
	if got := values(MustObservations(t, first, indicators.Query{})); len(got) != 3 || got["GEO 2020"] != 3 || got["ARM 2021"] != 2 {
		t.Errorf("observations after both imports: %v", got)
	}
}

// A writer that cannot get the write lock within its bound, held by another
// store on the same database or by another write of its own, fails with EBUSY
// carrying a retry delay, and changes nothing; once the lock is free it writes.
func testWriteLock_busyAfterTheWaitChangesNothing(t *testing.T, b Backend) {
	name := b.New(t)
	clock := NewClock()
	first := b.Open(t, name, clock.Now)
	var notices atomic.Int32
	const wait = 300 * time.Millisecond
	short := b.Open(t, name, clock.Now, sqlstore.WithWriteWait(wait),
		sqlstore.WithWriteWaitNotice(func(time.Duration) { notices.Add(1) }))
	ctx := context.Background()

	checkBusy := func(what string, start time.Time, err error) {
		t.Helper()
		took := time.Since(start)
		if indicators.ErrorCode(err) != indicators.EBUSY {
			t.Fatalf("%s while the lock is held: %v (code %q), want EBUSY", what, err, indicators.ErrorCode(err))
		}
		if msg := indicators.ErrorMessage(err); !strings.Contains(msg, "another import is writing; try again in 1 s") {
			t.Errorf("%s: message %q", what, msg)
		}
		if ra := indicators.ErrorRetryAfter(err); ra != time.Second {
			t.Errorf("%s: retry after %s, want 1s", what, ra)
		}
		if took < wait || took > wait+10*time.Second {
			t.Errorf("%s gave up after %s, want about %s", what, took, wait)
		}
	}

	// Across stores: another process's import holds the lock.
	held := holdWriteLock(t, first, "first")
	start := time.Now()
	_, err := short.SaveVersion(ctx, indicators.NewVersion{Dataset: "second", FileName: "second.csv", File: bytes.NewReader([]byte("2"))},
		sliceSource([]indicators.Observation{pop("GEO", 2020, 3)}))
	checkBusy("an import", start, err)
	if n := notices.Load(); n != 1 {
		t.Errorf("the refused import said it waits %d times, want once", n)
	}
	start = time.Now()
	checkBusy("a setting", start, short.SetSetting(ctx, "k", "v"))
	v1 := held.finish(t)
	if v1.DataVersion != 1 {
		t.Fatalf("the holding import stored data version %d, want 1", v1.DataVersion)
	}

	// Within one store: its own import holds the lock.
	own := holdWriteLock(t, short, "own")
	start = time.Now()
	_, err = short.SaveVersion(ctx, indicators.NewVersion{Dataset: "second", FileName: "second.csv", File: bytes.NewReader([]byte("2"))},
		sliceSource([]indicators.Observation{pop("GEO", 2020, 3)}))
	checkBusy("an import behind the store's own", start, err)
	v2 := own.finish(t)

	// Nothing of the refused writes was stored.
	if _, err := first.Dataset(ctx, "second"); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("the refused import left dataset second: %v", err)
	}
	if _, ok, err := first.Setting(ctx, "k"); ok || err != nil {
		t.Errorf("the refused setting was stored (%v, %v)", ok, err)
	}
	if dv, _ := first.DataVersion(ctx); dv != 2 || v2.DataVersion != 2 {
		t.Errorf("data version %d (own import %d), want 2: the refused imports took none", dv, v2.DataVersion)
	}

	// The lock free, the same store writes.
	v := MustSave(t, short, "second", "2", pop("GEO", 2020, 3))
	if v.DataVersion != 3 || v.Number != 1 {
		t.Errorf("after the lock was freed: %+v, want data version 3, version 1", v)
	}
}

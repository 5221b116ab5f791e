package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/clout-dev/clout/indicators"
)

func operation(id, owner, key, fingerprint string, expires time.Time) indicators.ImportOperation {
	return indicators.ImportOperation{ID: id, Owner: owner, IdempotencyKey: key, Fingerprint: fingerprint,
		State: indicators.OperationQueued, Created: t0, Updated: t0, Expires: expires}
}

// testImportOperations stores an operation through one store and follows it
// through another (another replica): states, result, expiry and the owner's
// idempotency keys.
func testImportOperations(t *testing.T, b Backend) {
	name := b.New(t)
	a, other := b.Open(t, name, NewClock().Now), b.Open(t, name, NewClock().Now)
	ctx := context.Background()
	op := operation("op1", "owner", "key-1", "sha:aa", t0.Add(time.Hour))
	got, added, err := a.AddImportOperation(ctx, op, t0)
	if err != nil || !added || got.ID != "op1" {
		t.Fatalf("add: %+v %v %v", got, added, err)
	}
	// The same key from the same owner finds the first operation, whatever its id.
	again, added, err := other.AddImportOperation(ctx, operation("op2", "owner", "key-1", "sha:bb", t0.Add(time.Hour)), t0)
	if err != nil || added || again.ID != "op1" || again.Fingerprint != "sha:aa" {
		t.Fatalf("same key again: %+v added %v %v, want op1 not added", again, added, err)
	}
	// Keys are per owner, and operations without a key never collide.
	for _, o := range []indicators.ImportOperation{
		operation("op3", "someone else", "key-1", "sha:aa", t0.Add(time.Hour)),
		operation("op4", "owner", "", "sha:aa", t0.Add(time.Hour)),
		operation("op5", "owner", "", "sha:aa", t0.Add(time.Hour)),
	} {
		if got, added, err := a.AddImportOperation(ctx, o, t0); err != nil || !added || got.ID != o.ID {
			t.Fatalf("add %s: %+v %v %v", o.ID, got, added, err)
		}
	}
	op.State, op.Status, op.Result, op.Updated = indicators.OperationDone, 200, []byte(`{"version":2}`), t0.Add(time.Minute)
	if err := a.UpdateImportOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	seen, ok, err := other.ImportOperation(ctx, "op1", t0.Add(2*time.Minute))
	if err != nil || !ok {
		t.Fatalf("find from the other store: %v %v", ok, err)
	}
	if seen.State != indicators.OperationDone || seen.Status != 200 || string(seen.Result) != `{"version":2}` ||
		!seen.Created.Equal(t0) || !seen.Updated.Equal(t0.Add(time.Minute)) || !seen.Expires.Equal(t0.Add(time.Hour)) ||
		seen.Owner != "owner" || seen.IdempotencyKey != "key-1" || !seen.Finished() {
		t.Fatalf("read back %+v", seen)
	}
	if _, ok, err := other.ImportOperation(ctx, "op1", t0.Add(time.Hour)); err != nil || ok {
		t.Fatalf("expired operation found: %v %v", ok, err)
	}
	if _, ok, _ := a.ImportOperation(ctx, "nope", t0); ok {
		t.Fatal("unknown operation found")
	}
	if err := a.UpdateImportOperation(ctx, operation("nope", "owner", "", "", t0)); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Fatalf("update of an unknown operation: %v, want not_found", err)
	}
	// Once expired, an operation is purged by the next add and its key is free.
	later := t0.Add(2 * time.Hour)
	got, added, err = a.AddImportOperation(ctx, operation("op6", "owner", "key-1", "sha:cc", later.Add(time.Hour)), later)
	if err != nil || !added || got.ID != "op6" {
		t.Fatalf("key of an expired operation: %+v %v %v, want op6 added", got, added, err)
	}
	if err := a.UpdateImportOperation(ctx, op); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Fatalf("update of a purged operation: %v, want not_found", err)
	}
}

// testImportOperations_oneKeyAcrossStores adds one key through several stores at
// once, as replicas would for a retried upload: one operation is stored and every
// store returns it.
func testImportOperations_oneKeyAcrossStores(t *testing.T, b Backend) {
	name := b.New(t)
	ctx := context.Background()
	stores := []Store{b.Open(t, name, NewClock().Now), b.Open(t, name, NewClock().Now), b.Open(t, name, NewClock().Now)}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		ids   = map[string]int{}
		added int
	)
	for i, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, ok, err := st.AddImportOperation(ctx, operation(string(rune('a'+i)), "owner", "retry", "sha:aa", t0.Add(time.Hour)), t0)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ids[got.ID]++
			if ok {
				added++
			}
		}()
	}
	wg.Wait()
	if added != 1 || len(ids) != 1 {
		t.Fatalf("added %d, ids %v: want one operation seen by all", added, ids)
	}
}

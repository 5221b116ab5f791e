package storetest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// t0 is the instant the state tests measure expiry from.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testSessions(t *testing.T, b Backend) {
	name := b.New(t)
	a, other := b.Open(t, name, NewClock().Now), b.Open(t, name, NewClock().Now)
	ctx := context.Background()
	if err := a.SaveSession(ctx, "tok", []byte("v1"), t0.Add(time.Hour), t0); err != nil {
		t.Fatal(err)
	}
	if err := a.SaveSession(ctx, "tok", []byte("v2"), t0.Add(2*time.Hour), t0); err != nil {
		t.Fatal(err)
	}
	// Another store on the same database (another replica) sees the session.
	if got, ok, err := other.Session(ctx, "tok", t0.Add(90*time.Minute)); err != nil || !ok || string(got) != "v2" {
		t.Fatalf("session from the other store: %q %v %v", got, ok, err)
	}
	if _, ok, err := other.Session(ctx, "tok", t0.Add(2*time.Hour)); err != nil || ok {
		t.Fatalf("expired session found: %v %v", ok, err)
	}
	if _, ok, _ := a.Session(ctx, "nope", t0); ok {
		t.Fatal("unknown session found")
	}
	if err := other.DeleteSession(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := a.Session(ctx, "tok", t0); ok {
		t.Fatal("deleted session found")
	}
	if err := a.DeleteSession(ctx, "tok"); err != nil {
		t.Fatalf("deleting an unknown session: %v", err)
	}
}

func staged(id, owner string, expires time.Time) indicators.StagedUpload {
	return indicators.StagedUpload{ID: id, Owner: owner, Dataset: "pop", FileName: "pop.csv", Format: "tidy",
		Data: []byte("indicator,country\n" + id), Expires: expires}
}

func testStagedUploads(t *testing.T, b Backend) {
	name := b.New(t)
	a, other := b.Open(t, name, NewClock().Now), b.Open(t, name, NewClock().Now)
	ctx := context.Background()
	want := staged("s1", "owner", t0.Add(30*time.Minute))
	if err := a.StageUpload(ctx, want, t0, 16); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := other.TakeStagedUpload(ctx, "s1", "someone else", t0); err != nil || ok {
		t.Fatalf("taken by another owner: %v %v", ok, err)
	}
	got, ok, err := other.TakeStagedUpload(ctx, "s1", "owner", t0.Add(time.Minute))
	if err != nil || !ok {
		t.Fatalf("take through another store: %v %v", ok, err)
	}
	if got.Dataset != want.Dataset || got.FileName != want.FileName || got.Format != want.Format ||
		!bytes.Equal(got.Data, want.Data) || !got.Expires.Equal(want.Expires) {
		t.Fatalf("took %+v, want %+v", got, want)
	}
	if _, ok, _ := a.TakeStagedUpload(ctx, "s1", "owner", t0); ok {
		t.Fatal("taken twice")
	}

	// Expired uploads are neither taken nor kept; beyond keep the oldest go.
	if err := a.StageUpload(ctx, staged("old", "owner", t0.Add(time.Minute)), t0, 16); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := a.TakeStagedUpload(ctx, "old", "owner", t0.Add(time.Minute)); ok {
		t.Fatal("expired upload taken")
	}
	for i, id := range []string{"a", "b", "c"} {
		if err := a.StageUpload(ctx, staged(id, "owner", t0.Add(time.Duration(10+i)*time.Minute)), t0.Add(2*time.Minute), 2); err != nil {
			t.Fatal(err)
		}
	}
	var left []string
	for _, id := range []string{"old", "a", "b", "c"} {
		if _, ok, err := a.TakeStagedUpload(ctx, id, "owner", t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		} else if ok {
			left = append(left, id)
		}
	}
	if len(left) != 2 || left[0] != "b" || left[1] != "c" {
		t.Fatalf("kept %v, want [b c]: expired and oldest purged", left)
	}
}

// testStagedUploads_oneTakeAcrossStores takes one staged upload through several
// stores at once, as replicas behind a load balancer would on a double click.
func testStagedUploads_oneTakeAcrossStores(t *testing.T, b Backend) {
	name := b.New(t)
	ctx := context.Background()
	stores := []Store{b.Open(t, name, NewClock().Now), b.Open(t, name, NewClock().Now), b.Open(t, name, NewClock().Now)}
	if err := stores[0].StageUpload(ctx, staged("once", "owner", t0.Add(time.Hour)), t0, 16); err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		takes int
	)
	for _, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := st.TakeStagedUpload(ctx, "once", "owner", t0)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				takes++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if takes != 1 {
		t.Fatalf("%d takes succeeded, want 1", takes)
	}
}

// testSaveVersion_onlyIfEmptySeedsOnce races seeds from several stores on one
// empty database: the write lock lets one store them.
func testSaveVersion_onlyIfEmptySeedsOnce(t *testing.T, b Backend) {
	name := b.New(t)
	ctx := context.Background()
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		saved     int
		conflicts int
	)
	for range 3 {
		st := b.Open(t, name, NewClock().Now)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.SaveVersion(ctx, indicators.NewVersion{Dataset: "seed", FileName: "seed.csv", File: bytes.NewReader([]byte("x")),
				OnlyIfEmpty: true, Report: &indicators.ImportReport{}}, sliceSource([]indicators.Observation{pop("RUS", 2020, 1)}))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				saved++
			case indicators.ErrorCode(err) == indicators.ECONFLICT:
				conflicts++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	st := b.Open(t, name, NewClock().Now)
	if v, err := st.DataVersion(ctx); err != nil || v != 1 || saved != 1 || conflicts != 2 {
		t.Fatalf("data version %d (%v), %d saved, %d conflicts; want 1, 1 saved, 2 conflicts", v, err, saved, conflicts)
	}
}

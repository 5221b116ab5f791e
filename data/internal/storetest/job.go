package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/clout-dev/clout/indicators"
)

func testJobRuns_roundTripAndSurviveReopen(t *testing.T, b Backend) {
	name := b.New(t)
	db := b.Open(t, name, NewClock().Now)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 6, 0, 0, 123456789, time.UTC)

	first := indicators.JobRun{Job: "wdi", Started: t0, Status: indicators.RunRunning, Attempt: 1}
	id, err := db.RecordJobRun(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	first.ID, first.Ended, first.Status, first.DataVersion = id, t0.Add(2*time.Second), indicators.RunOK, 7
	first.Report = &indicators.ImportReport{Dataset: "wdi", Observations: 42, Warnings: []indicators.ImportProblem{{Row: 3, Message: "overlap"}}}
	if err := db.UpdateJobRun(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := indicators.JobRun{Job: "wdi", Tick: t0.Add(time.Hour), Started: t0.Add(time.Hour + 250*time.Millisecond), Ended: t0.Add(time.Hour + time.Second),
		Status: indicators.RunFailed, Attempt: 3, Message: "HTTP 500"}
	if second.ID, err = db.RecordJobRun(ctx, second); err != nil {
		t.Fatal(err)
	}
	snap := indicators.JobRun{Job: "snapshots", Started: t0, Ended: t0, Status: indicators.RunSkipped, Attempt: 1}
	if snap.ID, err = db.RecordJobRun(ctx, snap); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = b.Open(t, name, NewClock().Now)
	runs, err := db.JobRuns(ctx, "wdi", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || !sameRun(runs[0], second) || !sameRun(runs[1], first) {
		t.Fatalf("JobRuns = %+v\nwant %+v, %+v", runs, second, first)
	}
	if r := runs[1].Report; r == nil || r.Observations != 42 || len(r.Warnings) != 1 {
		t.Errorf("report %+v", r)
	}
	if limited, _ := db.JobRuns(ctx, "wdi", 1); len(limited) != 1 || limited[0].ID != second.ID {
		t.Errorf("limit 1: %+v", limited)
	}
	last, err := db.LastJobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(last) != 2 || !sameRun(last["wdi"], second) || !sameRun(last["snapshots"], snap) {
		t.Errorf("LastJobRuns = %+v", last)
	}
	if err := db.UpdateJobRun(ctx, indicators.JobRun{ID: 999, Job: "x"}); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("update of unknown run: %v, want ENOTFOUND", err)
	}
	if _, err := db.RecordJobRun(ctx, indicators.JobRun{}); indicators.ErrorCode(err) != indicators.EINVALID {
		t.Errorf("run without job: %v, want EINVALID", err)
	}
}

func sameRun(a, b indicators.JobRun) bool {
	return a.ID == b.ID && a.Job == b.Job && a.Started.Equal(b.Started) && a.Ended.Equal(b.Ended) &&
		a.Status == b.Status && a.Attempt == b.Attempt && a.Message == b.Message && a.DataVersion == b.DataVersion &&
		a.Tick.Equal(b.Tick)
}

func testSettings(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	if v, ok, err := db.Setting(ctx, "admin_token_hash"); err != nil || ok || v != "" {
		t.Fatalf("missing setting: %q %v %v", v, ok, err)
	}
	for _, v := range []string{"first", "second", ""} {
		if err := db.SetSetting(ctx, "admin_token_hash", v); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := db.Setting(ctx, "admin_token_hash"); err != nil || !ok || got != v {
			t.Errorf("after set %q: %q %v %v", v, got, ok, err)
		}
	}
	if added, err := db.AddSetting(ctx, "admin_token_hash", "other"); err != nil || added {
		t.Errorf("AddSetting over a stored value: added %v, %v", added, err)
	}
	if added, err := db.AddSetting(ctx, "fresh", "one"); err != nil || !added {
		t.Errorf("AddSetting of a new key: added %v, %v", added, err)
	}
	if got, _, _ := db.Setting(ctx, "admin_token_hash"); got != "" {
		t.Errorf("AddSetting replaced a value: %q", got)
	}
	for range 2 { // deleting a missing key is no error
		if err := db.DeleteSetting(ctx, "admin_token_hash"); err != nil {
			t.Fatal(err)
		}
	}
	if v, ok, err := db.Setting(ctx, "admin_token_hash"); err != nil || ok {
		t.Errorf("after DeleteSetting: %q %v %v", v, ok, err)
	}
	if added, err := db.AddSetting(ctx, "admin_token_hash", "again"); err != nil || !added {
		t.Errorf("AddSetting after DeleteSetting: added %v, %v", added, err)
	}
	if got, _, _ := db.Setting(ctx, "fresh"); got != "one" {
		t.Errorf("DeleteSetting touched another key: %q", got)
	}
}

// A running run keeps its owner and heartbeat; another store (another replica)
// marks it interrupted only with the heartbeat it judged stale, so a heartbeat
// that arrives in between keeps it running.
func testJobRuns_interruptOnlyWhatWasJudged(t *testing.T, b Backend) {
	name := b.New(t)
	db, other := b.Open(t, name, NewClock().Now), b.Open(t, name, NewClock().Now)
	ctx := context.Background()
	h0 := time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)
	id, err := db.RecordJobRun(ctx, indicators.JobRun{Job: "wdi", Started: h0, Status: indicators.RunRunning, Attempt: 1,
		Owner: "host-a/42/7", Heartbeat: h0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordJobRun(ctx, indicators.JobRun{Job: "wdi", Started: h0, Ended: h0, Status: indicators.RunOK, Attempt: 1}); err != nil {
		t.Fatal(err)
	}
	running, err := other.RunningJobRuns(ctx)
	if err != nil || len(running) != 1 || running[0].ID != id || running[0].Owner != "host-a/42/7" || !running[0].Heartbeat.Equal(h0) {
		t.Fatalf("running runs %+v (%v), want run %d with its owner and heartbeat", running, err, id)
	}
	judged := running[0]
	if err := db.HeartbeatJobRun(ctx, id, h0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if marked, err := other.InterruptJobRun(ctx, judged, h0.Add(2*time.Minute), "interrupted: gone"); err != nil || marked {
		t.Fatalf("a run with a newer heartbeat was marked (%v, %v)", marked, err)
	}
	running, _ = other.RunningJobRuns(ctx)
	if len(running) != 1 || !running[0].Heartbeat.Equal(h0.Add(time.Minute)) {
		t.Fatalf("after the heartbeat: %+v", running)
	}
	if marked, err := other.InterruptJobRun(ctx, running[0], h0.Add(2*time.Minute), "interrupted: gone"); err != nil || !marked {
		t.Fatalf("the stale run was not marked (%v, %v)", marked, err)
	}
	if marked, _ := other.InterruptJobRun(ctx, running[0], h0.Add(3*time.Minute), "again"); marked {
		t.Error("an interrupted run was marked again")
	}
	runs, err := db.JobRuns(ctx, "wdi", 0)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v (%v)", runs, err)
	}
	if r := runs[1]; r.Status != indicators.RunInterrupted || r.Message != "interrupted: gone" || !r.Ended.Equal(h0.Add(2*time.Minute)) {
		t.Errorf("interrupted run %+v", r)
	}
	if err := db.HeartbeatJobRun(ctx, id, h0.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if running, _ := db.RunningJobRuns(ctx); len(running) != 0 {
		t.Errorf("a heartbeat revived an interrupted run: %+v", running)
	}
}

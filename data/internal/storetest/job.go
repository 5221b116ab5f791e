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
	second := indicators.JobRun{Job: "wdi", Started: t0.Add(time.Hour), Ended: t0.Add(time.Hour + time.Second),
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
		a.Status == b.Status && a.Attempt == b.Attempt && a.Message == b.Message && a.DataVersion == b.DataVersion
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

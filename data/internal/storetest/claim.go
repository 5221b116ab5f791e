package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/clout-dev/clout/indicators"
)

func judging(claim string, version int64, verdicts map[string]indicators.Verdict) indicators.ClaimJudging {
	j := indicators.ClaimJudging{Claim: claim, Definition: "d1", DataVersion: version,
		Verdicts: map[indicators.Period]indicators.Verdict{}, At: time.Date(2026, 3, 1, 0, 0, int(version), 0, time.UTC)}
	for p, v := range verdicts {
		per, err := indicators.ParsePeriod(p)
		if err != nil {
			panic(err)
		}
		j.Verdicts[per] = v
	}
	return j
}

func testClaims_judgingsRecordChangesOnce(t *testing.T, b Backend) {
	name := b.New(t)
	db := b.Open(t, name, NewClock().Now)
	other := b.Open(t, name, NewClock().Now) // a second process on the same database
	ctx := context.Background()
	const H, F, U = indicators.VerdictHolds, indicators.VerdictFails, indicators.VerdictUntestable

	rec, err := db.RecordJudging(ctx, judging("c", 1, map[string]indicators.Verdict{"2021": H, "2022": H}))
	if err != nil || !rec.Baseline || len(rec.Changes) != 0 {
		t.Fatalf("first judging = %+v, %v; want a baseline without changes", rec, err)
	}
	if rec, err = db.RecordJudging(ctx, judging("c", 1, map[string]indicators.Verdict{"2021": F})); err != nil || !rec.Stale {
		t.Fatalf("same data version again = %+v, %v; want stale", rec, err)
	}

	// Two processes judge data version 2 at once: the changes are recorded once.
	next := judging("c", 2, map[string]indicators.Verdict{"2021": H, "2022": F, "2023": U})
	var wg sync.WaitGroup
	recs := make([]indicators.ClaimRecording, 2)
	for i, s := range []Store{db, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if recs[i], err = s.RecordJudging(ctx, next); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(recs[0].Changes) + len(recs[1].Changes); n != 2 || recs[0].Stale == recs[1].Stale {
		t.Fatalf("concurrent judgings = %+v; want one recording 2 changes, one stale", recs)
	}
	got, err := db.ClaimChanges(ctx, "c", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []indicators.ClaimChange{{Period: indicators.Year(2023), Old: "", New: U}, {Period: indicators.Year(2022), Old: H, New: F}}
	if len(got) != len(want) {
		t.Fatalf("changes = %+v, want %+v", got, want)
	}
	for i, w := range want {
		g := got[i]
		if g.Period != w.Period || g.Old != w.Old || g.New != w.New || g.Claim != "c" || g.DataVersion != 2 || g.ID == 0 || !g.At.Equal(next.At) {
			t.Errorf("change %d = %+v, want %+v at data version 2", i, g, w)
		}
	}

	// A rollback removes 2023's figures; a new definition starts a new baseline.
	rec, err = db.RecordJudging(ctx, judging("c", 3, map[string]indicators.Verdict{"2021": H, "2022": F}))
	if err != nil || len(rec.Changes) != 1 || rec.Changes[0].Old != U || rec.Changes[0].New != "" {
		t.Fatalf("period gone = %+v, %v", rec, err)
	}
	redefined := judging("c", 4, map[string]indicators.Verdict{"2021": F})
	redefined.Definition = "d2"
	if rec, err = db.RecordJudging(ctx, redefined); err != nil || !rec.Baseline || len(rec.Changes) != 0 {
		t.Fatalf("new definition = %+v, %v; want a baseline", rec, err)
	}
	if _, err := db.RecordJudging(ctx, judging("other", 4, map[string]indicators.Verdict{"2020-04": H})); err != nil {
		t.Fatal(err)
	}

	all, _ := db.ClaimChanges(ctx, "", 0, 0)
	latest, _ := db.ClaimChanges(ctx, "", got[0].ID, 0)
	if len(all) != 3 || len(latest) != 1 || latest[0].Period != indicators.Year(2023) {
		t.Errorf("every change = %+v; after %d: %+v", all, got[0].ID, latest)
	}
	if one, _ := db.ClaimChanges(ctx, "c", 0, 1); len(one) != 1 || one[0].ID != all[0].ID {
		t.Errorf("limit 1 = %+v", one)
	}
	js, err := other.ClaimJudgings(ctx)
	if err != nil || len(js) != 2 || js["c"].DataVersion != 4 || js["c"].Definition != "d2" ||
		js["other"].Verdicts[indicators.Month(2020, 4)] != H {
		t.Errorf("judgings = %+v, %v", js, err)
	}
}

func testClaims_userClaims(t *testing.T, b Backend) {
	db := b.MustOpen(t)
	ctx := context.Background()
	if got, err := db.UserClaims(ctx); err != nil || len(got) != 0 {
		t.Fatalf("no user claims: %+v, %v", got, err)
	}
	c := indicators.BuiltinClaims()[0]
	c.ID = "mine"
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := db.SaveUserClaim(ctx, indicators.UserClaim{Claim: c, Who: "admin", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	err := db.SaveUserClaim(ctx, indicators.UserClaim{Claim: c, Who: "admin", CreatedAt: at})
	if indicators.ErrorCode(err) != indicators.ECONFLICT {
		t.Errorf("same id again: %v, want ECONFLICT", err)
	}
	got, err := db.UserClaims(ctx)
	if err != nil || len(got) != 1 {
		t.Fatalf("user claims = %+v, %v", got, err)
	}
	g := got[0]
	if g.Who != "admin" || !g.CreatedAt.Equal(at) || g.Claim.ID != "mine" || g.Claim.Test != c.Test ||
		g.Claim.Periods.String() != c.Periods.String() || g.Claim.Metric.Params["partners"] != "TUR,AZE" || len(g.Claim.Caveats) != len(c.Caveats) {
		t.Errorf("round trip = %+v\nwant %+v", g, c)
	}
}

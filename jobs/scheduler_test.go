package jobs_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/jobs"
)

const twoJobs = `
jobs:
  - name: pop
    schedule: "CRON_TZ=Europe/Moscow 0 6 * * *"
    import: {source: missing.csv, dataset: pop}
  - name: secret
    schedule: "@hourly"
    import: {source: "https://user:hunter2@example.org/x.csv", dataset: x}
  - name: weekly
    schedule: "0 7 * * MON"
    snapshot: {charts: [trade-share], formats: [csv], dir: out}
`

func TestJobsListsScheduleAndLastRun(t *testing.T) {
	snap := jobs.SnapshotterFunc(func(context.Context, string, indicators.Params, string) ([]byte, string, error) {
		return nil, "", indicators.Errorf(indicators.EINVALID, "not in this test")
	})
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), twoJobs, snap)
	st, err := h.sched.Jobs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	want := []struct {
		name, kind, words string
		next              time.Time
	}{
		{"pop", "import", "every day at 06:00 (Europe/Moscow)", time.Date(2026, 11, 26, 6, 0, 0, 0, moscow)},
		{"secret", "import", "every hour, on the hour", time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)},
		{"weekly", "snapshot", "every Monday at 07:00", time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)},
	}
	if len(st) != len(want) {
		t.Fatalf("Jobs() = %+v", st)
	}
	for i, w := range want {
		got := st[i]
		if got.Name != w.name || got.Kind != w.kind || got.Description != w.words || !got.Next.Equal(w.next) || got.Last != nil || got.Running {
			t.Errorf("Jobs()[%d] = %+v, want %s %s %q next %s, no last run", i, got, w.name, w.kind, w.words, w.next)
		}
	}
	if got := st[1].Import.Source; strings.Contains(got, "hunter2") {
		t.Errorf("Jobs() shows the password of %s", got)
	}
	h.run("pop")
	st, _ = h.sched.Jobs(context.Background())
	if st[0].Last == nil || st[0].Last.Status != indicators.RunFailed || !strings.Contains(st[0].Last.Message, "missing.csv: no such file") {
		t.Errorf("Jobs()[0].Last = %+v, want the failed run", st[0].Last)
	}
	if st[2].Last != nil {
		t.Errorf("Jobs()[2].Last = %+v, want none", st[1].Last)
	}
}

func TestUnknownJob(t *testing.T) {
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), twoJobs, jobs.SnapshotterFunc(nil))
	if _, err := h.sched.RunNow(context.Background(), "nope"); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("RunNow(nope): err = %v, want ENOTFOUND", err)
	}
	if _, err := h.sched.Runs(context.Background(), "nope", 10); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("Runs(nope): err = %v, want ENOTFOUND", err)
	}
}

func TestNewChecksDeps(t *testing.T) {
	cfg, err := jobs.ParseConfig([]byte(twoJobs))
	if err != nil {
		t.Fatal(err)
	}
	db := MustOpenDB(t, dbPath(t))
	snap := jobs.SnapshotterFunc(nil)
	tests := []struct {
		name string
		deps jobs.Deps
		want string
	}{
		{"no run store", jobs.Deps{Datasets: db, Importer: realImporter(db), Snapshotter: snap}, "Deps.Runs"},
		{"no importer", jobs.Deps{Runs: db, Datasets: db, Snapshotter: snap}, `job "pop" imports`},
		{"no snapshotter", jobs.Deps{Runs: db, Datasets: db, Importer: realImporter(db)}, `job "weekly" takes snapshots`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := jobs.New(cfg, tt.deps); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	// Metrics go to the registerer given, never the global one; a second scheduler
	// on the same registry is refused rather than silently sharing series.
	reg := prometheus.NewRegistry()
	deps := jobs.Deps{Runs: db, Datasets: db, Importer: realImporter(db), Snapshotter: snap, Registerer: reg}
	if _, err := jobs.New(cfg, deps); err != nil {
		t.Fatal(err)
	}
	mfs, _ := reg.Gather()
	if len(mfs) == 0 {
		t.Error("no metrics registered")
	}
	if _, err := jobs.New(cfg, deps); err == nil {
		t.Error("registering the metrics twice was accepted")
	}
}

// replicaLocks stands in for PostgreSQL advisory locks (not built yet): a lock
// table shared by "replicas".
type replicaLocks struct {
	mu   sync.Mutex
	held map[string]bool
}

func (l *replicaLocks) TryLock(_ context.Context, key string) (func(), bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[key] {
		return nil, false, nil
	}
	l.held[key] = true
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.held, key)
	}, true, nil
}

func TestLockerKeepsRunsOnOneReplica(t *testing.T) {
	db := MustOpenDB(t, dbPath(t))
	cfg, err := jobs.ParseConfig([]byte(twoJobs))
	if err != nil {
		t.Fatal(err)
	}
	locks := &replicaLocks{held: map[string]bool{}}
	s, err := jobs.New(cfg, jobs.Deps{Runs: db, Datasets: db, Importer: realImporter(db),
		Snapshotter: jobs.SnapshotterFunc(nil), Locker: locks, Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	unlock, _, _ := locks.TryLock(context.Background(), "clout-job:pop") // another replica runs pop
	r, err := s.RunNow(context.Background(), "pop")
	if err != nil || r.Status != indicators.RunSkipped || !strings.Contains(r.Message, "another replica") {
		t.Errorf("run while another replica holds the lock = %+v, %v; want skipped", r, err)
	}
	unlock()
	if r, _ := s.RunNow(context.Background(), "pop"); r.Status != indicators.RunFailed || r.Attempt != 1 {
		t.Errorf("run with the lock free = %s/%d %q, want the job to run (and fail: no file)", r.Status, r.Attempt, r.Message)
	}
	if len(locks.held) != 0 {
		t.Errorf("locks still held after the run: %v", locks.held)
	}
}

// skewedLocker is a replica whose clock runs late: it reaches the lock skew
// after the tick.
type skewedLocker struct {
	*replicaLocks
	skew time.Duration
}

func (l skewedLocker) TryLock(ctx context.Context, key string) (func(), bool, error) {
	time.Sleep(l.skew)
	return l.replicaLocks.TryLock(ctx, key)
}

// TestScheduledRunOncePerTickAcrossReplicas runs three schedulers, as three
// replicas, on one store and one lock table with a job every second that ends
// at once: every tick must run on exactly one of them, though the lock is free
// again before the late replicas reach it.
func TestScheduledRunOncePerTickAcrossReplicas(t *testing.T) {
	db := MustOpenDB(t, dbPath(t))
	cfg, err := jobs.ParseConfig([]byte(`
jobs:
  - name: tick
    schedule: "* * * * * *"
    snapshot: {charts: [trade-share], formats: [csv], dir: ` + t.TempDir() + `}
`))
	if err != nil {
		t.Fatal(err)
	}
	locks := &replicaLocks{held: map[string]bool{}}
	var (
		mu    sync.Mutex
		ticks = map[int64]int{} // second → runs
	)
	snap := jobs.SnapshotterFunc(func(context.Context, string, indicators.Params, string) ([]byte, string, error) {
		mu.Lock()
		ticks[time.Now().Unix()]++
		mu.Unlock()
		return []byte("x"), "csv", nil
	})
	var scheds []*jobs.Scheduler
	for i := range 3 {
		s, err := jobs.New(cfg, jobs.Deps{Runs: db, Datasets: db, Settings: db, Snapshotter: snap,
			Locker: skewedLocker{locks, time.Duration(i) * 150 * time.Millisecond}, Known: known, Logger: discard})
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	for _, s := range scheds {
		s.Start()
	}
	time.Sleep(3500 * time.Millisecond)
	for _, s := range scheds {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s.Stop(ctx)
		cancel()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ticks) < 2 {
		t.Fatalf("ran in %d seconds, want at least 2: %v", len(ticks), ticks)
	}
	for sec, n := range ticks {
		if n != 1 {
			t.Errorf("second %d ran %d times, want once: %v", sec, n, ticks)
		}
	}
}

package jobs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/jobs"
)

// A source over the upload limit is refused however large the job's max_size,
// and its download stops as soon as it passes the limit: a source that would
// send 1 GiB is read no further than the limit and the sockets' buffers, and
// nothing is left in the temporary directory.
func TestImportJobDownloadStopsAtTheUploadLimit(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := []byte(strings.Repeat("SP.POP.TOTL,RUS,,2020,1\n", 2730)) // 64 KiB
		for sent.Load() < 1<<30 {
			n, err := w.Write(line)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	url := srv.URL + "/huge.csv"
	db := MustOpenDB(t, dbPath(t))
	cfg, err := jobs.ParseConfig([]byte(`
jobs:
  - name: huge
    schedule: "@yearly"
    retries: 0
    import: {source: "` + url + `", dataset: huge, max_size: 4GiB}
`))
	if err != nil {
		t.Fatal(err)
	}
	const limit = 1 << 20
	s, err := jobs.New(cfg, jobs.Deps{Runs: db, Datasets: db, Importer: realImporter(db), Known: known,
		Logger: discard, MaxSize: limit})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.RunNow(context.Background(), "huge")
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != indicators.RunFailed {
		t.Fatalf("run %+v, want failed", run)
	}
	for _, want := range []string{"job huge", "GET " + url, "larger than the limit of 1048576 bytes (1.0 MiB)", "stopped there"} {
		if !strings.Contains(run.Message, want) {
			t.Errorf("message %q lacks %q", run.Message, want)
		}
	}
	if n := sent.Load(); n > 64<<20 {
		t.Errorf("the source sent %d MiB before the job stopped reading, want little more than the 1 MiB limit", n>>20)
	}
	if _, err := db.Dataset(context.Background(), "huge"); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("the refused source left a dataset: %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// Runs left "running" by processes that died are marked interrupted when the
// scheduler starts; runs of live processes are left alone.
func TestStartMarksRunsOfDeadProcessesInterrupted(t *testing.T) {
	db := MustOpenDB(t, dbPath(t))
	ctx := context.Background()
	host, _ := os.Hostname()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("no `true` to make a dead pid: %v", err)
	}
	const lease = time.Minute
	now := time.Now()
	record := func(owner string, heartbeat time.Time) int64 {
		t.Helper()
		id, err := db.RecordJobRun(ctx, indicators.JobRun{Job: "pop", Started: testNow, Status: indicators.RunRunning,
			Attempt: 1, Owner: owner, Heartbeat: heartbeat})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	self := strconv.Itoa(os.Getpid())
	parent := strconv.Itoa(os.Getppid())
	want := map[int64]string{
		record(host+"/"+strconv.Itoa(dead.Process.Pid)+"/1", now):                    indicators.RunInterrupted, // its process is gone
		record(host+"/"+self+"/an-earlier-process", now):                             indicators.RunInterrupted, // same pid, another process (a restarted container)
		record(host+"/"+parent+"/"+processStart(t, os.Getppid()), now.Add(-2*lease)): indicators.RunRunning,     // a live process of this host
		record("replica-b/1/x", now):                                                 indicators.RunRunning,     // another host's, reporting
		record("replica-c/1/y", now.Add(-2*lease)):                                   indicators.RunInterrupted, // another host's, silent past the lease
		record("", testNow): indicators.RunInterrupted, // recorded before owners, long ago
	}
	cfg, err := jobs.ParseConfig([]byte(importConfig("/nonexistent.csv", "")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jobs.New(cfg, jobs.Deps{Runs: db, Datasets: db, Importer: realImporter(db), Known: known,
		Logger: discard, RunLease: lease})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop(ctx)
	runs, err := db.JobRuns(ctx, "pop", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Status != want[r.ID] {
			t.Errorf("run %d of %q: %s (%q), want %s", r.ID, r.Owner, r.Status, r.Message, want[r.ID])
		}
		if r.Status == indicators.RunInterrupted && (!strings.HasPrefix(r.Message, "interrupted: its process") || r.Ended.IsZero()) {
			t.Errorf("run %d: message %q, ended %v", r.ID, r.Message, r.Ended)
		}
	}
	// The interrupted runs show as such in the jobs' status.
	list, err := s.Jobs(ctx)
	if err != nil || len(list) != 1 || list[0].Last == nil || list[0].Last.Status != indicators.RunInterrupted {
		t.Errorf("jobs status %+v (%v), want the last run interrupted", list, err)
	}
}

// A run of this process sends heartbeats while it runs, so other processes
// see it alive; it ends with its own status.
func TestRunSendsHeartbeats(t *testing.T) {
	src := &source{body: tidyCSV(1, 2), block: make(chan struct{}), started: make(chan struct{}, 1)}
	db := MustOpenDB(t, dbPath(t))
	cfg, err := jobs.ParseConfig([]byte(importConfig(startSource(t, src), "timeout: 1m")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jobs.New(cfg, jobs.Deps{Runs: db, Datasets: db, Importer: realImporter(db), Known: known,
		Logger: discard, RunLease: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan indicators.JobRun, 1)
	go func() {
		r, _ := s.RunNow(context.Background(), "pop")
		done <- r
	}()
	<-src.started
	running := func() indicators.JobRun {
		t.Helper()
		rs, err := db.RunningJobRuns(context.Background())
		if err != nil || len(rs) != 1 {
			t.Fatalf("running runs %+v (%v), want one", rs, err)
		}
		return rs[0]
	}
	first := running()
	if first.Owner == "" || first.Heartbeat.IsZero() {
		t.Fatalf("the running run names no owner or heartbeat: %+v", first)
	}
	time.Sleep(300 * time.Millisecond)
	if later := running(); !later.Heartbeat.After(first.Heartbeat) {
		t.Errorf("no heartbeat in 300 ms with a 250 ms lease: %v then %v", first.Heartbeat, later.Heartbeat)
	}
	close(src.block)
	if r := <-done; r.Status != indicators.RunOK {
		t.Errorf("run %+v, want ok", r)
	}
}

// processStart is the start time of process pid as /proc gives it (field 22 of
// its stat), or "" where there is no /proc.
func processStart(t *testing.T, pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return fields[19]
}

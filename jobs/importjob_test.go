package jobs_test

import (
	"cmp"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// source is an httptest file server whose answers the tests change between runs.
type source struct {
	mu       sync.Mutex
	body     []byte
	etag     string
	modified string
	fail     []int         // statuses to answer, one per request, before serving normally
	stream   bool          // no Content-Length: the size is only known while reading
	block    chan struct{} // if set, requests wait for it to close (or for the client to give up)
	started  chan struct{} // if set, gets a value when a request arrives
	headers  []http.Header // the requests' headers
}

func (s *source) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.headers = append(s.headers, r.Header.Clone())
	block, started := s.block, s.started
	s.mu.Unlock()
	if started != nil {
		started <- struct{}{}
	}
	if block != nil {
		select {
		case <-block:
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fail) > 0 {
		code := s.fail[0]
		s.fail = s.fail[1:]
		http.Error(w, http.StatusText(code), code)
		return
	}
	if s.etag != "" {
		w.Header().Set("ETag", s.etag)
	}
	if s.modified != "" {
		w.Header().Set("Last-Modified", s.modified)
	}
	if s.etag != "" && r.Header.Get("If-None-Match") == s.etag ||
		s.modified != "" && r.Header.Get("If-Modified-Since") == s.modified {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if s.stream {
		w.WriteHeader(http.StatusOK)
		for i := 0; i < len(s.body); i += 512 {
			w.Write(s.body[i:min(i+512, len(s.body))])
			w.(http.Flusher).Flush()
		}
		return
	}
	w.Write(s.body)
}

func (s *source) set(fn func(s *source)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

func (s *source) lastHeader(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers[len(s.headers)-1].Get(name)
}

func startSource(tb testing.TB, s *source) string {
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	return srv.URL + "/data/pop.csv"
}

func importConfig(url, extra string) string {
	return `
jobs:
  - name: pop
    schedule: "0 6 * * *"
    ` + extra + `
    import: {source: "` + url + `", dataset: pop, max_size: 1KiB}
`
}

func TestImportFromHTTP(t *testing.T) {
	src := &source{body: tidyCSV(144, 85, 10), etag: `"v1"`}
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), importConfig(startSource(t, src), ""), nil)
	steps := []struct {
		name         string
		change       func(s *source)
		wantStatus   string
		wantVersions int
		wantHeader   [2]string // request header sent, and its value
		wantMessage  string
	}{
		{"first fetch imports", nil, indicators.RunOK, 1, [2]string{"If-None-Match", ""}, "imported pop.csv as version 1 of pop: 3 observations"},
		{"304 is unchanged", nil, indicators.RunUnchanged, 1, [2]string{"If-None-Match", `"v1"`}, "HTTP 304"},
		{"same bytes under a new ETag is unchanged", func(s *source) { s.etag = `"v1b"` }, indicators.RunUnchanged, 1, [2]string{"If-None-Match", `"v1"`}, "identical to version 1"},
		{"changed bytes make a new version", func(s *source) { s.etag, s.body = `"v2"`, tidyCSV(145, 86, 11) }, indicators.RunOK, 2, [2]string{"If-None-Match", `"v1b"`}, "as version 2"},
		{"Last-Modified only: same bytes", func(s *source) { s.etag, s.modified = "", "Tue, 24 Nov 2026 08:00:00 GMT" }, indicators.RunUnchanged, 2, [2]string{"If-Modified-Since", ""}, "identical to version 2"},
		{"Last-Modified only: 304", nil, indicators.RunUnchanged, 2, [2]string{"If-Modified-Since", "Tue, 24 Nov 2026 08:00:00 GMT"}, "HTTP 304"},
	}
	var lastVersion int64
	for _, st := range steps {
		if st.change != nil {
			src.set(st.change)
		}
		r := h.run("pop")
		if r.Status != st.wantStatus || !strings.Contains(r.Message, st.wantMessage) {
			t.Errorf("%s: run = %s %q, want %s containing %q", st.name, r.Status, r.Message, st.wantStatus, st.wantMessage)
		}
		if got := src.lastHeader(st.wantHeader[0]); got != st.wantHeader[1] {
			t.Errorf("%s: request %s = %q, want %q", st.name, st.wantHeader[0], got, st.wantHeader[1])
		}
		if got := h.versions("pop"); got != st.wantVersions {
			t.Errorf("%s: %d versions, want %d", st.name, got, st.wantVersions)
		}
		if r.DataVersion == 0 || st.wantStatus == indicators.RunUnchanged && r.DataVersion != lastVersion {
			t.Errorf("%s: data version %d (before: %d)", st.name, r.DataVersion, lastVersion)
		}
		lastVersion = r.DataVersion
	}
	if got := h.changed.Load(); got != 2 {
		t.Errorf("DataChanged called %d times, want 2 (once per new version)", got)
	}
	// The history holds every run with its report; the runs are also counted.
	runs := h.runs("pop")
	if got, want := statuses(runs), "ok/1 unchanged/1 unchanged/1 ok/1 unchanged/1 unchanged/1"; got != want {
		t.Errorf("history = %s, want %s", got, want)
	}
	if rep := runs[2].Report; rep == nil || rep.Version != 2 || rep.Observations != 3 {
		t.Errorf("report of the second import = %+v", rep)
	}
	if got := h.metric("clout_job_runs_total", map[string]string{"job": "pop", "status": "unchanged"}); got != 4 {
		t.Errorf("clout_job_runs_total{unchanged} = %g, want 4", got)
	}
	if got := h.metric("clout_job_last_success_timestamp_seconds", map[string]string{"job": "pop"}); got != float64(testNow.Unix()) {
		t.Errorf("last success = %g, want %d", got, testNow.Unix())
	}
}

func TestImportFailuresChangeNothing(t *testing.T) {
	tests := []struct {
		name        string
		change      func(s *source)
		wantHistory string // this job's attempts, oldest first
		wantSleeps  []time.Duration
		wantMessage string
		wantReport  bool // the last run carries an import report
		timeout     string
	}{
		{"500 retried then failed", func(s *source) { s.fail = []int{500, 502, 503} },
			"failed/1 failed/2 failed/3", []time.Duration{time.Second, 2 * time.Second}, "503 Service Unavailable", false, ""},
		{"500 then success on retry", func(s *source) { s.fail = []int{500}; s.body = tidyCSV(1, 2, 3) },
			"failed/1 ok/2", []time.Duration{time.Second}, "imported", true, ""},
		{"timeout retried then failed", func(s *source) { s.block = make(chan struct{}) },
			"failed/1 failed/2 failed/3", []time.Duration{time.Second, 2 * time.Second}, "timed out after 300ms", false, "300ms"},
		{"404 is not retried", func(s *source) { s.fail = []int{404} },
			"failed/1", nil, "404 Not Found", false, ""},
		{"body over the size limit", func(s *source) { s.body = tidyCSV(1, 2, 3); s.body = append(s.body, make([]byte, 2048)...) },
			"failed/1", nil, "larger than the limit of 1024 bytes", false, ""},
		{"streamed body over the size limit", func(s *source) {
			s.stream, s.body = true, []byte(strings.Repeat("SP.POP.TOTL,RUS,2023,1\n", 100))
		}, "failed/1", nil, "larger than the limit of 1024 bytes", false, ""},
		{"invalid file is not retried", func(s *source) { s.body = []byte("indicator,country,period,value\nSP.POP.TOTL,Atlantis,2023,abc\n") },
			"failed/1", nil, "import pop.csv into pop", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &source{body: tidyCSV(144, 85, 10)}
			url := startSource(t, src)
			h := MustScheduler(t, MustOpenDB(t, dbPath(t)), `
jobs:
  - name: seed
    schedule: "@daily"
    import: {source: "`+url+`", dataset: pop}
  - name: pop
    schedule: "0 6 * * *"
    timeout: `+cmp.Or(tt.timeout, "30s")+`
    retries: 2
    backoff: 1s
    import: {source: "`+url+`", dataset: pop, max_size: 1KiB}
`, nil)
			seed := h.run("seed")
			if seed.Status != indicators.RunOK {
				t.Fatalf("seed run = %+v", seed)
			}
			src.set(tt.change)
			r := h.run("pop")
			if !strings.Contains(r.Message, tt.wantMessage) {
				t.Errorf("message = %q, want it to contain %q", r.Message, tt.wantMessage)
			}
			if got := statuses(h.runs("pop")); got != tt.wantHistory {
				t.Errorf("history = %s, want %s", got, tt.wantHistory)
			}
			if got := h.sleeps.all(); !equalDurations(got, tt.wantSleeps) {
				t.Errorf("backoff waits = %v, want %v", got, tt.wantSleeps)
			}
			if (r.Report != nil) != tt.wantReport {
				t.Errorf("report = %+v, want one: %v", r.Report, tt.wantReport)
			}
			wantVersions := 1
			if r.Status == indicators.RunOK {
				wantVersions = 2
			} else if r.Status != indicators.RunFailed {
				t.Errorf("status = %s, want failed", r.Status)
			}
			if got := h.versions("pop"); got != wantVersions {
				t.Errorf("%d versions, want %d", got, wantVersions)
			}
			if r.Status == indicators.RunFailed {
				if got := h.metric("clout_job_runs_total", map[string]string{"job": "pop", "status": "failed"}); got != 1 {
					t.Errorf("clout_job_runs_total{failed} = %g, want 1 (one run, however many attempts)", got)
				}
				if got := h.metric("clout_job_last_success_timestamp_seconds", map[string]string{"job": "pop"}); got != 0 {
					t.Errorf("a failed run set the last success time to %g", got)
				}
			}
			src.set(func(s *source) {
				if s.block != nil {
					close(s.block)
				}
			})
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestImportFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pop.csv")
	if err := os.WriteFile(path, tidyCSV(144, 85), 0o644); err != nil {
		t.Fatal(err)
	}
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), importConfig(path, "retries: 3"), nil)
	steps := []struct {
		name         string
		change       func()
		wantStatus   string
		wantVersions int
		wantMessage  string
	}{
		{"first read imports", nil, indicators.RunOK, 1, "imported pop.csv as version 1"},
		{"same file is unchanged", nil, indicators.RunUnchanged, 1, "identical to version 1"},
		{"changed file imports", func() { os.WriteFile(path, tidyCSV(145, 86), 0o644) }, indicators.RunOK, 2, "as version 2"},
		{"missing file fails at once", func() { os.Remove(path) }, indicators.RunFailed, 2, "source " + path + ": no such file"},
	}
	for _, st := range steps {
		if st.change != nil {
			st.change()
		}
		r := h.run("pop")
		if r.Status != st.wantStatus || !strings.Contains(r.Message, st.wantMessage) || r.Attempt != 1 {
			t.Errorf("%s: run = %s/%d %q, want %s/1 containing %q", st.name, r.Status, r.Attempt, r.Message, st.wantStatus, st.wantMessage)
		}
		if got := h.versions("pop"); got != st.wantVersions {
			t.Errorf("%s: %d versions, want %d", st.name, got, st.wantVersions)
		}
	}
	if len(h.sleeps.all()) != 0 {
		t.Errorf("a missing file was retried: waits %v", h.sleeps.all())
	}
}

func TestOverlappingRunIsSkipped(t *testing.T) {
	src := &source{body: tidyCSV(1, 2), block: make(chan struct{}), started: make(chan struct{}, 1)}
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), importConfig(startSource(t, src), "timeout: 1m"), nil)
	first := make(chan indicators.JobRun)
	go func() {
		r, _ := h.sched.RunNow(context.Background(), "pop")
		first <- r
	}()
	<-src.started // the first run is now fetching
	jobs, err := h.sched.Jobs(context.Background())
	if err != nil || !jobs[0].Running {
		t.Errorf("Jobs() = %+v, %v; want pop running", jobs, err)
	}
	second := h.run("pop")
	if second.Status != indicators.RunSkipped || !strings.Contains(second.Message, "still in progress") {
		t.Errorf("overlapping run = %s %q, want skipped", second.Status, second.Message)
	}
	close(src.block)
	if r := <-first; r.Status != indicators.RunOK {
		t.Errorf("first run = %s %q, want ok", r.Status, r.Message)
	}
	if got := statuses(h.runs("pop")); got != "ok/1 skipped/0" {
		t.Errorf("history = %s, want ok/1 skipped/0", got)
	}
	if got := h.metric("clout_job_runs_total", map[string]string{"job": "pop", "status": "skipped"}); got != 1 {
		t.Errorf("clout_job_runs_total{skipped} = %g, want 1", got)
	}
}

// TestScheduledOverlapIsSkipped runs the real cron loop every second with a run
// that outlasts the next tick, which cron's SkipIfStillRunning skips and records.
func TestScheduledOverlapIsSkipped(t *testing.T) {
	src := &source{body: tidyCSV(1, 2), block: make(chan struct{})}
	cfg := strings.Replace(importConfig(startSource(t, src), "timeout: 1m"), `"0 6 * * *"`, `"* * * * * *"`, 1)
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), cfg, nil)
	h.sched.Start()
	waitFor(t, 10*time.Second, func() bool { return strings.Contains(statuses(h.runs("pop")), "skipped/0") })
	close(src.block)
	waitFor(t, 10*time.Second, func() bool { return strings.Contains(statuses(h.runs("pop")), "ok/1") })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.sched.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if got := statuses(h.runs("pop")); !strings.HasPrefix(got, "ok/1 skipped/0") {
		t.Errorf("history = %s, want the first run ok and the next tick skipped", got)
	}
}

func waitFor(tb testing.TB, limit time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("condition not met within %s", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStopCancelsRunningJobs(t *testing.T) {
	src := &source{body: tidyCSV(1, 2), block: make(chan struct{}), started: make(chan struct{}, 1)}
	h := MustScheduler(t, MustOpenDB(t, dbPath(t)), importConfig(startSource(t, src), "timeout: 1m"), nil)
	done := make(chan indicators.JobRun)
	go func() {
		r, _ := h.sched.RunNow(context.Background(), "pop")
		done <- r
	}()
	<-src.started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := h.sched.Stop(ctx); err != context.DeadlineExceeded {
		t.Errorf("Stop = %v, want %v", err, context.DeadlineExceeded)
	}
	r := <-done
	if r.Status != indicators.RunFailed || !strings.Contains(r.Message, "context canceled") {
		t.Errorf("cancelled run = %s %q, want failed", r.Status, r.Message)
	}
	if got := statuses(h.runs("pop")); got != "failed/1" {
		t.Errorf("history = %s, want failed/1 (not retried while stopping)", got)
	}
	if got := h.versions("pop"); got != 0 {
		t.Errorf("a cancelled import left %d versions", got)
	}
	if _, err := h.sched.RunNow(context.Background(), "pop"); indicators.ErrorCode(err) != indicators.ECONFLICT {
		t.Errorf("RunNow after Stop: err = %v, want ECONFLICT", err)
	}
}

func TestHistorySurvivesRestart(t *testing.T) {
	src := &source{body: tidyCSV(1, 2), etag: `"v1"`}
	path := dbPath(t)
	url := startSource(t, src)
	db := MustOpenDB(t, path)
	h := MustScheduler(t, db, importConfig(url, ""), nil)
	if r := h.run("pop"); r.Status != indicators.RunOK {
		t.Fatalf("run = %+v", r)
	}
	if err := h.sched.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	h = MustScheduler(t, MustOpenDB(t, path), importConfig(url, ""), nil)
	r := h.run("pop")
	if r.Status != indicators.RunUnchanged || src.lastHeader("If-None-Match") != `"v1"` {
		t.Errorf("after restart: run = %s %q with If-None-Match %q; want a conditional request answered 304",
			r.Status, r.Message, src.lastHeader("If-None-Match"))
	}
	if got := statuses(h.runs("pop")); got != "ok/1 unchanged/1" {
		t.Errorf("history after restart = %s, want ok/1 unchanged/1", got)
	}
	st, err := h.sched.Jobs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st[0].Last == nil || st[0].Last.Status != indicators.RunUnchanged {
		t.Errorf("Jobs()[0].Last = %+v, want the unchanged run", st[0].Last)
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// The multi-replica test starts three `clout serve` processes, built from this
// package, on one empty PostgreSQL database, as a load balancer would see them,
// and checks that any replica can serve any request. It needs a PostgreSQL server
// (CLOUT_TEST_POSTGRES; .ci/postgres.sh starts one) and runs on loopback only.

const replicaAdminToken = "replica-test-admin-token-0123456789"

// replicaVersionTTL is how long a replica may show an older data version: the
// chart service's VersionTTL (1s) plus room for a loaded CI machine.
const replicaVersionTTL = 3 * time.Second

func TestReplicas(t *testing.T) {
	dsn := os.Getenv("CLOUT_TEST_POSTGRES")
	if dsn == "" && os.Getenv("CLOUT_REQUIRE_POSTGRES") != "" {
		t.Fatal("CLOUT_REQUIRE_POSTGRES is set but CLOUT_TEST_POSTGRES is not: the multi-replica test must run here")
	}
	if dsn == "" {
		t.Skip("CLOUT_TEST_POSTGRES is not set (eval \"$(bash .ci/postgres.sh)\" starts a server); skipping the multi-replica test")
	}
	if testing.Short() {
		t.Skip("builds and starts three servers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	dir := t.TempDir()
	bin := buildClout(t, ctx, dir)
	db := freshDatabase(t, dsn)
	config := filepath.Join(dir, "clout.yaml")
	writeFile(t, config, fmt.Sprintf(`jobs:
  - name: tick
    schedule: "* * * * * *"
    snapshot: {charts: [trade-share], formats: [csv], dir: %s, keep: 2}
`, filepath.Join(dir, "snapshots")))

	// Three replicas started together on the empty database.
	var reps []*replica
	for _, name := range []string{"A", "B", "C"} {
		reps = append(reps, startReplica(t, ctx, bin, name, db.dsn, config))
	}
	for _, r := range reps {
		r.waitHealthy(t, ctx)
	}
	a, b, c := reps[0], reps[1], reps[2]

	t.Run("seed imported once", func(t *testing.T) {
		var ds struct {
			Versions []struct {
				Version     int   `json:"version"`
				DataVersion int64 `json:"data_version"`
			} `json:"versions"`
		}
		b.getJSON(t, "/api/datasets/seed", &ds)
		if len(ds.Versions) != 1 || ds.Versions[0].Version != 1 || ds.Versions[0].DataVersion != 1 {
			t.Fatalf("seed versions %+v, want one: version 1 at data version 1", ds.Versions)
		}
		if n := db.count(t, `SELECT COUNT(*) FROM versions`); n != 1 {
			t.Fatalf("%d versions stored after three first starts, want 1", n)
		}
	})

	// A session opened on A, with the CSRF cookie A issued, writes through B and C.
	sess := a.login(t)
	var dataVersion int64

	t.Run("login on A, upload through B", func(t *testing.T) {
		rep := b.upload(t, sess, map[string]string{"dataset": "replica-pop"}, replicaCSV("1000"))
		if rep.status != http.StatusOK || rep.Version != 1 || rep.DataVersion < 2 {
			t.Fatalf("upload through B with A's session: %d %+v", rep.status, rep)
		}
		dataVersion = rep.DataVersion
	})

	t.Run("dry run on B, import through C", func(t *testing.T) {
		dry := b.upload(t, sess, map[string]string{"dataset": "replica-pop", "dry_run": "true"}, replicaCSV("2000"))
		if dry.status != http.StatusOK || dry.Stage == "" || dry.Version != 0 {
			t.Fatalf("dry run on B: %d %+v", dry.status, dry)
		}
		done := c.upload(t, sess, map[string]string{"stage": dry.Stage}, nil)
		if done.status != http.StatusOK || done.Version != 2 || done.DataVersion <= dataVersion {
			t.Fatalf("import of B's dry run through C: %d %+v", done.status, done)
		}
		dataVersion = done.DataVersion
		if again := a.upload(t, sess, map[string]string{"stage": dry.Stage}, nil); again.status != http.StatusNotFound {
			t.Fatalf("the staged file imported twice (through A): %d", again.status)
		}
	})

	t.Run("every replica shows the new data version within its cache lifetime", func(t *testing.T) {
		for _, r := range reps {
			if took := r.waitDataVersion(t, ctx, dataVersion); took > replicaVersionTTL {
				t.Errorf("replica %s showed data version %d after %s", r.name, dataVersion, took)
			}
			var chart struct {
				Latest int64 `json:"latest_data_version"`
			}
			r.getJSON(t, "/api/charts/trade-share", &chart)
			if chart.Latest != dataVersion {
				t.Errorf("replica %s charts data version %d, want %d", r.name, chart.Latest, dataVersion)
			}
		}
	})

	t.Run("a scheduled job runs once per tick across the replicas", func(t *testing.T) {
		runs := db.waitJobRuns(t, ctx, 3)
		checkOncePerTick(t, runs)
	})

	t.Run("kill -9 one replica mid-request and the others keep serving", func(t *testing.T) {
		inFlight := a.slowUpload(t, sess)
		time.Sleep(200 * time.Millisecond) // the request is being read by A
		a.kill(t)
		if err := <-inFlight; err == nil {
			t.Error("the request in flight on the killed replica succeeded")
		}
		killed := time.Now()
		for _, r := range []*replica{b, c} {
			if got := r.status(t, "/"); got != http.StatusOK {
				t.Errorf("replica %s after the kill: GET / %d", r.name, got)
			}
		}
		rep := c.upload(t, sess, map[string]string{"dataset": "replica-pop"}, replicaCSV("3000"))
		if rep.status != http.StatusOK || rep.DataVersion <= dataVersion {
			t.Fatalf("upload through C after the kill: %d %+v", rep.status, rep)
		}
		if took := b.waitDataVersion(t, ctx, rep.DataVersion); took > replicaVersionTTL {
			t.Errorf("replica B showed data version %d after %s", rep.DataVersion, took)
		}
		// The job goes on on the survivors, still once per tick.
		deadline := time.Now().Add(10 * time.Second)
		for {
			runs := db.jobRuns(t)
			if len(runs) > 0 && runs[len(runs)-1].After(killed.Add(time.Second)) {
				checkOncePerTick(t, runs)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no job run after the kill: %v", runs)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
}

// buildClout builds the clout binary into dir.
func buildClout(t *testing.T, ctx context.Context, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "clout")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// testDB is a throwaway PostgreSQL database, dropped when the test ends.
type testDB struct {
	dsn string
	db  *sql.DB
}

// freshDatabase creates an empty database on the server of dsn.
func freshDatabase(t *testing.T, dsn string) *testDB {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "clout_replicas_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("CLOUT_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		defer admin.Close()
		if _, err := admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return &testDB{dsn: u.String(), db: db}
}

func (d *testDB) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	if err := d.db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// jobRuns returns the scheduled ticks of the tick job's runs, oldest first.
func (d *testDB) jobRuns(t *testing.T) []time.Time {
	t.Helper()
	rows, err := d.db.Query(`SELECT tick FROM job_runs WHERE job = 'tick' AND tick <> '' ORDER BY started`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, at)
	}
	return out
}

// waitJobRuns waits until the tick job has run n times.
func (d *testDB) waitJobRuns(t *testing.T, ctx context.Context, n int) []time.Time {
	t.Helper()
	for {
		runs := d.jobRuns(t)
		if len(runs) >= n {
			return runs
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the job ran %d times, want %d", len(runs), n)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// checkOncePerTick fails if two runs of the every-second job are for the same
// scheduled tick: each replica's cron fires every tick, and only one may run it.
func checkOncePerTick(t *testing.T, ticks []time.Time) {
	t.Helper()
	seen := map[int64]int{}
	for i, tick := range ticks {
		if j, ok := seen[tick.UnixNano()]; ok {
			t.Errorf("runs %d and %d are both for the tick of %s: one tick ran twice (%v)", j, i, tick.Format(time.RFC3339), ticks)
		}
		seen[tick.UnixNano()] = i
	}
}

// replica is one running `clout serve`.
type replica struct {
	name string
	base string
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
}

// syncBuffer collects a process's output for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startReplica starts `clout serve` on a free loopback port.
func startReplica(t *testing.T, ctx context.Context, bin, name, dsn, config string) *replica {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := &replica{name: name, base: "http://" + addr, log: &syncBuffer{}, done: make(chan struct{})}
	r.cmd = exec.CommandContext(ctx, bin, "serve", "--addr", addr)
	r.cmd.Env = append(os.Environ(), "CLOUT_DB="+dsn, "CLOUT_CONFIG="+config, "CLOUT_ADMIN_TOKEN="+replicaAdminToken)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start replica %s: %v", name, err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		r.cmd.Process.Kill()
		<-r.done
		if t.Failed() {
			t.Logf("replica %s log:\n%s", name, r.log)
		}
	})
	return r
}

func (r *replica) waitHealthy(t *testing.T, ctx context.Context) {
	t.Helper()
	for {
		res, err := http.Get(r.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-r.done:
			t.Fatalf("replica %s exited: %v\n%s", r.name, r.cmd.ProcessState, r.log)
		case <-ctx.Done():
			t.Fatalf("replica %s never became healthy:\n%s", r.name, r.log)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitDataVersion polls /healthz until the replica shows want, and returns how
// long that took.
func (r *replica) waitDataVersion(t *testing.T, ctx context.Context, want int64) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		var h struct {
			DataVersion int64 `json:"data_version"`
		}
		r.getJSON(t, "/healthz", &h)
		if h.DataVersion >= want {
			return time.Since(start)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("replica %s stuck at data version %d, want %d", r.name, h.DataVersion, want)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (r *replica) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	res, err := http.Get(r.base + path)
	if err != nil {
		t.Fatalf("replica %s: GET %s: %v", r.name, path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("replica %s: GET %s: %d %s", r.name, path, res.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("replica %s: GET %s: %v", r.name, path, err)
	}
}

func (r *replica) status(t *testing.T, path string) int {
	t.Helper()
	res, err := http.Get(r.base + path)
	if err != nil {
		t.Fatalf("replica %s: GET %s: %v", r.name, path, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// browser is a logged-in browser: its session and CSRF cookies.
type browser struct {
	cookies []*http.Cookie
	csrf    string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// login opens a session on r with the admin token, as a browser would.
func (r *replica) login(t *testing.T) browser {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(r.base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field on %s's login page", r.name)
	}
	br := browser{cookies: res.Cookies(), csrf: string(m[1])}
	form := url.Values{"token": {replicaAdminToken}, "_csrf": {br.csrf}}
	req, _ := http.NewRequest(http.MethodPost, r.base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range br.cookies {
		req.AddCookie(ck)
	}
	res, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login on %s: %d", r.name, res.StatusCode)
	}
	br.cookies = append(br.cookies, res.Cookies()...)
	// The session has its own CSRF token: read it from a page, as a browser does.
	req, _ = http.NewRequest(http.MethodGet, r.base+"/upload", nil)
	for _, ck := range br.cookies {
		req.AddCookie(ck)
	}
	if res, err = noRedirect.Do(req); err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if m = csrfField.FindSubmatch(page); m == nil {
		t.Fatalf("no CSRF field on %s's upload page after login: %d", r.name, res.StatusCode)
	}
	br.csrf = string(m[1])
	return br
}

// importResult is an answer of POST /api/imports.
type importResult struct {
	status      int
	Version     int    `json:"version"`
	DataVersion int64  `json:"data_version"`
	Stage       string `json:"stage"`
}

// upload posts an import form (with file when not nil) to r as browser br.
func (r *replica) upload(t *testing.T, br browser, fields map[string]string, file []byte) importResult {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if file != nil {
		part, _ := w.CreateFormFile("file", "replica-pop.csv")
		part.Write(file)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, r.base+"/api/imports", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-CSRF-Token", br.csrf)
	for _, ck := range br.cookies {
		req.AddCookie(ck)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("replica %s: upload: %v", r.name, err)
	}
	defer res.Body.Close()
	out := importResult{status: res.StatusCode}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("replica %s: upload answer %s: %v", r.name, b, err)
		}
	} else {
		t.Logf("replica %s: upload: %d %s", r.name, res.StatusCode, b)
	}
	return out
}

// slowUpload starts an upload to r whose body trickles in, and returns the
// request's error when it ends.
func (r *replica) slowUpload(t *testing.T, br browser) <-chan error {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("--x\r\nContent-Disposition: form-data; name=\"dataset\"\r\n\r\nslow\r\n"))
		for i := 0; i < 100; i++ {
			if _, err := pw.Write([]byte("--")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, r.base+"/api/imports", pr)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("X-CSRF-Token", br.csrf)
	for _, ck := range br.cookies {
		req.AddCookie(ck)
	}
	errc := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
			if err == nil && res.StatusCode == http.StatusOK {
				errc <- nil
				return
			}
			if err == nil {
				err = fmt.Errorf("status %d", res.StatusCode)
			}
		}
		pr.CloseWithError(err)
		errc <- err
	}()
	return errc
}

// kill ends the replica with SIGKILL: no graceful shutdown, no unlock.
func (r *replica) kill(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-r.done
}

// replicaCSV is a tidy file with one population figure.
func replicaCSV(value string) []byte {
	return []byte("indicator,country,partner,period,value,unit,source\nSP.POP.TOTL,ARM,,2020," + value + ",persons,test\n")
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

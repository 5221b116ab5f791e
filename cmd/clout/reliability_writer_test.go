package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clout-dev/clout/internal/testkit"
)

// The writer's reliability suite: real `clout` processes on one SQLite file,
// killed with SIGKILL mid-import, importing at once from the CLI and the server,
// and a job fed by a source that never ends.

const writerToken = "writer-reliability-token-0123456789"

// bigCSV is a tidy file of rows observations, every value v, so that which
// import a stored version came from shows in its values.
func bigCSV(rows int, v int) []byte {
	countries := []string{"RUS", "KAZ", "AZE", "ARM", "GEO", "TUR", "CHN", "DEU", "FRA", "USA"}
	var b bytes.Buffer
	b.WriteString("indicator,country,partner,period,value,unit,source\n")
	for n := 0; n < rows; n++ {
		fmt.Fprintf(&b, "IND.%d,%s,%s,%d,%d,usd,test\n", n/20000, countries[n/2000%10], countries[n/200%10], 1800+n%200, v)
	}
	return b.Bytes()
}

// server is a running `clout serve`.
type server struct {
	base string
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
}

// startServer starts `clout serve` on db with env added and waits until it is healthy.
func startServer(t *testing.T, ctx context.Context, bin, db string, env ...string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{base: "http://" + addr, log: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.CommandContext(ctx, bin, "serve", "--addr", addr)
	s.cmd.Env = append(os.Environ(), append([]string{"CLOUT_DB=" + db, "CLOUT_ADMIN_TOKEN=" + writerToken, "CLOUT_CONFIG="}, env...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			t.Logf("server log:\n%s", s.log)
		}
	})
	for {
		if res, err := http.Get(s.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("clout serve exited: %v\n%s", s.cmd.ProcessState, s.log)
		case <-ctx.Done():
			t.Fatalf("clout serve never became healthy:\n%s", s.log)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// kill ends the server with SIGKILL.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

// writerAnswer is an answer of the server.
type writerAnswer struct {
	status      int
	header      http.Header
	body        []byte
	Version     int   `json:"version"`
	DataVersion int64 `json:"data_version"`
}

// uploadUnderway starts uploading file as dataset and returns once the server's
// import holds the store's write lock (db is the store's file), so that a writer
// started next has to wait for it.
func (s *server) uploadUnderway(t *testing.T, ctx context.Context, db, dataset string, file []byte) <-chan writerAnswer {
	t.Helper()
	answer := make(chan writerAnswer, 1)
	go func() {
		a, err := s.upload(ctx, dataset, file)
		if err != nil {
			t.Errorf("upload: %v", err)
		}
		answer <- a
	}()
	probe, err := sql.Open("sqlite3", db+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	conn, err := probe.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for {
		select {
		case a := <-answer:
			t.Fatalf("the server's import ended (%d) before the test saw it hold the write lock: make the file larger", a.status)
		default:
		}
		// BEGIN IMMEDIATE fails at once while another connection holds the lock.
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			if !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
				t.Fatalf("probe the write lock: %v", err)
			}
			return answer
		}
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// upload posts file as dataset to POST /api/imports with the admin token.
func (s *server) upload(ctx context.Context, dataset string, file []byte) (writerAnswer, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("dataset", dataset)
	part, _ := w.CreateFormFile("file", dataset+".csv")
	part.Write(file)
	w.Close()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/imports", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return s.do(req)
}

// post posts an empty body to path with the admin token.
func (s *server) post(ctx context.Context, path string) (writerAnswer, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, nil)
	return s.do(req)
}

func (s *server) do(req *http.Request) (writerAnswer, error) {
	req.Header.Set("Authorization", "Bearer "+writerToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return writerAnswer{}, err
	}
	defer res.Body.Close()
	a := writerAnswer{status: res.StatusCode, header: res.Header}
	if a.body, err = io.ReadAll(res.Body); err != nil {
		return a, err
	}
	if res.StatusCode == http.StatusOK {
		json.Unmarshal(a.body, &a)
	}
	return a, nil
}

// storedVersion is a stored version of a dataset as the database holds it.
type storedVersion struct {
	number       int
	dataVersion  int64
	observations int // as the version row says
	stored       int // rows in observations
	values       string
}

// inspect checks the SQLite file's integrity and returns dataset's versions,
// oldest first.
func inspect(t *testing.T, path, dataset string) []storedVersion {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	rows, err := db.Query(`SELECT v.number, v.data_version, v.observations,
		(SELECT COUNT(*) FROM observations o WHERE o.version_id = v.obs_version_id),
		(SELECT GROUP_CONCAT(DISTINCT CAST(o.value AS INTEGER)) FROM observations o WHERE o.version_id = v.obs_version_id)
		FROM versions v JOIN datasets d ON d.id = v.dataset_id WHERE d.name = ? ORDER BY v.number`, dataset)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedVersion
	for rows.Next() {
		var v storedVersion
		var values sql.NullString
		if err := rows.Scan(&v.number, &v.dataVersion, &v.observations, &v.stored, &values); err != nil {
			t.Fatal(err)
		}
		v.values = values.String
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkComplete fails unless the versions are numbered 1..n and each holds
// every one of rows observations, of a single import's value.
func checkComplete(t *testing.T, versions []storedVersion, rows int) {
	t.Helper()
	for i, v := range versions {
		if v.number != i+1 || v.observations != rows || v.stored != rows || strings.Contains(v.values, ",") {
			t.Fatalf("version %d of %d: %+v, want number %d with %d observations of one value", i+1, len(versions), v, i+1, rows)
		}
	}
}

// cloutCmd runs the binary with the store at db; env is added.
func cloutCmd(ctx context.Context, bin, db string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), append([]string{"CLOUT_DB=" + db, "CLOUT_CONFIG="}, env...)...)
	return cmd
}

// TestReliabilityKillDuringImport kills `clout import` and `clout serve` with
// SIGKILL at random points of an import into a store holding a previous
// version: the store passes its integrity check, holds the previous version
// current or the new one complete, and imports again.
func TestReliabilityKillDuringImport(t *testing.T) {
	testkit.Reliability(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildClout(t, ctx, dir)
	db := filepath.Join(dir, "clout.db")
	const rows = 60000
	file := filepath.Join(dir, "big.csv")
	writeFile(t, file, "")
	env := []string{"CLOUT_MAX_UPLOAD=64"}

	// The previous version; its import's duration calibrates the kills.
	if err := os.WriteFile(file, bigCSV(rows, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if out, err := cloutCmd(ctx, bin, db, env, "import", "--dataset", "big", file).CombinedOutput(); err != nil {
		t.Fatalf("first import: %v\n%s", err, out)
	}
	took := time.Since(start)
	checkComplete(t, inspect(t, db, "big"), rows)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 14))
	var survived, lost int
	for run := range 10 {
		value := run + 2
		if err := os.WriteFile(file, bigCSV(rows, value), 0o644); err != nil {
			t.Fatal(err)
		}
		before := inspect(t, db, "big")
		delay := time.Duration(rng.Int64N(int64(took)))
		how := "clout import"
		if run%2 == 0 {
			cmd := cloutCmd(ctx, bin, db, env, "import", "--dataset", "big", file)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(delay)
			cmd.Process.Kill()
			cmd.Wait()
		} else {
			how = "clout serve"
			srv := startServer(t, ctx, bin, db, env...)
			data := bigCSV(rows, value)
			go srv.upload(ctx, "big", data)
			time.Sleep(delay)
			srv.kill(t)
		}
		after := inspect(t, db, "big")
		checkComplete(t, after, rows)
		switch {
		case len(after) == len(before):
			lost++
		case len(after) == len(before)+1 && after[len(after)-1].values == strconv.Itoa(value):
			survived++
		default:
			t.Fatalf("run %d (%s killed after %s): versions %+v after %+v", run, how, delay, after, before)
		}
		t.Logf("run %d: %s killed after %s of ~%s: %d versions, current values %s", run, how, delay.Round(time.Millisecond),
			took.Round(time.Millisecond), len(after), after[len(after)-1].values)
	}
	t.Logf("10 kills: %d left the previous version current, %d after the new one was committed", lost, survived)

	// The store opens and imports again.
	if err := os.WriteFile(file, bigCSV(rows, 99), 0o644); err != nil {
		t.Fatal(err)
	}
	before := inspect(t, db, "big")
	if out, err := cloutCmd(ctx, bin, db, env, "import", "--dataset", "big", file).CombinedOutput(); err != nil {
		t.Fatalf("import after the kills: %v\n%s", err, out)
	}
	after := inspect(t, db, "big")
	checkComplete(t, after, rows)
	if len(after) != len(before)+1 || after[len(after)-1].values != "99" {
		t.Fatalf("import after the kills: versions %+v", after)
	}
}

// TestReliabilityCLIAndServerImportAtOnce imports the same dataset from `clout
// import` and through `clout serve` at once on one SQLite file: both succeed in
// turn, one saying it waits, with contiguous versions and no 5xx. With a short
// write_lock_wait, the waiting side is refused plainly instead: the CLI with
// "try again", the server with 503 and Retry-After, and nothing of it is stored.
func TestReliabilityCLIAndServerImportAtOnce(t *testing.T) {
	testkit.Reliability(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildClout(t, ctx, dir)
	db := filepath.Join(dir, "clout.db")
	// Large enough that each import holds the write lock for most of a second,
	// longer than a CLI takes to start and reach it.
	const rows = 400000
	cliFile := filepath.Join(dir, "cli.csv")
	if err := os.WriteFile(cliFile, bigCSV(rows, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"CLOUT_MAX_UPLOAD=64"}
	srv := startServer(t, ctx, bin, db, env...)

	t.Run("both succeed in turn", func(t *testing.T) {
		answer := srv.uploadUnderway(t, ctx, db, "both", bigCSV(rows, 2))
		var stderr bytes.Buffer
		cmd := cloutCmd(ctx, bin, db, env, "import", "--dataset", "both", cliFile)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("clout import: %v\n%s%s", err, out, stderr.String())
		}
		a := <-answer
		if a.status != http.StatusOK {
			t.Fatalf("upload answered %d: %s", a.status, a.body)
		}
		versions := inspect(t, db, "both")
		checkComplete(t, versions, rows)
		if len(versions) != 2 || versions[1].dataVersion != versions[0].dataVersion+1 {
			t.Fatalf("versions %+v, want 2 with contiguous data versions", versions)
		}
		cliWaited := strings.Contains(stderr.String(), "another import is writing; waiting")
		serverWaited := strings.Contains(srv.log.String(), "another writer holds the write lock; waiting")
		if !cliWaited && !serverWaited {
			t.Errorf("neither side said it waits; CLI stderr %q", stderr.String())
		}
		t.Logf("server's upload: version %d; CLI said it waits: %v, server logged a wait: %v; order by values: %s then %s",
			a.Version, cliWaited, serverWaited, versions[0].values, versions[1].values)
	})

	t.Run("the CLI refused after its wait", func(t *testing.T) {
		before := inspect(t, db, "both")
		answer := srv.uploadUnderway(t, ctx, db, "both", bigCSV(rows, 3))
		var stderr bytes.Buffer
		cmd := cloutCmd(ctx, bin, db, append(env, "CLOUT_WRITE_LOCK_WAIT=200ms"), "import", "--dataset", "both", cliFile)
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		took := time.Since(start)
		a := <-answer
		if a.status != http.StatusOK {
			t.Fatalf("upload answered %d: %s", a.status, a.body)
		}
		if err == nil {
			t.Skipf("the CLI found the lock free (the server's import took less than the CLI's start on this machine)")
		}
		if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(stderr.String(), "another import is writing; try again in 1 s") {
			t.Fatalf("clout import exit %d after %s, stderr %q", code, took, stderr.String())
		}
		after := inspect(t, db, "both")
		checkComplete(t, after, rows)
		if len(after) != len(before)+1 || after[len(after)-1].values != "3" {
			t.Fatalf("versions %+v, want only the server's new one", after)
		}
		t.Logf("the CLI gave up after %s: %q", took.Round(time.Millisecond), strings.TrimSpace(stderr.String()))
	})

	t.Run("the server refused with 503 after its wait", func(t *testing.T) {
		short := startServer(t, ctx, bin, db, append(env, "CLOUT_WRITE_LOCK_WAIT=200ms")...)
		if err := os.WriteFile(cliFile, bigCSV(rows, 4), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := cloutCmd(ctx, bin, db, env, "import", "--dataset", "both", cliFile)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Ask until the CLI's import holds the lock or has ended.
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var refused writerAnswer
		var statuses []int
	ask:
		for {
			a, err := short.upload(ctx, "refused", replicaCSV("1"))
			if err != nil {
				t.Fatal(err)
			}
			statuses = append(statuses, a.status)
			switch {
			case a.status == http.StatusServiceUnavailable:
				refused = a
				break ask
			case a.status >= 500:
				t.Fatalf("upload answered %d: %s", a.status, a.body)
			}
			select {
			case err := <-exited:
				exited <- err
				break ask
			case <-time.After(20 * time.Millisecond):
			}
		}
		if err := <-exited; err != nil {
			t.Fatalf("clout import: %v", err)
		}
		t.Logf("answers while the CLI imported: %v", statuses)
		if stored := inspect(t, db, "refused"); len(stored) != len(statuses)-1 && refused.status != 0 {
			t.Errorf("%d versions of the refused dataset after answers %v: the 503 stored something", len(stored), statuses)
		}
		if refused.status == 0 {
			t.Skip("never caught the CLI's import holding the lock")
		}
		if ra := refused.header.Get("Retry-After"); ra != "1" || !bytes.Contains(refused.body, []byte("another import is writing; try again in 1 s")) {
			t.Errorf("503 with Retry-After %q: %s", ra, refused.body)
		}
		t.Logf("refused while the CLI imported: 503, Retry-After %s, %s", refused.header.Get("Retry-After"), refused.body)
	})
}

// TestReliabilityJobSourceOfTwoGiB runs an import job whose loopback source
// streams 2 GiB of csv: the run fails with the size error, naming the job, the
// URL and the limit, after reading little more than the limit, and the server's
// peak RSS stays under 300 MiB. A job run killed with the server is marked
// interrupted when the server starts again.
func TestReliabilityJobSourceOfTwoGiB(t *testing.T) {
	testkit.Reliability(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildClout(t, ctx, dir)
	db := filepath.Join(dir, "clout.db")

	var sent atomic.Int64
	hang := make(chan struct{})
	defer close(hang)
	src := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang.csv" {
			w.Write([]byte("indicator,country,period,value\n"))
			w.(http.Flusher).Flush()
			<-hang
			return
		}
		line := bytes.Repeat([]byte("SP.POP.TOTL,RUS,,2020,144000000,persons,test\n"), 1<<10)
		for sent.Load() < 2<<30 {
			n, err := w.Write(line)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go src.Serve(ln)
	defer src.Close()
	huge := "http://" + ln.Addr().String() + "/huge.csv"
	config := filepath.Join(dir, "clout.yaml")
	writeFile(t, config, `jobs:
  - name: huge
    schedule: "@yearly"
    retries: 0
    import: {source: "`+huge+`", dataset: huge, max_size: 4GiB}
  - name: hang
    schedule: "@yearly"
    retries: 0
    import: {source: "http://`+ln.Addr().String()+`/hang.csv", dataset: hang}
`)
	srv := startServer(t, ctx, bin, db, "CLOUT_CONFIG="+config)

	a, err := srv.post(ctx, "/api/jobs/huge/run")
	if err != nil {
		t.Fatal(err)
	}
	var run struct {
		Status, Message string
	}
	if err := json.Unmarshal(a.body, &run); err != nil || a.status != http.StatusOK {
		t.Fatalf("run: %d %s", a.status, a.body)
	}
	const limit = 32 << 20
	if run.Status != "failed" {
		t.Fatalf("the 2 GiB source's run: %+v, want failed", run)
	}
	for _, want := range []string{"job huge", "GET " + huge, fmt.Sprintf("larger than the limit of %d bytes", limit)} {
		if !strings.Contains(run.Message, want) {
			t.Errorf("message %q lacks %q", run.Message, want)
		}
	}
	if n := sent.Load(); n > limit+64<<20 {
		t.Errorf("the source sent %d MiB before the job stopped, want little more than the %d MiB limit", n>>20, limit>>20)
	}
	hwm := peakRSS(t, srv.cmd.Process.Pid)
	if hwm > 300<<20 {
		t.Errorf("peak RSS of the server %d MiB, want under 300 MiB", hwm>>20)
	}
	t.Logf("2 GiB source: the run failed after the source sent %.1f MiB; peak RSS of clout serve (VmHWM) %.1f MiB; message %q",
		float64(sent.Load())/(1<<20), float64(hwm)/(1<<20), run.Message)

	// kill -9 while a run is in progress: the next start marks it interrupted.
	go srv.post(ctx, "/api/jobs/hang/run")
	runs := func(s *server) []struct{ Status, Message string } {
		t.Helper()
		res, err := http.Get(s.base + "/api/jobs/hang/runs")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			Runs []struct{ Status, Message string } `json:"runs"`
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return body.Runs
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		if rs := runs(srv); len(rs) == 1 && rs[0].Status == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hanging job never ran: %+v", runs(srv))
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.kill(t)
	again := startServer(t, ctx, bin, db, "CLOUT_CONFIG="+config)
	rs := runs(again)
	if len(rs) != 1 || rs[0].Status != "interrupted" || !strings.Contains(rs[0].Message, "ended before the run did") {
		t.Fatalf("after kill -9 and a restart, the run is %+v, want interrupted", rs)
	}
	t.Logf("after kill -9 and a restart: %s: %s", rs[0].Status, rs[0].Message)
}

// peakRSS returns VmHWM of process pid, in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
)

// gatedImporter is the real importer behind a gate the test opens, so imports
// can be held running while the queue is exercised.
type gatedImporter struct {
	real    Importer
	gate    chan struct{}
	started chan struct{}
}

func (g *gatedImporter) Import(ctx context.Context, req ImportRequest) (*indicators.ImportReport, error) {
	g.started <- struct{}{}
	select {
	case <-g.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.real.Import(ctx, req)
}

// startGatedServer serves a data server whose imports wait for the returned
// gate to be closed.
func startGatedServer(t *testing.T, cfg Config) (*gatedImporter, *testClient) {
	t.Helper()
	store := MustDataStore(t)
	g := &gatedImporter{real: importerAdapter{importer.New(store, importer.Options{Countries: indicators.DefaultCountries()})},
		gate: make(chan struct{}), started: make(chan struct{}, 64)}
	cfg.AdminToken, cfg.VersionTTL = testAdminToken, 1
	s, err := New(cfg, Deps{Store: store, Logger: quietLogger(), Importer: g})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-g.gate:
		default:
			close(g.gate)
		}
		s.data.ops.wait(context.Background())
	})
	return g, newTestClient(t, serve(t, s))
}

// popCSV is a valid tidy file whose figure is value.
func popCSV(value string) []byte {
	return tidyCSV([5]string{"SP.POP.TOTL", "RUS", "", "2020", value})
}

// follow polls an import operation until it is finished.
func (c *testClient) follow(url string) operationView {
	c.tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res := c.do(http.MethodGet, url, nil, bearerHeader(testAdminToken)...)
		if res.status != http.StatusOK {
			c.tb.Fatalf("GET %s: %d %s", url, res.status, res.body)
		}
		var v operationView
		res.json(c.tb, &v)
		if v.State == indicators.OperationDone || v.State == indicators.OperationFailed {
			return v
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("operation %s still %s", url, v.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// versions returns the version count of a dataset.
func (c *testClient) versions(dataset string) int {
	c.tb.Helper()
	res := c.do(http.MethodGet, "/api/datasets/"+dataset, nil)
	if res.status == http.StatusNotFound {
		return 0
	}
	var d struct {
		Versions []json.RawMessage `json:"versions"`
	}
	res.json(c.tb, &d)
	return len(d.Versions)
}

func TestImportOperation_acceptedThenDone(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	res := c.upload(map[string]string{"dataset": "pop"}, "pop.csv", popCSV("144000000"),
		append(bearerHeader(testAdminToken), "Prefer", "respond-async")...)
	if res.status != http.StatusAccepted {
		t.Fatalf("status %d, want 202: %s", res.status, res.body)
	}
	var v operationView
	res.json(t, &v)
	loc := res.header.Get("Location")
	if loc == "" || loc != v.URL || v.URL != "/api/imports/"+v.ID || (v.State != "queued" && v.State != "running") {
		t.Fatalf("Location %q, body %+v", loc, v)
	}
	done := c.follow(loc)
	if done.State != indicators.OperationDone || done.Status != http.StatusOK {
		t.Fatalf("finished as %+v", done)
	}
	var rep importResponse
	if err := json.Unmarshal(done.Result, &rep); err != nil || rep.Version != 1 || rep.Observations != 1 {
		t.Fatalf("result %s (%v): want version 1 with 1 observation", done.Result, err)
	}
	if n := c.versions("pop"); n != 1 {
		t.Fatalf("%d versions stored, want 1", n)
	}
	// Another caller, and an unknown id, see nothing.
	if res := c.do(http.MethodGet, loc, nil); res.status != http.StatusUnauthorized {
		t.Errorf("GET without a token: %d", res.status)
	}
	if res := c.do(http.MethodGet, "/api/imports/nope", nil, bearerHeader(testAdminToken)...); res.status != http.StatusNotFound ||
		!strings.Contains(string(res.body), "not found") {
		t.Errorf("unknown operation: %d %s", res.status, res.body)
	}
	// A rejected file is a failed operation carrying the 422 answer.
	res = c.upload(map[string]string{"dataset": "pop"}, "bad.csv", badCSV(), append(bearerHeader(testAdminToken), "Prefer", "respond-async")...)
	failed := c.follow(res.header.Get("Location"))
	if failed.State != indicators.OperationFailed || failed.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(failed.Result), `"row":2`) {
		t.Fatalf("rejected file: %+v %s", failed, failed.Result)
	}
	if n := c.versions("pop"); n != 1 {
		t.Fatalf("%d versions after a rejected file, want 1", n)
	}
}

func TestImportOperation_idempotencyKey(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	key := append(bearerHeader(testAdminToken), "Idempotency-Key", "upload-7f3a")
	first := c.upload(map[string]string{"dataset": "pop"}, "pop.csv", popCSV("144000000"), key...)
	if first.status != http.StatusOK {
		t.Fatalf("first upload: %d %s", first.status, first.body)
	}
	op := first.header.Get("X-Import-Operation")
	again := c.upload(map[string]string{"dataset": "pop"}, "pop.csv", popCSV("144000000"), key...)
	if again.status != http.StatusOK || string(again.body) != string(first.body) || again.header.Get("X-Import-Operation") != op {
		t.Fatalf("retry: %d %s, want the first answer %s", again.status, again.body, first.body)
	}
	if n := c.versions("pop"); n != 1 {
		t.Fatalf("%d versions after a retry with the same key, want 1", n)
	}
	other := c.upload(map[string]string{"dataset": "pop"}, "pop.csv", popCSV("145000000"), key...)
	if other.status != http.StatusConflict || !strings.Contains(string(other.body), "Idempotency-Key") ||
		!strings.Contains(string(other.body), "another upload") {
		t.Fatalf("same key, other file: %d %s", other.status, other.body)
	}
	fresh := c.upload(map[string]string{"dataset": "pop"}, "pop.csv", popCSV("145000000"),
		append(bearerHeader(testAdminToken), "Idempotency-Key", "upload-8b2c")...)
	if fresh.status != http.StatusOK || c.versions("pop") != 2 {
		t.Fatalf("new key: %d %s, %d versions", fresh.status, fresh.body, c.versions("pop"))
	}
	long := c.upload(nil, "pop.csv", popCSV("1"), append(bearerHeader(testAdminToken), "Idempotency-Key", strings.Repeat("k", 300))...)
	if long.status != http.StatusBadRequest || !strings.Contains(string(long.body), "over the limit of 255") {
		t.Fatalf("overlong key: %d %s", long.status, long.body)
	}
}

// TestImportOperation_survivesTheClient: a client that gives up while its import
// is held does not stop it, and its retry with the same key finds it.
func TestImportOperation_survivesTheClient(t *testing.T) {
	g, c := startGatedServer(t, Config{})
	body, ct := multipartBody(t, map[string]string{"dataset": "pop"}, "pop.csv", popCSV("144000000"))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/imports", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Idempotency-Key", "gone-away")
	errc := make(chan error, 1)
	go func() {
		res, err := c.http.Do(req)
		if err == nil {
			res.Body.Close()
		}
		errc <- err
	}()
	<-g.started // the import runs
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the abandoned request got an answer")
	}
	close(g.gate)
	retry := c.upload(map[string]string{"dataset": "pop"}, "pop.csv", popCSV("144000000"),
		append(bearerHeader(testAdminToken), "Idempotency-Key", "gone-away")...)
	var v operationView
	switch retry.status {
	case http.StatusAccepted:
		retry.json(t, &v)
		v = c.follow(v.URL)
	case http.StatusOK:
		v = c.follow(retry.header.Get("X-Import-Operation"))
	default:
		t.Fatalf("retry: %d %s", retry.status, retry.body)
	}
	if v.State != indicators.OperationDone || !strings.Contains(string(v.Result), `"version":1`) {
		t.Fatalf("operation %+v %s", v, v.Result)
	}
	if n := c.versions("pop"); n != 1 {
		t.Fatalf("%d versions, want 1", n)
	}
}

// TestImportAdmission: with one import slot and one place in the queue, a third
// upload (or dry run) is 503 with Retry-After and changes nothing; the two
// admitted finish in turn.
func TestImportAdmission(t *testing.T) {
	g, c := startGatedServer(t, Config{Imports: 1, ImportQueue: 1})
	async := append(bearerHeader(testAdminToken), "Prefer", "respond-async")
	var urls []string
	for i, value := range []string{"1", "2"} {
		res := c.upload(map[string]string{"dataset": "pop"}, "pop.csv", popCSV(value), async...)
		if res.status != http.StatusAccepted {
			t.Fatalf("upload %d: %d %s", i+1, res.status, res.body)
		}
		urls = append(urls, res.header.Get("Location"))
	}
	<-g.started
	var queued operationView
	c.do(http.MethodGet, urls[1], nil, bearerHeader(testAdminToken)...).json(t, &queued)
	if queued.State != indicators.OperationQueued {
		t.Errorf("second upload is %s, want queued behind the first", queued.State)
	}
	for _, fields := range []map[string]string{{"dataset": "pop"}, {"dataset": "pop", "dry_run": "true"}} {
		res := c.upload(fields, "pop.csv", popCSV("3"), async...)
		if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" ||
			!strings.Contains(string(res.body), "2 imports are running or waiting") {
			t.Fatalf("over the queue %v: %d Retry-After %q %s", fields, res.status, res.header.Get("Retry-After"), res.body)
		}
	}
	close(g.gate)
	for i, u := range urls {
		v := c.follow(u)
		if v.State != indicators.OperationDone || !strings.Contains(string(v.Result), fmt.Sprintf(`"version":%d`, i+1)) {
			t.Fatalf("upload %d: %+v %s", i+1, v, v.Result)
		}
	}
	if n := c.versions("pop"); n != 2 {
		t.Fatalf("%d versions, want 2", n)
	}
}

// serveListening runs s with its own http.Server settings (timeouts) on loopback.
func serveListening(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String()
}

// trickle is a request body sent at rate bytes per second in small chunks,
// stalling for stall after the first half when stall is set.
type trickle struct {
	data  []byte
	rate  int
	stall time.Duration
	sent  int
	start time.Time
}

func (tr *trickle) Read(p []byte) (int, error) {
	if tr.start.IsZero() {
		tr.start = time.Now()
	}
	if tr.sent >= len(tr.data) {
		return 0, io.EOF
	}
	if tr.stall > 0 && tr.sent >= len(tr.data)/2 {
		time.Sleep(tr.stall)
		tr.stall = 0
	}
	// Pace: the bytes sent so far may not be ahead of the rate.
	due := tr.start.Add(time.Duration(float64(tr.sent) / float64(tr.rate) * float64(time.Second)))
	time.Sleep(time.Until(due))
	n := copy(p[:min(len(p), 4096)], tr.data[tr.sent:])
	tr.sent += n
	return n, nil
}

// TestUploadPace: an upload may take longer than the read timeout while it keeps
// the minimum rate; a stalled one, or one slower than the rate, is 408 naming it.
func TestUploadPace(t *testing.T) {
	store := MustDataStore(t)
	s := MustDataServer(t, store, Config{ReadTimeout: time.Second, UploadMinRate: 64 << 10})
	base := serveListening(t, s)
	rows := strings.Repeat("SP.POP.TOTL,RUS,,2020,144000000,,\n", 3000) // ~100 KB
	file := []byte("indicator,country,partner,period,value,unit,source\n" + rows)
	send := func(tr *trickle) (int, string) {
		t.Helper()
		body, ct := multipartBody(t, map[string]string{"dataset": "pop"}, "pop.csv", file)
		tr.data, _ = io.ReadAll(body)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/imports", tr)
		req.ContentLength = int64(len(tr.data))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("upload: %v", err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	t.Run("slow but steady", func(t *testing.T) {
		start := time.Now()
		status, body := send(&trickle{rate: 70 << 10})
		if status != http.StatusOK {
			t.Fatalf("%d %s", status, body)
		}
		if took := time.Since(start); took < 1200*time.Millisecond {
			t.Fatalf("the upload took %s: not longer than the read timeout, the test proves nothing", took)
		}
	})
	for name, tr := range map[string]*trickle{
		"stalled":        {rate: 1 << 20, stall: 3 * time.Second},
		"below the rate": {rate: 20 << 10},
	} {
		t.Run(name, func(t *testing.T) {
			status, body := send(tr)
			if status != http.StatusRequestTimeout || !strings.Contains(body, "64 KiB/s") || !strings.Contains(body, "stalled for 1s") {
				t.Fatalf("%d %s, want 408 naming the rate", status, body)
			}
		})
	}
	c := &testClient{tb: t, base: base, http: http.DefaultClient}
	if n := c.versions("pop"); n != 1 {
		t.Fatalf("%d versions, want only the steady upload's", n)
	}
}

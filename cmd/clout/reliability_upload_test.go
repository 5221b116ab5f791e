package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clout-dev/clout/internal/testkit"
)

// The upload reliability tests run the real `clout serve` binary on a SQLite
// file, on loopback, with real uploads of large files.

// relCSV writes a tidy CSV of about size bytes whose first figure is first:
// distinct keys over indicators, countries and years, each row padded by an
// ignored column so that the file is large without holding millions of cells.
func relCSV(size int, first int) []byte {
	countries := []string{"RUS", "TUR", "AZE", "ARM", "GEO", "KAZ", "UZB", "KGZ", "TJK", "TKM", "BLR", "UKR", "MDA", "CHN", "IND", "IRN", "DEU", "FRA", "USA", "GBR"}
	pad := strings.Repeat("p", 150)
	var b bytes.Buffer
	b.Grow(size + 256)
	b.WriteString("indicator,country,period,value,x_padding\n")
	for i := 0; b.Len() < size; i++ {
		year := 1960 + i%60
		country := countries[(i/60)%len(countries)]
		ind := i / (60 * len(countries))
		value := i + 1
		if i == 0 {
			value = first
		}
		fmt.Fprintf(&b, "REL.I%04d,%s,%d,%d,%s\n", ind, country, year, value, pad)
	}
	return b.Bytes()
}

// relServer is a running `clout serve` on a fresh SQLite file.
type relServer struct {
	*replica
}

func startRelServer(t *testing.T, ctx context.Context) relServer {
	t.Helper()
	dir := t.TempDir()
	bin := buildClout(t, ctx, dir)
	r := startReplica(t, ctx, bin, "serve", filepath.Join(dir, "clout.db"), "")
	r.waitHealthy(t, ctx)
	return relServer{r}
}

// peakRSS is the server's peak resident memory (VmHWM) in MiB.
func (s relServer) peakRSS(t *testing.T) int {
	t.Helper()
	return int(peakRSS(t, s.cmd.Process.Pid) >> 20)
}

// relAnswer is an upload's final answer: its status and import version.
type relAnswer struct {
	status  int
	version int
	body    string
}

// upload sends file to dataset with an Idempotency-Key, through body (nil: the
// file at once), and follows a 202 to the operation's end.
func (s relServer) upload(t *testing.T, ctx context.Context, dataset, key string, file []byte, pace func(io.Reader) io.Reader) relAnswer {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("dataset", dataset)
	part, _ := w.CreateFormFile("file", dataset+".csv")
	part.Write(file)
	w.Close()
	var body io.Reader = bytes.NewReader(buf.Bytes())
	if pace != nil {
		body = pace(body)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/imports", body)
	req.ContentLength = int64(buf.Len())
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+replicaAdminToken)
	req.Header.Set("Idempotency-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("upload %s: no answer: %v", key, err)
		return relAnswer{}
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusAccepted {
		var op struct {
			URL string `json:"url"`
		}
		if err := json.Unmarshal(b, &op); err != nil || res.Header.Get("Location") != op.URL {
			t.Errorf("upload %s: 202 %s, Location %q", key, b, res.Header.Get("Location"))
			return relAnswer{}
		}
		return s.follow(t, ctx, op.URL)
	}
	return relAnswer{status: res.StatusCode, version: versionOf(b), body: string(b)}
}

// follow polls an import operation until it is finished and returns its answer.
func (s relServer) follow(t *testing.T, ctx context.Context, url string) relAnswer {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+url, nil)
		req.Header.Set("Authorization", "Bearer "+replicaAdminToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("GET %s: %v", url, err)
			return relAnswer{}
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var op struct {
			State  string          `json:"state"`
			Status int             `json:"status"`
			Result json.RawMessage `json:"result"`
		}
		if res.StatusCode != http.StatusOK || json.Unmarshal(b, &op) != nil {
			t.Errorf("GET %s: %d %s", url, res.StatusCode, b)
			return relAnswer{}
		}
		if op.State == "done" || op.State == "failed" {
			return relAnswer{status: op.Status, version: versionOf(op.Result), body: string(op.Result)}
		}
		select {
		case <-ctx.Done():
			t.Errorf("operation %s still %s", url, op.State)
			return relAnswer{}
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func versionOf(body []byte) int {
	var r struct {
		Version int `json:"version"`
	}
	json.Unmarshal(body, &r)
	return r.Version
}

// paced is a reader that lets through at most rate bytes per second.
type paced struct {
	r     io.Reader
	rate  int
	sent  int
	start time.Time
}

func (p *paced) Read(b []byte) (int, error) {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	time.Sleep(time.Until(p.start.Add(time.Duration(float64(p.sent) / float64(p.rate) * float64(time.Second)))))
	n, err := p.r.Read(b[:min(len(b), 32<<10)])
	p.sent += n
	return n, err
}

// TestReliabilityParallelUploads: ten parallel 25 MB uploads and a 30 MB upload
// at 1 MB/s, under about 200 reads a second: every client gets its answer (200,
// or 202 and then done), the versions are contiguous, nothing is 5xx, a retry
// with the same Idempotency-Key makes no second version, and the server's peak
// memory stays under 600 MiB.
func TestReliabilityParallelUploads(t *testing.T) {
	testkit.Reliability(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := startRelServer(t, ctx)
	baseRSS := s.peakRSS(t)

	// Reads at about 200 a second until the uploads end, at most 64 in flight so
	// that a slow server is not buried under ever more connections.
	readCtx, stopReads := context.WithCancel(ctx)
	var reads, badReads atomic.Int64
	var readers sync.WaitGroup
	inFlight := make(chan struct{}, 64)
	readers.Add(1)
	go func() {
		defer readers.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		paths := []string{"/", "/charts/trade-share", "/api/charts/gas-exports", "/api/datasets", "/datasets"}
		for i := 0; ; i++ {
			select {
			case <-readCtx.Done():
				return
			case <-tick.C:
			}
			select {
			case inFlight <- struct{}{}:
			default:
				continue
			}
			readers.Add(1)
			go func() {
				defer readers.Done()
				defer func() { <-inFlight }()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+paths[i%len(paths)], nil)
				res, err := http.DefaultClient.Do(req)
				reads.Add(1)
				if err != nil {
					badReads.Add(1)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					badReads.Add(1)
				}
			}()
		}
	}()

	const uploads = 10
	files := make([][]byte, uploads)
	for i := range files {
		files[i] = relCSV(25<<20, 1000+i)
	}
	start := time.Now()
	answers := make([]relAnswer, uploads)
	var wg sync.WaitGroup
	for i := range uploads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = s.upload(t, ctx, "rel-pop", fmt.Sprintf("rel-%d", i), files[i], nil)
		}()
	}
	var slow relAnswer
	var slowTook time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		t0 := time.Now()
		slow = s.upload(t, ctx, "rel-slow", "rel-slow", relCSV(30_000_000, 7), func(r io.Reader) io.Reader {
			return &paced{r: r, rate: 1_000_000}
		})
		slowTook = time.Since(t0)
	}()
	wg.Wait()
	took := time.Since(start)
	stopReads()
	readers.Wait()

	var versions []int
	for i, a := range answers {
		if a.status != http.StatusOK {
			t.Errorf("upload %d: %d %s", i, a.status, a.body)
		}
		versions = append(versions, a.version)
	}
	slices.Sort(versions)
	for i, v := range versions {
		if v != i+1 {
			t.Fatalf("versions %v, want 1 to %d each once", versions, uploads)
		}
	}
	if slow.status != http.StatusOK || slow.version != 1 {
		t.Errorf("30 MB upload at 1 MB/s: %d %s", slow.status, slow.body)
	}
	if badReads.Load() > 0 {
		t.Errorf("%d of %d reads failed or were not 200", badReads.Load(), reads.Load())
	}

	// A retry of a finished upload with its key answers the first import.
	retry := s.upload(t, ctx, "rel-pop", "rel-3", files[3], nil)
	if retry.status != http.StatusOK || retry.version != answers[3].version {
		t.Errorf("retry with the same key: %d version %d, want 200 version %d", retry.status, retry.version, answers[3].version)
	}
	var ds struct {
		Versions []json.RawMessage `json:"versions"`
	}
	s.getJSON(t, "/api/datasets/rel-pop", &ds)
	if len(ds.Versions) != uploads {
		t.Errorf("%d versions stored, want %d: a retry made a duplicate", len(ds.Versions), uploads)
	}
	peak := s.peakRSS(t)
	t.Logf("10 × 25 MB uploads + 30 MB at 1 MB/s in %s (slow upload %s); %d reads (%.0f/s); server peak RSS %d MiB (at start %d MiB)",
		took.Round(time.Millisecond), slowTook.Round(time.Millisecond), reads.Load(), float64(reads.Load())/took.Seconds(), peak, baseRSS)
	if peak > 600 {
		t.Errorf("server peak RSS %d MiB, over 600 MiB", peak)
	}
}

// TestReliabilityLargeRenders: four concurrent PNGs of the largest size render
// within the pixel budget; each is a PNG or 503 with Retry-After,
// and the server's memory grows by about one render, not four.
func TestReliabilityLargeRenders(t *testing.T) {
	testkit.Reliability(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := startRelServer(t, ctx)
	get := func(path string) (int, http.Header, []byte) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("GET %s: %v", path, err)
			return 0, nil, nil
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, b
	}
	// A small render first: the renderer is compiled and warm.
	if st, _, b := get("/charts/trade-share/snapshot.png?width=400&height=300"); st != http.StatusOK {
		t.Fatalf("warm-up render: %d %s", st, b)
	}
	before := s.peakRSS(t)
	if st, _, b := get("/charts/trade-share/snapshot.png?width=3000&height=3000&scale=2"); st != http.StatusRequestEntityTooLarge ||
		!strings.Contains(string(b), "36000000 pixels, over the limit of 16000000 pixels per image") {
		t.Errorf("over the pixel budget: %d %s", st, b)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		ok     int
		busy   int
		starts = time.Now()
	)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// 4000×4000 is the largest image; distinct heights keep the cache out.
			st, h, b := get(fmt.Sprintf("/charts/trade-share/snapshot.png?width=4000&height=%d", 4000-i))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case st == http.StatusOK && bytes.HasPrefix(b, []byte("\x89PNG")):
				ok++
			case st == http.StatusServiceUnavailable && h.Get("Retry-After") != "":
				busy++
			default:
				t.Errorf("large render %d: %d %.300s", i, st, b)
			}
		}()
	}
	wg.Wait()
	peak := s.peakRSS(t)
	t.Logf("4 concurrent 4000×4000 PNGs: %d rendered, %d busy (503) in %s; peak RSS %d MiB (before %d MiB)",
		ok, busy, time.Since(starts).Round(time.Millisecond), peak, before)
	if ok == 0 {
		t.Error("no large render succeeded")
	}
	// One 16-megapixel render takes about 370 MiB here; four at once would take
	// about 1.5 GiB.
	if grew := peak - before; grew > 700 {
		t.Errorf("peak RSS grew by %d MiB during the large renders: more than one ran at once", grew)
	}
}

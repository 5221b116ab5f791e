package asynclog_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clout-dev/clout/internal/asynclog"
)

func text(w io.Writer) slog.Handler {
	return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})
}

// TestWritesEverythingInOrder: records from many goroutines reach the file, with
// their attributes and groups, each one once; Close writes what is queued, and
// records after Close are written in place.
func TestWritesEverythingInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := asynclog.New(f, text)
	log := slog.New(h).With("app", "clout").WithGroup("req")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				log.Info("request", "g", g, "i", i)
			}
		}()
	}
	wg.Wait()
	log.Debug("not enabled")
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	log.Warn("after close")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 8*500+1 {
		t.Fatalf("%d lines, want %d", len(lines), 8*500+1)
	}
	seen := map[string]bool{}
	last := map[string]int{}
	for _, l := range lines[:len(lines)-1] {
		var g, i int
		k := strings.Index(l, "app=clout req.g=")
		if k < 0 {
			t.Fatalf("line without its attributes: %q", l)
		}
		if _, err := fmt.Sscanf(l[k:], "app=clout req.g=%d req.i=%d", &g, &i); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		key := fmt.Sprint(g, i)
		if seen[key] {
			t.Fatalf("line %s written twice", key)
		}
		seen[key] = true
		// One goroutine's records keep their order.
		if prev, ok := last[fmt.Sprint(g)]; ok && i != prev+1 {
			t.Fatalf("goroutine %d: record %d after %d", g, i, prev)
		}
		last[fmt.Sprint(g)] = i
	}
	if !strings.Contains(lines[len(lines)-1], `msg="after close"`) {
		t.Errorf("last line %q, want the record logged after Close", lines[len(lines)-1])
	}
}

// stalledWriter blocks every write until release is closed, like a log pipe
// nobody reads.
type stalledWriter struct {
	release chan struct{}
	mu      sync.Mutex
	buf     bytes.Buffer
}

func (w *stalledWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// TestDoesNotWaitForASlowWriter: with the writer stalled, the free buffers
// take records at once, the next record waits for room, and once the writer
// moves every record is written.
func TestDoesNotWaitForASlowWriter(t *testing.T) {
	w := &stalledWriter{release: make(chan struct{})}
	h := asynclog.New(w, text)
	log := slog.New(h)
	log.Info("first") // FlushInterval later the goroutine writes it and stalls
	time.Sleep(asynclog.FlushInterval + 50*time.Millisecond)

	payload := strings.Repeat("x", 1000)
	var one bytes.Buffer
	// Every line has the same length: the number is written with five digits.
	slog.New(text(&one)).Info("request", "i", "00000", "payload", payload)
	// The other buffers hold this many records; one more needs the stalled one.
	room := (asynclog.Buffers - 1) * (asynclog.BufferSize / one.Len())
	start := time.Now()
	for i := range room {
		log.Info("request", "i", fmt.Sprintf("%05d", i), "payload", payload)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("%d records took %v with the writer stalled and buffers free", room, took)
	}
	blocked := make(chan struct{})
	go func() { log.Info("request", "i", fmt.Sprintf("%05d", room), "payload", payload); close(blocked) }()
	select {
	case <-blocked:
		t.Fatal("a record beyond the buffers' room did not wait")
	case <-time.After(200 * time.Millisecond):
	}
	close(w.release)
	<-blocked
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(w.buf.String(), "msg=request"); n != room+1 {
		t.Errorf("%d records written, want %d", n, room+1)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the handler writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestWritesAQuietLogSoon: a lone record is written without Close, about
// FlushInterval after it was logged, so a tail of the log looks live.
func TestWritesAQuietLogSoon(t *testing.T) {
	var out syncBuffer
	h := asynclog.New(&out, text)
	defer h.Close()
	slog.New(h).Info("lone")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "msg=lone") {
		if time.Now().After(deadline) {
			t.Fatal("a lone record was not written within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOutsizeRecords: records larger than a buffer are written whole and in
// order among ordinary ones.
func TestOutsizeRecords(t *testing.T) {
	var out syncBuffer
	h := asynclog.New(&out, text)
	log := slog.New(h)
	big := strings.Repeat("y", 3*asynclog.BufferSize)
	for i := range 20 {
		log.Info("small", "i", i)
		if i%5 == 0 {
			log.Info("big", "i", i, "payload", big)
		}
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.Fields(l)
		if len(f) < 4 {
			t.Fatalf("short line %q", l)
		}
		got = append(got, f[2]+" "+f[3])
		if f[2] == "msg=big" && !strings.Contains(l, "payload="+big) {
			t.Fatalf("big record %s cut", f[3])
		}
	}
	var want []string
	for i := range 20 {
		want = append(want, fmt.Sprintf("msg=small i=%d", i))
		if i%5 == 0 {
			want = append(want, fmt.Sprintf("msg=big i=%d", i))
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("records\n%v\nwant\n%v", got, want)
	}
}

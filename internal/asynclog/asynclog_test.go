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
	h := asynclog.New(f, text, 0)
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

// TestDoesNotWaitForASlowWriter: with the writer stalled, records up to the
// queue's size are logged at once, the next one waits for room, and once the
// writer moves every record is written.
func TestDoesNotWaitForASlowWriter(t *testing.T) {
	w := &stalledWriter{release: make(chan struct{})}
	const queue = 64
	h := asynclog.New(w, text, queue)
	log := slog.New(h)
	log.Info("first") // the goroutine buffers it, flushes it and stalls in the write
	time.Sleep(asynclog.FlushInterval + 50*time.Millisecond)
	start := time.Now()
	for i := range queue {
		log.Info("request", "i", i)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("%d records took %v with the writer stalled and room in the queue", queue, took)
	}
	blocked := make(chan struct{})
	go func() { log.Info("request", "i", queue); close(blocked) }()
	select {
	case <-blocked:
		t.Fatal("a record beyond the queue's room did not wait")
	case <-time.After(200 * time.Millisecond):
	}
	close(w.release)
	<-blocked
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(w.buf.String(), "msg=request"); n != queue+1 {
		t.Errorf("%d records written, want %d", n, queue+1)
	}
}

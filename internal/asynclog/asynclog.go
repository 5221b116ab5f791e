// Package asynclog is a slog.Handler that takes records off the caller's path:
// Handle queues a copy of the record, and one goroutine formats the queued
// records with the wrapped handler into a 64 KiB buffer, which it writes out
// when the buffer fills and at most FlushInterval after a record was queued. A
// busy server thus pays a copy and a channel send per log line instead of
// formatting it and a write system call under the handler's lock.
//
// Many lines share one write on purpose: writing whenever the queue ran empty
// meant a write system call for nearly every request under load; a full buffer
// holds some 400 request lines. In BenchmarkServing64 the chart page went from
// 0.89 of the static route's rate to 0.90–0.98 (docs/benchmarks.md).
//
// No record is lost: when the queue is full (the writer cannot keep up), Handle
// waits for room, which is what a synchronous handler would have cost anyway.
// Close writes what is queued.
package asynclog

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// DefaultQueue is the number of records that may wait to be written.
const DefaultQueue = 8192

// FlushInterval is the longest a formatted record waits in the buffer: short
// enough that a tail of the log looks live.
const FlushInterval = 100 * time.Millisecond

// Handler is the asynchronous handler. It is safe for concurrent use.
type Handler struct {
	inner slog.Handler // the wrapped handler with this Handler's attributes and groups
	core  *core
}

// core is what a Handler and those derived from it by WithAttrs and WithGroup
// share: the queue, the writer and the goroutine.
type core struct {
	queue chan entry

	// closeMu orders Handle's sends against Close closing the queue.
	closeMu sync.RWMutex
	closed  bool

	// mu guards out and every handler bound to it: the goroutine holds it while
	// it writes a batch, and Handle after Close holds it to write in place.
	mu  sync.Mutex
	out *bufio.Writer

	done chan struct{}
}

type entry struct {
	h slog.Handler
	r slog.Record
}

// New returns a Handler writing to w through the handler newHandler builds on
// the writer it is given (e.g. slog.NewTextHandler), with room for queue records
// waiting (DefaultQueue if queue ≤ 0).
func New(w io.Writer, newHandler func(io.Writer) slog.Handler, queue int) *Handler {
	if queue <= 0 {
		queue = DefaultQueue
	}
	out := bufio.NewWriterSize(w, 64<<10)
	c := &core{queue: make(chan entry, queue), out: out, done: make(chan struct{})}
	go c.run()
	return &Handler{inner: newHandler(out), core: c}
}

// Enabled reports whether the wrapped handler handles records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

// Handle queues a copy of r; it waits only while the queue is full. After
// Close it writes r in place.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	c := h.core
	c.closeMu.RLock()
	if !c.closed {
		c.queue <- entry{h: h.inner, r: r.Clone()}
		c.closeMu.RUnlock()
		return nil
	}
	c.closeMu.RUnlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	err := h.inner.Handle(ctx, r)
	if ferr := c.out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// WithAttrs returns a Handler sharing this one's queue whose records carry attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{inner: h.inner.WithAttrs(attrs), core: h.core}
}

// WithGroup returns a Handler sharing this one's queue that nests attributes in
// the group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{inner: h.inner.WithGroup(name), core: h.core}
}

// Close writes every queued record and stops the goroutine; records logged
// afterwards are written in place. It is safe to call more than once.
func (h *Handler) Close() error {
	c := h.core
	c.closeMu.Lock()
	if !c.closed {
		c.closed = true
		close(c.queue)
	}
	c.closeMu.Unlock()
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Flush()
}

// run formats the queued records into the buffer as they come, and flushes it
// FlushInterval after the first record it holds (bufio writes out a full buffer
// by itself).
func (c *core) run() {
	defer close(c.done)
	timer := time.NewTimer(FlushInterval)
	timer.Stop()
	var flush <-chan time.Time // nil while nothing is buffered
	for {
		select {
		case e, ok := <-c.queue:
			if !ok {
				return // Close flushes
			}
			c.mu.Lock()
			c.write(e)
			c.mu.Unlock()
			if flush == nil {
				timer.Reset(FlushInterval)
				flush = timer.C
			}
		case <-flush:
			flush = nil
			c.mu.Lock()
			_ = c.out.Flush() // nowhere to report a failed write of the log itself
			c.mu.Unlock()
		}
	}
}

func (c *core) write(e entry) {
	_ = e.h.Handle(context.Background(), e.r)
}

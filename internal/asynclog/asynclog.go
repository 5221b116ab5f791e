// Package asynclog is a slog.Handler that keeps the log's writes off the
// caller's path: the wrapped handler formats each record on the caller's
// goroutine into a 64 KiB buffer shared by all callers, and one goroutine
// writes the buffers out when they fill and at most FlushInterval after a
// record went into an empty one. A busy server thus pays the formatting and a
// copy per log line, never a write system call.
//
// Why the formatting stays with the caller: an earlier version queued copies of
// the records for the writing goroutine to format. On one core (a server pinned
// with taskset, or GOMAXPROCS=1) that goroutine got one turn in 65 against 64
// busy connections, fell behind, and the requests then waited for room in its
// queue: the chart page's p99 went from 7 ms to 17–118 ms at the same rate,
// against 7 ms without request logs. Formatting where the record is made costs
// each request its own share (some 2 µs) and nothing more.
//
// Many lines share one write on purpose: a full buffer holds some 400 request
// lines, where writing each record would cost a system call per request.
//
// No record is lost: when every buffer waits to be written (the writer cannot
// keep up), the caller waits for one, which is what a synchronous handler
// would have cost anyway. Close writes what is buffered.
package asynclog

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// BufferSize is the size of one buffer: a buffer is written once it holds
// this much.
const BufferSize = 64 << 10

// Buffers is how many buffers may hold records at once (the one being filled,
// those waiting, the one being written): at most 256 KiB waits for a slow
// writer before callers wait too.
const Buffers = 4

// FlushInterval is the longest a formatted record waits in a buffer: short
// enough that a tail of the log looks live.
const FlushInterval = 100 * time.Millisecond

// Handler is the asynchronous handler. It is safe for concurrent use.
type Handler struct {
	inner slog.Handler // the wrapped handler, writing to the core
	core  *core
}

// core is what a Handler and those derived from it by WithAttrs and WithGroup
// share: the buffers and the writing goroutine. Its Write is the io.Writer the
// wrapped handler writes to.
type core struct {
	w io.Writer

	mu     sync.Mutex
	room   *sync.Cond // signalled when a written buffer becomes free
	cur    []byte     // the buffer being filled
	queued [][]byte   // full buffers, oldest first, for the goroutine to write
	spare  [][]byte   // free buffers
	made   int        // buffers allocated, at most Buffers
	closed bool

	wake chan struct{} // a buffer was queued or the first record went into cur
	done chan struct{}
}

// New returns a Handler writing to w through the handler newHandler builds on
// the writer it is given. The built handler must write each record in one
// Write call, as slog.NewTextHandler and slog.NewJSONHandler do, so that
// records from concurrent callers do not interleave.
func New(w io.Writer, newHandler func(io.Writer) slog.Handler) *Handler {
	c := &core{w: w, wake: make(chan struct{}, 1), done: make(chan struct{})}
	c.room = sync.NewCond(&c.mu)
	c.cur = c.takeBuffer()
	go c.run()
	return &Handler{inner: newHandler(c), core: c}
}

// Enabled reports whether the wrapped handler handles records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

// Handle formats r into the shared buffer; it waits only while every buffer
// is waiting to be written. After Close it writes r in place.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	return h.inner.Handle(ctx, r)
}

// WithAttrs returns a Handler sharing this one's buffers whose records carry attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{inner: h.inner.WithAttrs(attrs), core: h.core}
}

// WithGroup returns a Handler sharing this one's buffers that nests attributes
// in the group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{inner: h.inner.WithGroup(name), core: h.core}
}

// Close writes every buffered record and stops the goroutine; records logged
// afterwards are written in place. It is safe to call more than once.
func (h *Handler) Close() error {
	c := h.core
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.queueCurrent()
	}
	c.mu.Unlock()
	c.signal()
	<-c.done
	return nil
}

// Write appends one formatted record to the current buffer, queueing the
// buffer for the goroutine once it is full. A record larger than a buffer
// grows it.
func (c *core) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.w.Write(p)
	}
	if len(c.cur) > 0 && len(c.cur)+len(p) > BufferSize {
		c.queueCurrent()
	}
	for c.cur == nil {
		if c.cur = c.takeBuffer(); c.cur == nil {
			c.room.Wait()
			if c.closed {
				return c.w.Write(p)
			}
		}
	}
	first := len(c.cur) == 0
	c.cur = append(c.cur, p...)
	switch {
	case len(c.cur) >= BufferSize:
		c.queueCurrent()
	case first:
		c.signal() // the goroutine starts the flush timer
	}
	return len(p), nil
}

// queueCurrent hands the current buffer, if it holds anything, to the
// goroutine and takes a free one (nil if none is free). c.mu is held.
func (c *core) queueCurrent() {
	if len(c.cur) == 0 {
		return
	}
	c.queued = append(c.queued, c.cur)
	c.cur = c.takeBuffer()
	c.signal()
}

// takeBuffer returns a free buffer, a new one while fewer than Buffers exist,
// or nil. c.mu is held.
func (c *core) takeBuffer() []byte {
	if n := len(c.spare); n > 0 {
		b := c.spare[n-1]
		c.spare = c.spare[:n-1]
		return b
	}
	if c.made < Buffers {
		c.made++
		return make([]byte, 0, BufferSize)
	}
	return nil
}

func (c *core) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// run writes the queued buffers as they come, and queues the current buffer
// FlushInterval after a record went into it while it was empty.
func (c *core) run() {
	defer close(c.done)
	timer := time.NewTimer(FlushInterval)
	timer.Stop()
	var flush <-chan time.Time // nil while the timer is not running
	for {
		select {
		case <-c.wake:
		case <-flush:
			flush = nil
			c.mu.Lock()
			c.queueCurrent()
			c.mu.Unlock()
		}
		c.mu.Lock()
		batch := c.queued
		c.queued = nil
		closed := c.closed
		pending := len(c.cur) > 0
		c.mu.Unlock()
		for _, b := range batch {
			_, _ = c.w.Write(b) // nowhere to report a failed write of the log itself
		}
		if len(batch) > 0 {
			c.mu.Lock()
			for _, b := range batch {
				if cap(b) > 2*BufferSize {
					// An outsize record grew it: let it go.
					c.made--
					continue
				}
				c.spare = append(c.spare, b[:0])
			}
			if c.cur == nil {
				c.cur = c.takeBuffer()
			}
			c.room.Broadcast()
			c.mu.Unlock()
		}
		if closed {
			// Close queued the last buffer before it set closed, and the batch
			// was taken under the same lock: everything is written.
			timer.Stop()
			return
		}
		if pending && flush == nil {
			timer.Reset(FlushInterval)
			flush = timer.C
		}
	}
}

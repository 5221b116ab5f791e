package dashboard

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/indicators"
)

// ETIMEOUT is the code of a request whose body arrived too slowly (408).
const ETIMEOUT = "timeout"

// DefaultUploadMinRate is the slowest average rate, in bytes per second, at which
// an upload is received (Config.UploadMinRate): 32 MiB then take at most about
// nine minutes.
const DefaultUploadMinRate = 64 << 10

// paceBody lets an upload's body arrive for as long as it keeps the minimum
// rate, instead of the server's read timeout for the whole request: it moves the
// connection's read deadline as bytes arrive to the earlier of
//   - the grace period (Config.ReadTimeout) after the last read, so a stalled
//     client is let go, and
//   - the grace period plus the announced size (or the upload limit) at the
//     minimum rate after the body began, so a trickle cannot hold the
//     connection for ever.
type paceBody struct {
	body    io.ReadCloser
	rc      *http.ResponseController
	now     func() time.Time
	grace   time.Duration
	end     time.Time // the latest deadline the size allows
	set     time.Time // the deadline last set
	mu      sync.Mutex
	timeout bool // a read hit the deadline
}

func (b *paceBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	next := b.now().Add(b.grace)
	if next.After(b.end) {
		next = b.end
	}
	// The deadline moves in steps of a quarter of the grace period, not on
	// every read.
	if next.Sub(b.set) >= b.grace/4 || next.Before(b.set) {
		if err := b.rc.SetReadDeadline(next); err == nil {
			b.set = next
		}
	}
	b.mu.Unlock()
	n, err := b.body.Read(p)
	if err != nil && isTimeout(err) {
		b.mu.Lock()
		b.timeout = true
		b.mu.Unlock()
	}
	return n, err
}

func (b *paceBody) Close() error { return b.body.Close() }

func (b *paceBody) timedOut() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.timeout
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// ctxPaceBody is the echo.Context key of the request's *paceBody.
const ctxPaceBody = "clout.paceBody"

// paceUpload wraps the request body in a paceBody of at most limit bytes; the
// connection's write deadline moves with it, so the answer can still be written
// after a slow body.
func (s *Server) paceUpload(c echo.Context, limit int64) {
	r := c.Request()
	size := limit
	if r.ContentLength > 0 && r.ContentLength < limit {
		size = r.ContentLength
	}
	now := time.Now() // deadlines are on the wall clock, whatever Deps.Now says
	rate := s.cfg.UploadMinRate
	end := now.Add(s.cfg.ReadTimeout + time.Duration(float64(size)/float64(rate)*float64(time.Second)))
	rc := http.NewResponseController(c.Response())
	// The answer is written after the body: its deadline starts when the body may end.
	if err := rc.SetWriteDeadline(end.Add(s.cfg.WriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		s.log.Warn("upload write deadline", "err", err)
	}
	pb := &paceBody{body: r.Body, rc: rc, now: time.Now, grace: s.cfg.ReadTimeout, end: end}
	r.Body = pb
	c.Set(ctxPaceBody, pb)
}

// uploadTimedOut reports whether the request's body reading hit its deadline,
// and if so the 408 error that says so, naming the rate.
func (s *Server) uploadTimedOut(c echo.Context) (error, bool) {
	pb, _ := c.Get(ctxPaceBody).(*paceBody)
	if pb == nil || !pb.timedOut() {
		return nil, false
	}
	return indicators.Errorf(ETIMEOUT, "the upload was too slow: it stalled for %s or arrived slower than %s/s on average; "+
		"send it again over a faster connection", s.cfg.ReadTimeout, humanize.IBytes(uint64(s.cfg.UploadMinRate))), true
}

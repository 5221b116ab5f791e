package dashboard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/indicators"
)

// Defaults of the import admission (Config.Imports, Config.ImportQueue).
const (
	DefaultImports     = 2
	DefaultImportQueue = 16
)

// operationTTL is how long an import operation can be read, and how long its
// Idempotency-Key finds it, after it was sent.
const operationTTL = 24 * time.Hour

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 255

// Operations keeps import operations in the store (data.Store implements it),
// so any replica can report one and a retried upload finds the first. Without
// it an upload is imported while the client waits, and Idempotency-Key is
// not honoured.
type Operations interface {
	AddImportOperation(ctx context.Context, op indicators.ImportOperation, now time.Time) (indicators.ImportOperation, bool, error)
	UpdateImportOperation(ctx context.Context, op indicators.ImportOperation) error
	ImportOperation(ctx context.Context, id string, now time.Time) (indicators.ImportOperation, bool, error)
}

// importAdmission bounds the imports of this process: running import at once,
// queued more waiting for one of them; beyond that an upload is refused (503)
// before it takes memory or disk.
// Imports take their slots in the order they joined the line, so uploads
// sent one after another are imported (and numbered) in that order.
type importAdmission struct {
	places chan struct{} // running + queued

	mu      sync.Mutex
	slots   int             // running at most
	running int             // running now
	line    []chan struct{} // waiting for a slot, first come first
}

func newImportAdmission(running, queued int) *importAdmission {
	return &importAdmission{places: make(chan struct{}, running+queued), slots: running}
}

// admit takes a place in the queue, or returns EBUSY when it is full.
func (a *importAdmission) admit() (release func(), err error) {
	select {
	case a.places <- struct{}{}:
		return sync.OnceFunc(func() { <-a.places }), nil
	default:
		return nil, indicators.Errorf(indicators.EBUSY,
			"the server is busy: %d imports are running or waiting, the most it takes; send the file again in a minute", cap(a.places))
	}
}

// join puts an import in line for a slot; wait on the turn it returns.
func (a *importAdmission) join() *importTurn {
	t := &importTurn{a: a, ready: make(chan struct{})}
	a.mu.Lock()
	a.line = append(a.line, t.ready)
	a.next()
	a.mu.Unlock()
	return t
}

// next gives free slots to the first in line; a.mu is held.
func (a *importAdmission) next() {
	for a.running < a.slots && len(a.line) > 0 {
		close(a.line[0])
		a.line = a.line[1:]
		a.running++
	}
}

// run joins the line and waits for a slot until ctx ends.
func (a *importAdmission) run(ctx context.Context) (release func(), err error) {
	return a.join().wait(ctx)
}

// importTurn is one import's place in the line for a slot.
type importTurn struct {
	a     *importAdmission
	ready chan struct{} // closed when the slot is this import's
}

// wait returns once the import has its slot (release gives it back), or
// ctx's error if ctx ends first (the place in line is then given up).
func (t *importTurn) wait(ctx context.Context) (release func(), err error) {
	select {
	case <-t.ready:
		return sync.OnceFunc(t.release), nil
	case <-ctx.Done():
	}
	a := t.a
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case <-t.ready: // the slot came as ctx ended: hand it on
		a.running--
	default:
		a.line = slices.DeleteFunc(a.line, func(c chan struct{}) bool { return c == t.ready })
	}
	a.next()
	return nil, ctx.Err()
}

func (t *importTurn) release() {
	a := t.a
	a.mu.Lock()
	a.running--
	a.next()
	a.mu.Unlock()
}

// operationRunner runs import operations on a context of their own, so a
// client going away does not stop its import; Shutdown waits for them.
type operationRunner struct {
	store  Operations // nil: imports run while the client waits
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newOperationRunner(deps Deps) *operationRunner {
	st, _ := deps.Store.(Operations)
	ctx, cancel := context.WithCancel(context.Background())
	return &operationRunner{store: st, ctx: ctx, cancel: cancel}
}

// wait waits for the operations in progress until ctx ends, then stops those
// left (they are recorded as failed).
func (r *operationRunner) wait(ctx context.Context) {
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		r.cancel()
		<-done
	}
}

// operationView is the JSON of an import operation: where to follow it, its
// state, and once finished the HTTP status and body the import answered.
type operationView struct {
	ID      string          `json:"id"`
	URL     string          `json:"url"`
	State   string          `json:"state"`
	Created time.Time       `json:"created"`
	Updated time.Time       `json:"updated"`
	Status  int             `json:"status,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
}

func viewOf(op indicators.ImportOperation) operationView {
	v := operationView{ID: op.ID, URL: operationPath(op.ID), State: op.State, Created: op.Created.UTC(), Updated: op.Updated.UTC()}
	if op.Finished() {
		v.Status, v.Result = op.Status, json.RawMessage(op.Result)
	}
	return v
}

func operationPath(id string) string { return "/api/imports/" + id }

// idempotencyKey reads the Idempotency-Key header: printable ASCII, at most
// maxIdempotencyKey bytes.
func idempotencyKey(c echo.Context) (string, error) {
	key := strings.TrimSpace(c.Request().Header.Get("Idempotency-Key"))
	if len(key) > maxIdempotencyKey {
		return "", indicators.Errorf(indicators.EINVALID, "Idempotency-Key: %d bytes, over the limit of %d", len(key), maxIdempotencyKey)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return "", indicators.Errorf(indicators.EINVALID, "Idempotency-Key: byte %d is not printable ASCII", i+1)
		}
	}
	return key, nil
}

// fingerprint identifies what an import request sends: the file's SHA-256
// (or the staged file's id) and every form field that changes the import.
func fingerprint(f uploadForm, fileSum []byte) string {
	h := sha256.New()
	if f.stage != "" {
		h.Write([]byte("stage\x00" + f.stage))
	} else {
		h.Write(fileSum)
	}
	for _, v := range []string{f.req.Dataset, f.req.Format, f.req.Indicator, strconv.FormatBool(f.req.AllowOlder)} {
		h.Write([]byte{0})
		h.Write([]byte(v))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// preferAsync reports whether the client asked for 202 at once (RFC 7240
// "Prefer: respond-async") rather than waiting for a quick import to finish.
func preferAsync(c echo.Context) bool {
	for _, v := range c.Request().Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "respond-async") {
				return true
			}
		}
	}
	return false
}

// respondWithin is how long an upload's answer waits for its import before it
// is 202 Accepted with the operation's URL: half the write timeout, so the
// answer is never lost to it.
func (s *Server) respondWithin() time.Duration { return s.cfg.WriteTimeout / 2 }

// minRecordWait is the least time recording an operation may wait for the
// store's writer, even when respondWithin is shorter: without a record there
// is no operation to answer 202 with, only a 503.
const minRecordWait = time.Second

// startImport records the import as an operation (or finds the operation of an
// earlier request with the same Idempotency-Key), runs it on the operation's own
// context, and answers its result if it finishes within respondWithin, else
// 202 Accepted with the operation's URL.
func (s *Server) startImport(c echo.Context, f uploadForm, p *principal, key string) error {
	ops := s.data.ops
	ctx := c.Request().Context()
	// Recording the operation may wait for the store's writer (on SQLite, behind
	// an import writing); the answer, result or 202, is due within respondWithin
	// of the body's arrival all the same.
	answerBy, cancel := context.WithTimeout(ctx, s.respondWithin())
	defer cancel()
	recordBy, cancelRecord := context.WithTimeout(ctx, max(s.respondWithin(), minRecordWait))
	defer cancelRecord()
	release, err := s.data.imports.admit()
	if err != nil {
		return err
	}
	admitted := false
	defer func() {
		if !admitted {
			release()
		}
	}()
	// The file waits on disk, not in memory, until its import runs; the importer
	// then sniffs and reads it.
	spool, sum := "", []byte(nil)
	if f.file != nil {
		if spool, sum, err = s.spoolPart(f.file); err != nil {
			return err
		}
	}
	spooled := false
	defer func() {
		if !spooled && spool != "" {
			os.Remove(spool)
		}
	}()
	now := s.now()
	id, err := randomID(18)
	if err != nil {
		return err
	}
	fp := fingerprint(f, sum)
	op := indicators.ImportOperation{ID: id, Owner: p.Owner, IdempotencyKey: key, Fingerprint: fp,
		State: indicators.OperationQueued, Created: now, Updated: now, Expires: now.Add(operationTTL)}
	got, added, err := ops.store.AddImportOperation(recordBy, op, now)
	if err != nil {
		if recordBy.Err() != nil && ctx.Err() == nil {
			return indicators.Errorf(indicators.EBUSY, "another import is writing to the store; send the file again "+
				"(with the same Idempotency-Key, it is imported once)")
		}
		return err
	}
	if !added {
		if got.Fingerprint != fp {
			return indicators.Errorf(indicators.ECONFLICT, "Idempotency-Key %q was used for another upload (operation %s): "+
				"a retry must send the same file and fields; use a new key for a different upload", key, got.ID)
		}
		return s.answerOperation(c, got)
	}
	admitted, spooled = true, true
	done := make(chan indicators.ImportOperation, 1)
	ip := s.clientIP(c)
	turn := s.data.imports.join() // in line now, so operations run in the order they came
	ops.wg.Add(1)
	go func() {
		defer ops.wg.Done()
		defer release()
		done <- s.runOperation(op, turn, f, spool, p, ip)
	}()
	if preferAsync(c) {
		return s.answerOperation(c, op)
	}
	select {
	case final := <-done:
		return s.answerOperation(c, final)
	case <-answerBy.Done():
		if ctx.Err() != nil {
			return nil // the client left; the operation goes on
		}
		return s.answerOperation(c, op)
	}
}

// spoolPart copies an uploaded file, within the upload limit, to a temporary
// file of its own (the form's is removed when the request ends) and returns
// its path and SHA-256.
func (s *Server) spoolPart(fh *multipart.FileHeader) (string, []byte, error) {
	in, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer in.Close()
	out, err := os.CreateTemp("", "clout-upload-*")
	if err != nil {
		return "", nil, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(in, s.cfg.MaxUploadBytes+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > s.cfg.MaxUploadBytes {
		err = s.tooLarge()
	}
	if err != nil {
		os.Remove(out.Name())
		return "", nil, err
	}
	return out.Name(), h.Sum(nil), nil
}

// runOperation waits for an import slot, imports, and records the result.
func (s *Server) runOperation(op indicators.ImportOperation, turn *importTurn, f uploadForm, spool string, p *principal, ip string) indicators.ImportOperation {
	ops := s.data.ops
	if spool != "" {
		defer os.Remove(spool)
	}
	stopped := ErrorResponse{Error: "the server stopped before the import finished; nothing was imported, send the file again"}
	slot, err := turn.wait(ops.ctx)
	if err != nil {
		return s.finishOperation(op, http.StatusServiceUnavailable, stopped)
	}
	defer slot()
	op.State, op.Updated = indicators.OperationRunning, s.now()
	if err := ops.store.UpdateImportOperation(ops.ctx, op); err != nil {
		s.log.Error("import operation: record running", "id", op.ID, "err", err)
	}
	if spool != "" {
		file, err := openSpool(spool)
		if err != nil {
			s.log.Error("import operation: read spooled upload", "id", op.ID, "err", err)
			return s.finishOperation(op, http.StatusInternalServerError, ErrorResponse{Error: "internal error"})
		}
		defer file.Close()
		f.req.Content = io.NewSectionReader(file, 0, file.size)
	}
	status, body := s.importNow(ops.ctx, f, p, ip)
	if ops.ctx.Err() != nil && status >= 500 {
		body = stopped
	}
	return s.finishOperation(op, status, body)
}

// spooledFile is a spooled upload open for reading, with its size.
type spooledFile struct {
	*os.File
	size int64
}

func openSpool(path string) (spooledFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return spooledFile{}, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return spooledFile{}, err
	}
	return spooledFile{File: f, size: info.Size()}, nil
}

// finishOperation records an operation's answer; done for a status below 400,
// failed otherwise.
func (s *Server) finishOperation(op indicators.ImportOperation, status int, body any) indicators.ImportOperation {
	op.State = indicators.OperationDone
	if status >= 400 {
		op.State = indicators.OperationFailed
	}
	op.Status, op.Updated = status, s.now()
	var err error
	if op.Result, err = json.Marshal(body); err != nil {
		s.log.Error("import operation: encode result", "id", op.ID, "err", err)
		op.Status, op.Result = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	// Recorded even when the server is stopping: a waiting client must learn the outcome.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.data.ops.ctx), 30*time.Second)
	defer cancel()
	if err := s.data.ops.store.UpdateImportOperation(ctx, op); err != nil {
		s.log.Error("import operation: record result", "id", op.ID, "state", op.State, "err", err)
	}
	return op
}

// answerOperation answers with a finished operation's status and body, or 202
// Accepted with the operation's URL.
func (s *Server) answerOperation(c echo.Context, op indicators.ImportOperation) error {
	c.Response().Header().Set("X-Import-Operation", operationPath(op.ID))
	if op.Finished() {
		if op.Status == http.StatusServiceUnavailable {
			wait := busyRetryAfter
			var answer ErrorResponse
			if json.Unmarshal(op.Result, &answer) == nil && answer.RetryAfter > 0 {
				wait = time.Duration(answer.RetryAfter) * time.Second
			}
			c.Response().Header().Set("Retry-After", retryAfterSeconds(wait))
		}
		return c.JSONBlob(op.Status, op.Result)
	}
	c.Response().Header().Set(echo.HeaderLocation, operationPath(op.ID))
	c.Response().Header().Set("Retry-After", "1")
	return c.JSON(http.StatusAccepted, viewOf(op))
}

// handleImportOperation is GET /api/imports/:id: the state of one of the
// caller's import operations and, once finished, its answer.
func (s *Server) handleImportOperation(c echo.Context) error {
	id := c.Param("id")
	notFound := indicators.Errorf(indicators.ENOTFOUND, "import operation %q: not found (operations are kept for %s)", id, operationTTL)
	if s.data.ops.store == nil {
		return notFound
	}
	op, ok, err := s.data.ops.store.ImportOperation(c.Request().Context(), id, s.now())
	if err != nil {
		return err
	}
	if !ok || op.Owner != principalOf(c).Owner {
		return notFound
	}
	return c.JSON(http.StatusOK, viewOf(op))
}

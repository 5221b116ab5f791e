package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/clout-dev/clout/indicators"
)

// importRunner fetches a source and imports it when it changed.
type importRunner struct {
	job   string
	spec  ImportSpec
	limit int64
	d     Deps

	mu  sync.Mutex
	mem validators // used when d.Settings is nil
}

// validators identify the file the dataset's current version was made from, so
// the next fetch can be conditional. They only apply while the dataset's current
// version still has SHA256 (a rollback or a manual upload invalidates them).
type validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	SHA256       string `json:"sha256"`
}

// fetched is a downloaded or read source, spooled to a temporary file.
type fetched struct {
	name        string
	file        spooled
	notModified bool
	etag        string
	modified    string
}

// spooled is a source copied to a temporary file as it was read, so that a
// download costs no memory however large it is, and a file being rewritten is
// imported as it was read.
type spooled struct {
	path   string // "" when nothing was spooled
	sha256 string
}

// read returns the spooled bytes (at most the job's limit).
func (f spooled) read() ([]byte, error) { return os.ReadFile(f.path) }

// remove deletes the temporary file.
func (f spooled) remove() {
	if f.path != "" {
		os.Remove(f.path)
	}
}

func (r *importRunner) run(ctx context.Context, _ time.Time) (outcome, error) {
	cur, err := r.current(ctx)
	if err != nil {
		return outcome{}, err
	}
	val := r.validators(ctx)
	if cur == nil || val.SHA256 != cur.SHA256 {
		val = validators{}
	}
	f, err := r.fetch(ctx, val)
	defer f.file.remove()
	if err != nil {
		return outcome{}, err
	}
	if f.notModified {
		return outcome{status: indicators.RunUnchanged, dataVersion: cur.DataVersion,
			message: fmt.Sprintf("source not modified (HTTP 304); %s stays at version %d", r.spec.Dataset, cur.Number)}, nil
	}
	val = validators{ETag: f.etag, LastModified: f.modified, SHA256: f.file.sha256}
	if cur != nil && cur.SHA256 == val.SHA256 {
		r.remember(ctx, val)
		return outcome{status: indicators.RunUnchanged, dataVersion: cur.DataVersion,
			message: fmt.Sprintf("%s is identical to version %d of %s (SHA-256 %.12s)", f.name, cur.Number, r.spec.Dataset, val.SHA256)}, nil
	}
	data, err := f.file.read()
	if err != nil {
		return outcome{}, fmt.Errorf("job %s: reading the spooled source: %w", r.job, err)
	}
	rep, err := r.d.Importer.Import(ctx, ImportRequest{
		Dataset: r.spec.Dataset, FileName: f.name, Data: data, Format: r.spec.Format, Who: "job:" + r.job,
		AllowOlder: r.spec.AllowOlder,
	})
	if err != nil {
		err = fmt.Errorf("import %s into %s: %w", f.name, r.spec.Dataset, err)
		if rep != nil && rep.OlderFigures > 0 {
			err = permanent(err) // the file stays older however often it is fetched
		}
		return outcome{report: rep}, err
	}
	r.remember(ctx, val)
	if r.d.DataChanged != nil {
		r.d.DataChanged()
	}
	return outcome{status: indicators.RunOK, dataVersion: rep.DataVersion, report: rep,
		message: fmt.Sprintf("imported %s as version %d of %s: %d observations", f.name, rep.Version, r.spec.Dataset, rep.Observations)}, nil
}

// current returns the dataset's current version, or nil if it has none yet.
func (r *importRunner) current(ctx context.Context) (*indicators.Version, error) {
	ds, err := r.d.Datasets.Dataset(ctx, r.spec.Dataset)
	if indicators.ErrorCode(err) == indicators.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", r.spec.Dataset, err)
	}
	for i, v := range ds.Versions {
		if v.Number == ds.Current {
			return &ds.Versions[i], nil
		}
	}
	return nil, nil
}

func (r *importRunner) fetch(ctx context.Context, val validators) (fetched, error) {
	if u, err := url.Parse(r.spec.Source); err == nil && isURL(u) {
		return r.get(ctx, u, val)
	}
	return r.readFile()
}

func (r *importRunner) readFile() (fetched, error) {
	p := r.spec.Source
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return fetched{}, indicators.Errorf(indicators.ENOTFOUND, "source %s: no such file", p)
	}
	if err != nil {
		return fetched{}, fmt.Errorf("source %s: %w", p, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return fetched{}, indicators.Errorf(indicators.EINVALID, "source %s is a directory", p)
	}
	if st, err := f.Stat(); err == nil && st.Size() > r.limit {
		return fetched{}, r.tooLarge(p)
	}
	file, err := r.spool(f, p)
	if err != nil {
		return fetched{}, err
	}
	return fetched{name: filepath.Base(p), file: file}, nil
}

func (r *importRunner) get(ctx context.Context, u *url.URL, val validators) (fetched, error) {
	src := u.Redacted()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fetched{}, indicators.Errorf(indicators.EINVALID, "source %s: %v", src, err)
	}
	req.Header.Set("User-Agent", "clout")
	conditional := val.ETag != "" || val.LastModified != ""
	if val.ETag != "" {
		req.Header.Set("If-None-Match", val.ETag)
	}
	if val.LastModified != "" {
		req.Header.Set("If-Modified-Since", val.LastModified)
	}
	resp, err := r.d.HTTPClient.Do(req)
	if err != nil {
		return fetched{}, fmt.Errorf("GET %s: %w", src, unwrapURLError(err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && conditional:
		return fetched{notModified: true}, nil
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests:
		return fetched{}, fmt.Errorf("GET %s: %s", src, resp.Status)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fetched{}, permanent(fmt.Errorf("GET %s: %s", src, resp.Status))
	}
	if resp.ContentLength > r.limit {
		return fetched{}, r.tooLarge("GET " + src)
	}
	file, err := r.spool(resp.Body, "GET "+src)
	if err != nil {
		return fetched{}, err
	}
	return fetched{name: urlFileName(u, r.spec.Dataset), file: file,
		etag: resp.Header.Get("ETag"), modified: resp.Header.Get("Last-Modified")}, nil
}

// spool copies rd to a temporary file, hashing it, and stops with ETOOLARGE as
// soon as more than the limit has arrived: memory stays at one copy buffer.
func (r *importRunner) spool(rd io.Reader, place string) (spooled, error) {
	tmp, err := os.CreateTemp("", "clout-job-*")
	if err != nil {
		return spooled{}, fmt.Errorf("job %s: temporary file: %w", r.job, err)
	}
	f := spooled{path: tmp.Name()}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(rd, r.limit+1))
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("job %s: temporary file: %w", r.job, cerr)
	}
	switch {
	case err != nil:
		f.remove()
		return spooled{}, fmt.Errorf("%s: %w", place, err)
	case n > r.limit:
		f.remove()
		return spooled{}, r.tooLarge(place)
	}
	f.sha256 = hex.EncodeToString(h.Sum(nil))
	return f, nil
}

func (r *importRunner) tooLarge(place string) error {
	return indicators.Errorf(indicators.ETOOLARGE, "job %s: %s: larger than the limit of %d bytes (%s), stopped there; raise the upload limit with --max-upload / CLOUT_MAX_UPLOAD (MiB) or limits.upload_mib, which also caps the job's max_size",
		r.job, place, r.limit, humanize.IBytes(uint64(r.limit)))
}

// unwrapURLError drops *url.Error's repetition of method and URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// urlFileName is the last path element of u, or the dataset name.
func urlFileName(u *url.URL, dataset string) string {
	name := path.Base(u.Path)
	if name == "/" || name == "." || name == "" {
		return dataset
	}
	return name
}

func (r *importRunner) settingKey() string { return "job." + r.job + ".validators" }

func (r *importRunner) validators(ctx context.Context) validators {
	if r.d.Settings == nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.mem
	}
	var v validators
	s, ok, err := r.d.Settings.Setting(ctx, r.settingKey())
	if err != nil {
		r.d.Logger.Warn("reading job validators", "job", r.job, "err", err)
	}
	if ok {
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			r.d.Logger.Warn("reading job validators", "job", r.job, "err", err)
		}
	}
	return v
}

// remember keeps the validators of the file the dataset now holds.
func (r *importRunner) remember(ctx context.Context, v validators) {
	if r.d.Settings == nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.mem = v
		return
	}
	b, _ := json.Marshal(v)
	if err := r.d.Settings.SetSetting(ctx, r.settingKey(), string(b)); err != nil {
		r.d.Logger.Warn("saving job validators", "job", r.job, "err", err)
	}
}

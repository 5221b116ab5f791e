package dashboard

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

// testAdminToken is the admin token of the data tests' servers.
const testAdminToken = "test-admin-token-0123456789"

// importerAdapter adapts the real importer to the dashboard's Importer, as
// cmd/clout does.
type importerAdapter struct{ im *importer.Importer }

func (a importerAdapter) Import(ctx context.Context, req ImportRequest) (*indicators.ImportReport, error) {
	return a.im.Import(ctx, importer.Request{Dataset: req.Dataset, FileName: req.FileName, Data: req.File, File: req.Content,
		Format: req.Format, DryRun: req.DryRun, Who: req.Who, Indicator: req.Indicator, AllowOlder: req.AllowOlder})
}

// MustDataStore opens a fresh SQLite store in a temporary directory.
func MustDataStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "data.db"), sqlite.WithLogger(quietLogger()))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustDataServer builds a Server with the real importer over store; cfg gets
// the test admin token unless it sets one.
func MustDataServer(tb testing.TB, store indicators.Store, cfg Config) *Server {
	tb.Helper()
	if cfg.AdminToken == "" {
		cfg.AdminToken = testAdminToken
	}
	cfg.VersionTTL = 1 // nanosecond: always ask the store
	s, err := New(cfg, Deps{Store: store, Logger: quietLogger(),
		Importer: importerAdapter{importer.New(store, importer.Options{Countries: indicators.DefaultCountries()})}})
	if err != nil {
		tb.Fatalf("new server: %v", err)
	}
	return s
}

// tidyCSV writes a tidy CSV from rows of indicator, country, partner, period, value.
func tidyCSV(rows ...[5]string) []byte {
	var b strings.Builder
	b.WriteString("indicator,country,partner,period,value,unit,source\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,test unit,test source\n", r[0], r[1], r[2], r[3], r[4])
	}
	return []byte(b.String())
}

// tidyXLSX writes a tidy workbook with excelize: one "Data" sheet.
func tidyXLSX(tb testing.TB, rows [][]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Data"); err != nil {
		tb.Fatal(err)
	}
	header := []any{"indicator", "country", "partner", "period", "value", "unit", "source"}
	if err := f.SetSheetRow("Data", "A1", &header); err != nil {
		tb.Fatal(err)
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Data", fmt.Sprintf("A%d", i+2), &r); err != nil {
			tb.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// multipartBody builds a multipart form with fields and, if fileName is not
// empty, a "file" part.
func multipartBody(tb testing.TB, fields map[string]string, fileName string, data []byte) (io.Reader, string) {
	tb.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			tb.Fatal(err)
		}
	}
	if fileName != "" {
		part, err := w.CreateFormFile("file", fileName)
		if err != nil {
			tb.Fatal(err)
		}
		part.Write(data)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

// testClient talks to a real HTTP server (httptest) with a cookie jar and no
// redirect following, like a browser without JavaScript.
type testClient struct {
	tb   testing.TB
	base string
	http *http.Client
}

func newTestClient(tb testing.TB, srv *httptest.Server) *testClient {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &testClient{tb: tb, base: srv.URL, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request; headers are name, value pairs.
func (c *testClient) do(method, path string, body io.Reader, headers ...string) response {
	c.tb.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.tb.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.tb.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// upload posts a file to /api/imports with the admin token.
func (c *testClient) upload(fields map[string]string, fileName string, data []byte, headers ...string) response {
	c.tb.Helper()
	body, ct := multipartBody(c.tb, fields, fileName, data)
	return c.do(http.MethodPost, "/api/imports", body, append([]string{"Content-Type", ct}, headers...)...)
}

func bearerHeader(token string) []string { return []string{"Authorization", "Bearer " + token} }

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// formToken loads a page and returns the CSRF token of its form.
func (c *testClient) formToken(path string) string {
	c.tb.Helper()
	res := c.do(http.MethodGet, path, nil)
	if res.status != http.StatusOK {
		c.tb.Fatalf("GET %s: %d %s", path, res.status, res.body)
	}
	m := csrfInput.FindSubmatch(res.body)
	if m == nil {
		c.tb.Fatalf("GET %s: no CSRF field in the page", path)
	}
	return string(m[1])
}

// login opens a session with token through the login form and returns the
// response of the form post.
func (c *testClient) login(token string) response {
	c.tb.Helper()
	csrf := c.formToken("/login")
	form := url.Values{"token": {token}, "_csrf": {csrf}, "next": {"/upload"}}
	return c.do(http.MethodPost, "/login", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
}

// datasetsJSON returns GET /api/datasets as raw JSON, for before/after checks.
func (c *testClient) datasetsJSON(headers ...string) string {
	c.tb.Helper()
	res := c.do(http.MethodGet, "/api/datasets", nil, headers...)
	if res.status != http.StatusOK {
		c.tb.Fatalf("GET /api/datasets: %d %s", res.status, res.body)
	}
	return string(res.body)
}

// startDataServer runs a data server on loopback and returns a client for it.
func startDataServer(tb testing.TB, cfg Config) (*Server, *sqlite.DB, *testClient) {
	tb.Helper()
	store := MustDataStore(tb)
	s := MustDataServer(tb, store, cfg)
	return s, store, newTestClient(tb, serve(tb, s))
}

// serve runs s on loopback until the test ends.
func serve(tb testing.TB, s *Server) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(s.Handler())
	tb.Cleanup(srv.Close)
	return srv
}

// mustZip writes a zip archive holding one file: a zip that is not a workbook.
func mustZip(tb testing.TB, name, content string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create(name)
	if err == nil {
		_, err = f.Write([]byte(content))
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// quietLogger drops logs (the data tests provoke failures on purpose).
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

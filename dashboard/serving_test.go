package dashboard

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestKnownBodiesAreNotChunked: over real HTTP, cached pages, API answers and
// snapshots go out with Content-Length (not chunked) and an ETag, and the ETag
// brings a 304.
func TestKnownBodiesAreNotChunked(t *testing.T) {
	s := renderingServer(t)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	fetch := func(path, etag string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	for _, path := range []string{
		"/charts/trade-share", "/charts/trade-share", // rendered, then from the cache
		"/", "/charts/map/embed", "/api/charts/gas-exports", "/api/charts/gas-exports",
		"/charts/integration-gain/snapshot.svg?width=400&height=300",
		"/charts/integration-gain/snapshot.csv",
	} {
		resp, body := fetch(path, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		if len(resp.TransferEncoding) > 0 || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("%s: Transfer-Encoding %v, Content-Length %q for %d bytes", path, resp.TransferEncoding, resp.Header.Get("Content-Length"), len(body))
		}
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Errorf("%s: no ETag", path)
			continue
		}
		if again, body := fetch(path, etag); again.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("%s with If-None-Match: status %d, %d bytes; want 304, none", path, again.StatusCode, len(body))
		}
		if other, _ := fetch(path, `"not-it"`); other.StatusCode != 200 {
			t.Errorf("%s with another ETag: %d", path, other.StatusCode)
		}
	}
}

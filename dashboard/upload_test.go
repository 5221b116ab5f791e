package dashboard

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

// goodCSV is a small valid tidy file: 3 observations of one indicator.
func goodCSV() []byte {
	return tidyCSV(
		[5]string{"SP.POP.TOTL", "RUS", "", "2020", "144000000"},
		[5]string{"SP.POP.TOTL", "TUR", "", "2020", "84000000"},
		[5]string{"SP.POP.TOTL", "AZE", "", "2020", "10000000"},
	)
}

// badCSV has three broken rows (spreadsheet rows 2, 3 and 5) and one good one.
func badCSV() []byte {
	return tidyCSV(
		[5]string{"SP.POP.TOTL", "RUS", "", "2020", "twelve"},
		[5]string{"SP.POP.TOTL", "Atlantis", "", "2020", "5"},
		[5]string{"SP.POP.TOTL", "TUR", "", "2020", "84000000"},
		[5]string{"SP.POP.TOTL", "AZE", "", "20x0", "10000000"},
	)
}

func TestImportAPI(t *testing.T) {
	xlsx := tidyXLSX(t, [][]any{{"NY.GDP.MKTP.CD", "RUS", "", "2021", 1.8e12}, {"NY.GDP.MKTP.CD", "TUR", "", "2021", 8.2e11}})
	big := bytes.Repeat([]byte("SP.POP.TOTL,RUS,,2020,1\n"), 4000) // ~96 KB of CSV
	cases := []struct {
		name    string
		fields  map[string]string
		file    string
		data    []byte
		headers []string
		status  int
		want    []string // substrings of the body
	}{
		{name: "no token", file: "pop.csv", data: goodCSV(), status: 401, want: []string{`"error"`}},
		{name: "wrong token", file: "pop.csv", data: goodCSV(), headers: bearerHeader("not-the-token"), status: 401},
		{name: "empty bearer", file: "pop.csv", data: goodCSV(), headers: []string{"Authorization", "Bearer "}, status: 401},
		{name: "basic auth is not a token", file: "pop.csv", data: goodCSV(), headers: []string{"Authorization", "Basic " + testAdminToken}, status: 401},
		{name: "dry run csv", fields: map[string]string{"dry_run": "true"}, file: "pop.csv", data: goodCSV(),
			headers: bearerHeader(testAdminToken), status: 200, want: []string{`"dry_run":true`, `"observations":3`, `"stage":"`, `"dataset":"pop"`}},
		{name: "dry run xlsx forced tidy", fields: map[string]string{"dry_run": "1", "format": "tidy", "dataset": "gdp"}, file: "gdp.xlsx", data: xlsx,
			headers: bearerHeader(testAdminToken), status: 200, want: []string{`"layout":"tidy"`, `"observations":2`, `"NY.GDP.MKTP.CD"`}},
		{name: "bad file lists every error", file: "bad.csv", data: badCSV(), headers: bearerHeader(testAdminToken), status: 422,
			want: []string{`"row":2`, `"row":3`, `"row":5`, `twelve`, `Atlantis`, `"report"`}},
		{name: "bad file dry run is 422 too", fields: map[string]string{"dry_run": "true"}, file: "bad.csv", data: badCSV(),
			headers: bearerHeader(testAdminToken), status: 422, want: []string{`"row":5`}},
		{name: "over the size limit", file: "big.csv", data: big, headers: bearerHeader(testAdminToken), status: 413, want: []string{"over the 64 KiB upload limit; raise it with --max-upload / CLOUT_MAX_UPLOAD"}},
		{name: "over the size limit is never checked", fields: map[string]string{"dry_run": "true"}, file: "big.csv", data: big, headers: bearerHeader(testAdminToken), status: 413, want: []string{"upload limit"}},
		{name: "announced far over the limit", file: "huge.csv", data: bytes.Repeat(big, 13), headers: bearerHeader(testAdminToken), status: 413},
		{name: "pdf is not a spreadsheet", file: "report.csv", data: []byte("%PDF-1.4\n\x00\x01\x02\xff binary"), headers: bearerHeader(testAdminToken), status: 415},
		{name: "legacy xls", file: "old.xlsx", data: append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 512)...), headers: bearerHeader(testAdminToken), status: 415},
		{name: "png named csv", file: "pic.csv", data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), headers: bearerHeader(testAdminToken), status: 415},
		{name: "zip that is not xlsx", file: "a.xlsx", data: mustZip(t, "hello.txt", "hi"), headers: bearerHeader(testAdminToken), status: 415},
		{name: "empty file", file: "empty.csv", data: []byte{}, headers: bearerHeader(testAdminToken), status: 400},
		{name: "no file", fields: map[string]string{"dataset": "x"}, headers: bearerHeader(testAdminToken), status: 400, want: []string{"file"}},
		{name: "unknown format", fields: map[string]string{"format": "pdf"}, file: "pop.csv", data: goodCSV(), headers: bearerHeader(testAdminToken), status: 400, want: []string{"format"}},
		{name: "bad dry_run", fields: map[string]string{"dry_run": "maybe"}, file: "pop.csv", data: goodCSV(), headers: bearerHeader(testAdminToken), status: 400, want: []string{"dry_run"}},
		{name: "unknown stage", fields: map[string]string{"stage": "nope"}, headers: bearerHeader(testAdminToken), status: 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, c := startDataServer(t, Config{MaxUploadBytes: 64 << 10})
			before := c.datasetsJSON()
			res := c.upload(tc.fields, tc.file, tc.data, tc.headers...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			for _, w := range tc.want {
				if !bytes.Contains(res.body, []byte(w)) {
					t.Errorf("body lacks %s: %s", w, res.body)
				}
			}
			if after := c.datasetsJSON(); after != before {
				t.Errorf("a request that stores nothing changed /api/datasets:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestImportStoresAndCommitsStagedFile(t *testing.T) {
	s, store, c := startDataServer(t, Config{})
	auth := bearerHeader(testAdminToken)
	v0 := c.datasetsJSON()

	dry := c.upload(map[string]string{"dry_run": "true", "dataset": "population"}, "pop.csv", goodCSV(), auth...)
	if dry.status != 200 {
		t.Fatalf("dry run: %d %s", dry.status, dry.body)
	}
	var checked importResponse
	dry.json(t, &checked)
	if !checked.DryRun || checked.Stage == "" || checked.Version != 0 || len(checked.Errors) != 0 {
		t.Fatalf("dry run report: %+v", checked)
	}
	if got := c.datasetsJSON(); got != v0 {
		t.Fatalf("dry run stored something: %s", got)
	}

	// Another principal cannot commit the staged file.
	c2 := newTestClient(t, serve(t, s))
	if res := c2.login(testAdminToken); res.status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", res.status, res.body)
	}
	csrf := c2.formToken("/upload")
	other := c2.upload(map[string]string{"stage": checked.Stage, "_csrf": csrf}, "", nil)
	if other.status != http.StatusNotFound {
		t.Fatalf("a session committed the token's staged file: %d %s", other.status, other.body)
	}

	// The owner commits it with no second upload: same bytes, same hash.
	done := c.upload(map[string]string{"stage": checked.Stage}, "", nil, auth...)
	if done.status != 200 {
		t.Fatalf("commit: %d %s", done.status, done.body)
	}
	var imported importResponse
	done.json(t, &imported)
	if imported.DryRun || imported.Version != 1 || imported.Dataset != "population" || imported.SHA256 != checked.SHA256 {
		t.Fatalf("commit report: %+v", imported.ImportReport)
	}
	if len(imported.Charts) == 0 {
		t.Errorf("no chart links for an import of %v", imported.Indicators)
	}
	for _, l := range imported.Charts {
		if !strings.HasPrefix(l.URL, "/charts/") {
			t.Errorf("chart link %q", l.URL)
		}
	}
	if file := testkit.VersionFile(t, store, "population", 1); !bytes.Equal(file, goodCSV()) {
		t.Fatalf("stored file differs from the upload")
	}
	ds, err := store.Dataset(t.Context(), "population")
	if err != nil || ds.Versions[0].Who != "token" {
		t.Fatalf("who: %+v %v", ds, err)
	}

	// The staged file is gone: a double click imports once.
	again := c.upload(map[string]string{"stage": checked.Stage}, "", nil, auth...)
	if again.status != http.StatusNotFound {
		t.Fatalf("second commit: %d %s", again.status, again.body)
	}
	if ds, _ := store.Dataset(t.Context(), "population"); len(ds.Versions) != 1 {
		t.Fatalf("versions after a double commit: %d", len(ds.Versions))
	}
}

func TestSessionWritesNeedCSRF(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	if res := c.login(testAdminToken); res.status != http.StatusSeeOther || res.header.Get("Location") != "/upload" {
		t.Fatalf("login: %d %s", res.status, res.header.Get("Location"))
	}
	csrf := c.formToken("/upload")
	cases := []struct {
		name    string
		fields  map[string]string
		headers []string
		status  int
	}{
		{name: "session without CSRF token", status: 403},
		{name: "session with a wrong CSRF field", fields: map[string]string{"_csrf": "forged"}, status: 403},
		{name: "session with a wrong CSRF header", headers: []string{"X-CSRF-Token", "forged"}, status: 403},
		{name: "cross-site request even with the token", fields: map[string]string{"_csrf": csrf}, headers: []string{"Sec-Fetch-Site", "cross-site"}, status: 403},
		{name: "session with the CSRF field", fields: map[string]string{"_csrf": csrf}, status: 200},
		{name: "session with the CSRF header", headers: []string{"X-CSRF-Token", csrf}, status: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fields := map[string]string{"dry_run": "true"}
			for k, v := range tc.fields {
				fields[k] = v
			}
			res := c.upload(fields, "pop.csv", goodCSV(), tc.headers...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
		})
	}
	t.Run("session import records who", func(t *testing.T) {
		res := c.upload(map[string]string{"_csrf": csrf, "dataset": "by-session"}, "pop.csv", goodCSV())
		if res.status != 200 {
			t.Fatalf("import: %d %s", res.status, res.body)
		}
		var ds indicators.Dataset
		c.do(http.MethodGet, "/api/datasets/by-session", nil).json(t, &ds)
		if len(ds.Versions) != 1 || ds.Versions[0].Who != "session" {
			t.Fatalf("versions %+v", ds.Versions)
		}
	})
	t.Run("logout ends the session", func(t *testing.T) {
		form := strings.NewReader("_csrf=" + csrf)
		if res := c.do(http.MethodPost, "/logout", form, "Content-Type", "application/x-www-form-urlencoded"); res.status != http.StatusSeeOther {
			t.Fatalf("logout: %d %s", res.status, res.body)
		}
		res := c.upload(map[string]string{"_csrf": csrf, "dry_run": "true"}, "pop.csv", goodCSV())
		if res.status != http.StatusUnauthorized {
			t.Fatalf("upload after logout: %d %s", res.status, res.body)
		}
	})
}

// TestSessionAndStagedUploadAcrossReplicas runs two servers, as two replicas,
// each with its own store handle on one database: a session opened on one
// writes through the other, and a dry run staged on one imports through the
// other, once.
func TestSessionAndStagedUploadAcrossReplicas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	var urls []string
	for range 2 {
		st, err := sqlite.Open(t.Context(), path, sqlite.WithLogger(quietLogger()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		urls = append(urls, serve(t, MustDataServer(t, st, Config{})).URL)
	}
	// One browser: its cookie jar sends the cookies of 127.0.0.1 to both ports.
	c := newTestClient(t, &httptest.Server{URL: urls[0]})
	if res := c.login(testAdminToken); res.status != http.StatusSeeOther {
		t.Fatalf("login on the first replica: %d %s", res.status, res.body)
	}
	csrf := c.formToken("/upload")
	c.base = urls[1]
	dry := c.upload(map[string]string{"dry_run": "true", "dataset": "population", "_csrf": csrf}, "pop.csv", goodCSV())
	if dry.status != http.StatusOK {
		t.Fatalf("dry run on the second replica with the first's session: %d %s", dry.status, dry.body)
	}
	var checked importResponse
	dry.json(t, &checked)
	c.base = urls[0]
	done := c.upload(map[string]string{"stage": checked.Stage, "_csrf": csrf}, "", nil)
	var imported importResponse
	if done.status != http.StatusOK {
		t.Fatalf("import on the first replica of the second's dry run: %d %s", done.status, done.body)
	}
	done.json(t, &imported)
	if imported.Version != 1 || imported.SHA256 != checked.SHA256 {
		t.Fatalf("imported %+v", imported.ImportReport)
	}
	c.base = urls[1]
	if again := c.upload(map[string]string{"stage": checked.Stage, "_csrf": csrf}, "", nil); again.status != http.StatusNotFound {
		t.Fatalf("second import through the other replica: %d", again.status)
	}
	// Logging out on one replica ends the session on both.
	if res := c.do(http.MethodPost, "/logout", strings.NewReader(url.Values{"_csrf": {csrf}}.Encode()),
		"Content-Type", "application/x-www-form-urlencoded"); res.status != http.StatusSeeOther {
		t.Fatalf("logout: %d %s", res.status, res.body)
	}
	c.base = urls[0]
	if res := c.upload(map[string]string{"dry_run": "true", "_csrf": csrf}, "pop.csv", goodCSV()); res.status != http.StatusUnauthorized {
		t.Fatalf("upload after logging out on the other replica: %d", res.status)
	}
}

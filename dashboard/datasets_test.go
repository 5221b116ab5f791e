package dashboard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

// mustUpload imports data into dataset with the admin token and returns the report.
func mustUpload(t *testing.T, c *testClient, dataset, fileName string, data []byte) importResponse {
	t.Helper()
	res := c.upload(map[string]string{"dataset": dataset}, fileName, data, bearerHeader(testAdminToken)...)
	if res.status != http.StatusOK {
		t.Fatalf("upload %s to %s: %d %s", fileName, dataset, res.status, res.body)
	}
	var out importResponse
	res.json(t, &out)
	return out
}

func TestRollbackAndDiff(t *testing.T) {
	_, store, c := startDataServer(t, Config{})
	v1 := tidyXLSX(t, [][]any{
		{"SP.POP.TOTL", "RUS", "", "2020", 144},
		{"SP.POP.TOTL", "TUR", "", "2020", 84},
		{"SP.POP.TOTL", "AZE", "", "2020", 10},
	})
	v2 := tidyXLSX(t, [][]any{
		{"SP.POP.TOTL", "RUS", "", "2020", 145}, // changed
		{"SP.POP.TOTL", "TUR", "", "2020", 84},  // same
		{"SP.POP.TOTL", "KAZ", "", "2020", 19},  // added; AZE removed
		{"SP.POP.TOTL", "ARM", "", "2020", 3},   // added
	})
	mustUpload(t, c, "pop", "pop-v1.xlsx", v1)
	mustUpload(t, c, "pop", "pop-v2.xlsx", v2)

	var d indicators.Diff
	res := c.do(http.MethodGet, "/api/datasets/pop/diff?from=1&to=2", nil)
	if res.status != 200 {
		t.Fatalf("diff: %d %s", res.status, res.body)
	}
	res.json(t, &d)
	if d.Added != 2 || d.Removed != 1 || d.Changed != 1 || len(d.Changes) != 4 {
		t.Fatalf("diff 1→2: %+v", d)
	}
	rus := d.Changes[slices.IndexFunc(d.Changes, func(ch indicators.ObservationChange) bool { return ch.Country == "RUS" })]
	if rus.Old == nil || rus.New == nil || *rus.Old != 144 || *rus.New != 145 {
		t.Fatalf("RUS change %+v", rus)
	}
	var dflt indicators.Diff
	c.do(http.MethodGet, "/api/datasets/pop/diff", nil).json(t, &dflt)
	if dflt.From != 1 || dflt.To != 2 || dflt.Changed != 1 {
		t.Fatalf("default diff is not previous → current: %+v", dflt)
	}

	// Rollback to 1 appends version 3 with version 1's observations.
	body := strings.NewReader(`{"version": 1}`)
	res = c.do(http.MethodPost, "/api/datasets/pop/rollback", body, append(bearerHeader(testAdminToken), "Content-Type", "application/json")...)
	if res.status != 200 {
		t.Fatalf("rollback: %d %s", res.status, res.body)
	}
	var v indicators.Version
	res.json(t, &v)
	if v.Number != 3 || v.RollbackOf != 1 {
		t.Fatalf("rollback version %+v", v)
	}
	obs, err := store.Observations(t.Context(), indicators.Query{Indicators: []string{"SP.POP.TOTL"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, o := range obs {
		got[o.Country] = o.Value
	}
	if fmt.Sprint(got) != fmt.Sprint(map[string]float64{"RUS": 144, "TUR": 84, "AZE": 10}) {
		t.Fatalf("live data after rollback: %v", got)
	}
	var ds indicators.Dataset
	c.do(http.MethodGet, "/api/datasets/pop", nil).json(t, &ds)
	if ds.Current != 3 || len(ds.Versions) != 3 || !ds.Versions[0].Current || ds.Versions[0].Who != "token" {
		t.Fatalf("history after rollback: %+v", ds)
	}
	var back indicators.Diff
	c.do(http.MethodGet, "/api/datasets/pop/diff?from=1&to=3", nil).json(t, &back)
	if back.Added+back.Removed+back.Changed != 0 {
		t.Fatalf("version 3 differs from version 1: %+v", back)
	}

	cases := []struct {
		name    string
		method  string
		path    string
		body    string
		headers []string
		status  int
	}{
		{name: "rollback without auth", method: "POST", path: "/api/datasets/pop/rollback", body: `{"version":2}`, status: 401},
		{name: "rollback with a wrong token", method: "POST", path: "/api/datasets/pop/rollback", body: `{"version":2}`, headers: bearerHeader("x"), status: 401},
		{name: "rollback to the current data", method: "POST", path: "/api/datasets/pop/rollback", body: `{"version":3}`, headers: bearerHeader(testAdminToken), status: 409},
		{name: "rollback to a missing version", method: "POST", path: "/api/datasets/pop/rollback", body: `{"version":9}`, headers: bearerHeader(testAdminToken), status: 404},
		{name: "rollback of a missing dataset", method: "POST", path: "/api/datasets/nope/rollback", body: `{"version":1}`, headers: bearerHeader(testAdminToken), status: 404},
		{name: "rollback with a bad body", method: "POST", path: "/api/datasets/pop/rollback", body: `{"version":"one"}`, headers: bearerHeader(testAdminToken), status: 400},
		{name: "rollback to version 0", method: "POST", path: "/api/datasets/pop/rollback", body: `{"version":0}`, headers: bearerHeader(testAdminToken), status: 400},
		{name: "diff with a bad from", method: "GET", path: "/api/datasets/pop/diff?from=x&to=2", status: 400},
		{name: "diff with a missing version", method: "GET", path: "/api/datasets/pop/diff?from=1&to=7", status: 404},
		{name: "unknown dataset", method: "GET", path: "/api/datasets/nope", status: 404},
		{name: "file of a missing version", method: "GET", path: "/api/datasets/pop/versions/8/file", status: 404},
		{name: "file with a bad version", method: "GET", path: "/api/datasets/pop/versions/-1/file", status: 400},
		{name: "diff page", method: "GET", path: "/datasets/pop/diff?from=1&to=2", status: 200},
		{name: "dataset page", method: "GET", path: "/datasets/pop", status: 200},
		{name: "rollback page needs a login", method: "GET", path: "/datasets/pop/rollback?version=1", status: 303},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := c.datasetsJSON()
			h := append([]string{"Content-Type", "application/json"}, tc.headers...)
			res := c.do(tc.method, tc.path, strings.NewReader(tc.body), h...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %.300s", res.status, tc.status, res.body)
			}
			if after := c.datasetsJSON(); after != before {
				t.Fatalf("changed the data")
			}
		})
	}
}

func TestDiffPageShowsChanges(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	mustUpload(t, c, "gas", "gas.csv", tidyCSV([5]string{"NATGAS_EXP_MCM", "RUS", "TUR", "2021", "26000"}))
	mustUpload(t, c, "gas", "gas.csv", tidyCSV([5]string{"NATGAS_EXP_MCM", "RUS", "TUR", "2021", "21500"}))
	res := c.do(http.MethodGet, "/datasets/gas/diff?from=1&to=2", nil)
	if res.status != 200 {
		t.Fatalf("diff page: %d", res.status)
	}
	page := string(res.body)
	for _, want := range []string{`id="diff-changed">1<`, `id="diff-added">0<`, "NATGAS_EXP_MCM", "<td>TUR</td>", "26,000", "21,500"} {
		if !strings.Contains(page, want) {
			t.Errorf("diff page lacks %q", want)
		}
	}
}

func TestRollbackThroughTheConfirmationForm(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	mustUpload(t, c, "gas", "a.csv", tidyCSV([5]string{"NATGAS_EXP_MCM", "RUS", "TUR", "2021", "1"}))
	mustUpload(t, c, "gas", "b.csv", tidyCSV([5]string{"NATGAS_EXP_MCM", "RUS", "TUR", "2021", "2"}))
	if res := c.login(testAdminToken); res.status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.status)
	}
	csrf := c.formToken("/datasets/gas/rollback?version=1")
	form := func(token string) *strings.Reader {
		return strings.NewReader(url.Values{"version": {"1"}, "_csrf": {token}}.Encode())
	}
	ct := []string{"Content-Type", "application/x-www-form-urlencoded"}
	if res := c.do(http.MethodPost, "/api/datasets/gas/rollback", form(""), ct...); res.status != http.StatusForbidden {
		t.Fatalf("form without CSRF: %d %s", res.status, res.body)
	}
	res := c.do(http.MethodPost, "/api/datasets/gas/rollback", form(csrf), ct...)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/datasets/gas?rolledback=3" {
		t.Fatalf("confirmed rollback: %d %s %s", res.status, res.header.Get("Location"), res.body)
	}
	page := c.do(http.MethodGet, "/datasets/gas?rolledback=3", nil)
	if !bytes.Contains(page.body, []byte("version 3 is now current")) || !bytes.Contains(page.body, []byte("rollback to 1")) {
		t.Fatalf("dataset page after rollback: %s", page.body)
	}
	var ds indicators.Dataset
	c.do(http.MethodGet, "/api/datasets/gas", nil).json(t, &ds)
	if ds.Versions[0].Who != "session" || ds.Versions[0].RollbackOf != 1 {
		t.Fatalf("rollback version: %+v", ds.Versions[0])
	}
}

func TestOriginalFileDownload(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	xlsx := tidyXLSX(t, [][]any{{"SP.POP.TOTL", "KAZ", "", "2019", 18.5e6}})
	csv := append([]byte("\xef\xbb\xbf"), goodCSV()...)
	// Larger than two of the store's 4 MiB chunks: stored and streamed back in
	// several.
	var big bytes.Buffer
	big.WriteString("indicator,country,period,value,note\n")
	note := strings.Repeat("a long note on the figure ", 75)
	for i := 0; big.Len() < 9<<20; i++ {
		fmt.Fprintf(&big, "XX.BIG%d,ARM,%d,%d,%s%d\n", i/100, 1900+i%100, i, note, i)
	}
	cases := []struct {
		name, dataset, file string
		data                []byte
		contentType         string
	}{
		{name: "xlsx", dataset: "kaz", file: "Kazakhstan population.xlsx", data: xlsx, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{name: "csv with BOM", dataset: "pop", file: "pop.csv", data: csv, contentType: "text/csv; charset=utf-8"},
		{name: "non-ASCII name", dataset: "türkiye", file: "Türkiye nüfus.csv", data: goodCSV(), contentType: "text/csv; charset=utf-8"},
		{name: "quotes in the name", dataset: "q", file: `a"b;c.csv`, data: goodCSV(), contentType: "text/csv; charset=utf-8"},
		{name: "csv over several chunks", dataset: "big", file: "big.csv", data: big.Bytes(), contentType: "text/csv; charset=utf-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := mustUpload(t, c, tc.dataset, tc.file, tc.data)
			path := fmt.Sprintf("/api/datasets/%s/versions/%d/file", url.PathEscape(tc.dataset), rep.Version)
			res := c.do(http.MethodGet, path, nil)
			if res.status != 200 {
				t.Fatalf("download: %d %s", res.status, res.body)
			}
			if !bytes.Equal(res.body, tc.data) {
				t.Fatalf("downloaded %d bytes differ from the %d uploaded", len(res.body), len(tc.data))
			}
			if n := res.header.Get("Content-Length"); n != strconv.Itoa(len(tc.data)) {
				t.Errorf("Content-Length %q, want %d", n, len(tc.data))
			}
			var ds indicators.Dataset
			c.do(http.MethodGet, "/api/datasets/"+url.PathEscape(tc.dataset), nil).json(t, &ds)
			if sum := sha256.Sum256(res.body); len(ds.Versions) == 0 || ds.Versions[0].SHA256 != hex.EncodeToString(sum[:]) || rep.SHA256 != ds.Versions[0].SHA256 {
				t.Errorf("recorded SHA-256 %+v (report %s), want %x", ds.Versions, rep.SHA256, sum)
			}
			if ct := res.header.Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tc.contentType)
			}
			disp, params, err := mime.ParseMediaType(res.header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != tc.file {
				t.Fatalf("Content-Disposition %q: %s %v %v", res.header.Get("Content-Disposition"), disp, params, err)
			}
		})
	}
}

func TestHostileNames(t *testing.T) {
	_, store, c := startDataServer(t, Config{})
	const script = `<script>alert(1)</script>`
	cases := []struct {
		name, dataset, file string
	}{
		{name: "path traversal dataset", dataset: "../../etc/passwd", file: "pop.csv"},
		{name: "script dataset", dataset: script, file: "pop.csv"},
		{name: "script file name", dataset: "", file: script + ".csv"},
		{name: "traversal file name", dataset: "trav", file: `..\..\windows\win.ini`},
		{name: "control characters", dataset: "ctl", file: "a\r\nSet-Cookie: x=1.csv"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := mustUpload(t, c, tc.dataset, tc.file, goodCSV())
			name := rep.Dataset
			if tc.dataset != "" && name != tc.dataset {
				t.Fatalf("dataset stored as %q, want %q", name, tc.dataset)
			}
			if strings.ContainsAny(rep.File, "/\\\r\n") {
				t.Fatalf("file name kept a path or control characters: %q", rep.File)
			}
			// The name round-trips through the API path, escaped as one segment.
			var ds indicators.Dataset
			res := c.do(http.MethodGet, "/api/datasets/"+url.PathEscape(name), nil)
			if res.status != 200 {
				t.Fatalf("GET by escaped name: %d %s", res.status, res.body)
			}
			res.json(t, &ds)
			if ds.Name != name {
				t.Fatalf("got dataset %q, want %q", ds.Name, name)
			}
			file := c.do(http.MethodGet, "/api/datasets/"+url.PathEscape(name)+"/versions/1/file", nil)
			if file.status != 200 || !bytes.Equal(file.body, goodCSV()) {
				t.Fatalf("file download: %d", file.status)
			}
			if cd := file.header.Get("Content-Disposition"); strings.ContainsAny(cd, "\r\n/\\") {
				t.Fatalf("Content-Disposition %q", cd)
			}
			for _, page := range []string{"/datasets", "/datasets/" + url.PathEscape(name)} {
				body := c.do(http.MethodGet, page, nil).body
				if bytes.Contains(body, []byte(script)) {
					t.Fatalf("%s shows the raw markup", page)
				}
			}
		})
	}
	if _, err := store.Dataset(t.Context(), "../../etc/passwd"); err != nil {
		t.Fatalf("the traversal name is not stored as plain data: %v", err)
	}
	page := string(c.do(http.MethodGet, "/datasets", nil).body)
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("the script name is not shown escaped")
	}
	if !strings.Contains(page, `href="/datasets/..%2F..%2Fetc%2Fpasswd"`) {
		t.Fatalf("the traversal name is not linked as one escaped segment")
	}
}

func TestParallelUploads(t *testing.T) {
	const n = 10
	file := func(i int) []byte {
		return tidyCSV([5]string{"SP.POP.TOTL", "RUS", "", "2020", fmt.Sprint(1000 + i)},
			[5]string{"SP.POP.TOTL", "TUR", "", "2020", fmt.Sprint(2000 + i)})
	}
	t.Run("one dataset", func(t *testing.T) {
		_, store, c := startDataServer(t, Config{})
		results := make([]response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				results[i] = c.upload(map[string]string{"dataset": "shared"}, fmt.Sprintf("f%d.csv", i), file(i), bearerHeader(testAdminToken)...)
			})
		}
		wg.Wait()
		seen := map[int]bool{}
		for i, res := range results {
			if res.status != 200 {
				t.Fatalf("upload %d: %d %s", i, res.status, res.body)
			}
			var rep importResponse
			res.json(t, &rep)
			seen[rep.Version] = true
		}
		ds, err := store.Dataset(t.Context(), "shared")
		if err != nil {
			t.Fatal(err)
		}
		if len(ds.Versions) != n || ds.Current != n || len(seen) != n {
			t.Fatalf("%d versions (current %d, %d distinct reported), want %d", len(ds.Versions), ds.Current, len(seen), n)
		}
		hashes := map[string]bool{}
		for i, v := range ds.Versions {
			if v.Number != n-i {
				t.Fatalf("versions are not numbered without gaps: %d at position %d", v.Number, i)
			}
			data := testkit.VersionFile(t, store, "shared", v.Number)
			hashes[string(data)] = true
		}
		if len(hashes) != n {
			t.Fatalf("%d distinct files kept, want %d (a file was lost)", len(hashes), n)
		}
		dv, _ := store.DataVersion(t.Context())
		if dv != n {
			t.Fatalf("data version %d after %d imports", dv, n)
		}
	})
	t.Run("different datasets", func(t *testing.T) {
		_, store, c := startDataServer(t, Config{})
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := range n {
			wg.Go(func() {
				statuses[i] = c.upload(map[string]string{"dataset": fmt.Sprintf("ds-%02d", i)}, "f.csv", file(i), bearerHeader(testAdminToken)...).status
			})
		}
		wg.Wait()
		for i, s := range statuses {
			if s != 200 {
				t.Fatalf("upload %d: %d", i, s)
			}
		}
		list, err := store.Datasets(t.Context())
		if err != nil || len(list) != n {
			t.Fatalf("%d datasets (%v), want %d", len(list), err, n)
		}
		for i := range n {
			ds, err := store.Dataset(t.Context(), fmt.Sprintf("ds-%02d", i))
			if err != nil || ds.Current != 1 || len(ds.Versions) != 1 {
				t.Fatalf("ds-%02d: %+v %v", i, ds, err)
			}
			data := testkit.VersionFile(t, store, ds.Name, 1)
			if !bytes.Equal(data, file(i)) {
				t.Fatalf("ds-%02d holds another upload's file", i)
			}
		}
	})
	t.Run("good and bad mixed", func(t *testing.T) {
		_, store, c := startDataServer(t, Config{})
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := range n {
			wg.Go(func() {
				data := file(i)
				if i%2 == 1 {
					data = badCSV()
				}
				statuses[i] = c.upload(map[string]string{"dataset": "mixed"}, "f.csv", data, bearerHeader(testAdminToken)...).status
			})
		}
		wg.Wait()
		for i, s := range statuses {
			if want := []int{200, 422}[i%2]; s != want {
				t.Fatalf("upload %d: %d, want %d", i, s, want)
			}
		}
		ds, err := store.Dataset(t.Context(), "mixed")
		if err != nil || len(ds.Versions) != n/2 || ds.Current != n/2 {
			t.Fatalf("mixed: %d versions, current %d (%v)", len(ds.Versions), ds.Current, err)
		}
	})
}

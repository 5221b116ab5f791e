package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/indicators"
)

// scenario is one HTTP request through the real router and what must come back.
type scenario struct {
	name    string
	url     string
	header  []string
	status  int
	want    []string // substrings of the body
	notWant []string
}

func runScenarios(t *testing.T, h http.Handler, cases []scenario) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, tc.url, tc.header...)
			body := rec.Body.String()
			if rec.Code != tc.status {
				t.Fatalf("GET %s: status %d, want %d; body: %.400s", tc.url, rec.Code, tc.status, body)
			}
			if sub, ok := containsAll(body, tc.want...); !ok {
				t.Errorf("GET %s: body lacks %q; body: %.600s", tc.url, sub, body)
			}
			for _, sub := range tc.notWant {
				if strings.Contains(body, sub) {
					t.Errorf("GET %s: body contains %q", tc.url, sub)
				}
			}
		})
	}
}

func testConfig() Config { return Config{VersionTTL: time.Nanosecond} }

func TestRoutes(t *testing.T) {
	store := MustSeededStore(t)
	s := MustServer(t, store, testConfig())
	h := s.Handler()
	echartsURL, err := s.assets.URL("echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	runScenarios(t, h, []scenario{
		{name: "overview", url: "/", status: 200, want: []string{
			`id="opt-trade-share"`, `id="opt-gas-exports"`, `id="opt-integration-gain"`,
			`href="/charts/trade-share"`, echartsURL, `class="statement"`,
		}},
		{name: "trade share page", url: "/charts/trade-share", status: 200, want: []string{
			`<form class="controls"`, `name="partners"`, `name="year"`, `name="threshold"`, `name="top"`,
			`<option value="TUR" selected data-kind="country">`, `<option value="AZE" selected data-kind="country">`, `<option value="FSU-CORE"`,
			"Data table", "Data version 1", `<script type="application/json" id="opt-trade-share">{`,
		}},
		{name: "trade share with year", url: "/charts/trade-share?year=2019&partners=TUR,AZE", status: 200,
			want: []string{`<option value="2019" selected>2019</option>`}},
		{name: "multi-select repeated keys", url: "/charts/trade-share?partners=TUR&partners=KAZ", status: 200,
			want:    []string{`<option value="TUR" selected data-kind="country">`, `<option value="KAZ" selected data-kind="country">`},
			notWant: []string{`<option value="AZE" selected`}},
		{name: "gas exports page", url: "/charts/gas-exports", status: 200, want: []string{`name="destinations"`, `name="freq"`}},
		{name: "integration gain page", url: "/charts/integration-gain", status: 200, want: []string{`name="bloc"`, `name="measure"`}},
		{name: "series page", url: "/charts/series?indicator=SP.POP.TOTL&countries=RUS,KAZ", status: 200,
			want: []string{`name="indicator"`, `<option value="SP.POP.TOTL" selected>`, `name="countries"`}},
		{name: "map page", url: "/charts/map", status: 200, want: []string{`id="opt-map"`, `id="opt-map-dark"`}},
		{name: "embed page", url: "/charts/trade-share/embed", status: 200,
			want: []string{`id="opt-trade-share"`, `class="embed"`}, notWant: []string{"<form", "<nav"}},
		{name: "pinned page", url: "/charts/trade-share?v=1", status: 200,
			want: []string{"as of data version 1", `name="v" value="1"`}},
		{name: "unknown chart page", url: "/charts/nope", status: 404, want: []string{"<html", `no chart &#34;nope&#34;`}},
		{name: "bad year page", url: "/charts/trade-share?year=abc", status: 400, want: []string{"<html", "year"}},
		{name: "unknown route", url: "/nope", status: 404, want: []string{"<html"}},

		{name: "api chart list", url: "/api/charts", status: 200,
			want: []string{`"id":"trade-share"`, `"id":"gas-exports"`, `"id":"integration-gain"`, `"id":"series"`, `"id":"map"`, `"params":[`}},
		{name: "api chart", url: "/api/charts/trade-share", status: 200,
			want: []string{`"chart":"trade-share"`, `"option":{`, `"statement":"`, `"table":{`, `"data_version":1`, `"pinned":false`}},
		{name: "api chart dark", url: "/api/charts/gas-exports?theme=dark", status: 200, want: []string{`"backgroundColor":"#100c2a"`}},
		{name: "api bad theme", url: "/api/charts/gas-exports?theme=pink", status: 400, want: []string{`"error":"theme`}},
		{name: "api unknown chart", url: "/api/charts/nope", status: 404, want: []string{`{"error":"no chart \"nope\"`}},
		{name: "api bad year", url: "/api/charts/trade-share?year=abc", status: 400, want: []string{`"error":"`, "year"}},
		{name: "api bad country suggests", url: "/api/charts/trade-share?partners=Turky", status: 400,
			want: []string{"partners", "Turky", "did you mean"}},
		{name: "api unknown parameter", url: "/api/charts/trade-share?colour=red", status: 400, want: []string{`"error":"colour: unknown parameter`}},
		{name: "api pinned", url: "/api/charts/trade-share?v=1", status: 200, want: []string{`"pinned":true`, `"data_version":1`}},
		{name: "api version from the future", url: "/api/charts/trade-share?v=99", status: 400, want: []string{`"error":"v: data version 99 does not exist`}},
		{name: "api bad version", url: "/api/charts/trade-share?v=x", status: 400, want: []string{`"error":"v: `}},
		{name: "api indicator catalogue", url: "/api/indicators", status: 200,
			want: []string{`"code":"SP.POP.TOTL","name":"Population"`, `"code":"NATGAS_EXP_MCM"`, `"known":true`}},
		{name: "api unknown route", url: "/api/nope", status: 404, want: []string{`{"error":`}},

		{name: "observations by group", url: "/api/observations?indicator=SP.POP.TOTL&country=FSU-CORE&from=2019&to=2020", status: 200,
			want: []string{`"country":"KAZ"`, `"country":"UZB"`, `"period":"2019"`}, notWant: []string{`"country":"RUS"`, `"period":"2018"`}},
		{name: "observations csv", url: "/api/observations?indicator=SP.POP.TOTL&country=RUS&from=2020&to=2020&format=csv", status: 200,
			want: []string{"indicator,country,partner,period,value,unit,source\n", "SP.POP.TOTL,RUS,,2020,"}},
		{name: "observations bad country", url: "/api/observations?country=Narnia", status: 400, want: []string{`"error":"country: unknown country \"Narnia\"`}},
		{name: "observations bad period", url: "/api/observations?from=20x", status: 400, want: []string{`"error":"from: `}},
		{name: "observations reversed range", url: "/api/observations?from=2020&to=2019", status: 400, want: []string{`"error":"to: `}},
		{name: "observations bad format", url: "/api/observations?format=xml", status: 400, want: []string{`"error":"format: `}},
		{name: "observations unknown filter", url: "/api/observations?region=EU", status: 400, want: []string{`"error":"region: unknown parameter`}},

		{name: "healthz", url: "/healthz", status: 200, want: []string{`"status":"ok"`, `"data_version":1`}},
		{name: "static hashed", url: echartsURL, status: 200, want: []string{"Apache"}},
		{name: "static unhashed name", url: "/static/echarts.min.js", status: 404},
	})
}

func TestStaticAssetsAreImmutable(t *testing.T) {
	s := MustServer(t, MustOpenStore(t), testConfig())
	for _, name := range []string{"echarts.min.js", "topojson-client.min.js", "countries-110m.json", "app.js", "app.css"} {
		u, err := s.assets.URL(name)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^/static/[\w.-]+\.[0-9a-f]{8}\.(js|css|json)$`).MatchString(u) {
			t.Errorf("%s: URL %s is not content-hashed", name, u)
		}
		rec := get(t, s.Handler(), u, "Accept-Encoding", "gzip")
		if rec.Code != 200 || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: status %d, Cache-Control %q", u, rec.Code, rec.Header().Get("Cache-Control"))
		}
		etag := rec.Header().Get("ETag")
		if again := get(t, s.Handler(), u, "If-None-Match", etag); again.Code != http.StatusNotModified {
			t.Errorf("%s: If-None-Match gave %d, want 304", u, again.Code)
		}
	}
}

func TestObservationsLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MaxObservations = 10
	s := MustServer(t, MustSeededStore(t), cfg)
	runScenarios(t, s.Handler(), []scenario{
		{name: "too many", url: "/api/observations", status: 400, want: []string{"over the limit of 10", "narrow the query"}},
		{name: "narrowed", url: "/api/observations?indicator=SP.POP.TOTL&country=RUS&from=2020&to=2020", status: 200, want: []string{`"count":1`}},
	})
}

func TestFraming(t *testing.T) {
	s := MustServer(t, MustSeededStore(t), testConfig())
	for _, tc := range []struct {
		name, url string
		framable  bool
	}{
		{"page", "/charts/trade-share", false},
		{"overview", "/", false},
		{"embed", "/charts/trade-share/embed", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			csp := get(t, s.Handler(), tc.url).Header().Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("CSP %q lacks script-src 'self'", csp)
			}
			if got := !strings.Contains(csp, "frame-ancestors"); got != tc.framable {
				t.Errorf("CSP %q: framable %v, want %v", csp, got, tc.framable)
			}
		})
	}
}

func TestPageETag(t *testing.T) {
	s := MustServer(t, MustSeededStore(t), testConfig())
	first := get(t, s.Handler(), "/charts/gas-exports")
	etag := first.Header().Get("ETag")
	if first.Code != 200 || etag == "" || first.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("status %d, ETag %q, Cache-Control %q", first.Code, etag, first.Header().Get("Cache-Control"))
	}
	if again := get(t, s.Handler(), "/charts/gas-exports", "If-None-Match", etag); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes, want 304 and no body", again.Code, again.Body.Len())
	}
	if other := get(t, s.Handler(), "/charts/gas-exports?freq=monthly", "If-None-Match", etag); other.Code != 200 {
		t.Errorf("other parameters with the old ETag: %d, want 200", other.Code)
	}
}

func TestMetrics(t *testing.T) {
	s := MustServer(t, MustSeededStore(t), testConfig())
	get(t, s.Handler(), "/charts/trade-share")
	get(t, s.Handler(), "/charts/nope")
	rec := get(t, s.Handler(), "/metrics")
	body := rec.Body.String()
	if sub, ok := containsAll(body,
		`clout_http_requests_total{code="200",method="GET",route="/charts/:id"} 1`,
		`clout_http_requests_total{code="404",method="GET",route="/charts/:id"} 1`,
		`clout_http_request_duration_seconds_bucket{method="GET",route="/charts/:id"`,
		"clout_data_version 1",
		`clout_imports_total{outcome="ok"} 0`,
	); !ok {
		t.Fatalf("metrics lack %q:\n%s", sub, body)
	}
}

// TestVersionPinning imports a dataset twice with different values: the current
// data show the second, ?v= the first.
func TestVersionPinning(t *testing.T) {
	store := MustOpenStore(t)
	row := func(v float64) [][]any {
		return [][]any{{"TEST.PIN", "RUS", "", "2019", v, "units", "test source"}, {"TEST.PIN", "KAZ", "", "2019", 2 * v, "units", "test source"}}
	}
	first := MustImport(t, store, "pin", "pin.xlsx", MustTidyWorkbook(t, row(10)))
	MustImport(t, store, "pin", "pin.xlsx", MustTidyWorkbook(t, row(30)))
	s := MustServer(t, store, testConfig())

	valueAt := func(url string) float64 {
		t.Helper()
		rec := get(t, s.Handler(), url)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body)
		}
		var resp struct {
			Observations []indicators.Observation `json:"observations"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Observations) != 1 {
			t.Fatalf("GET %s: %v %s", url, err, rec.Body)
		}
		return resp.Observations[0].Value
	}
	pinned := "&v=" + itoa(first.DataVersion)
	if got := valueAt("/api/observations?indicator=TEST.PIN&country=RUS"); got != 30 {
		t.Errorf("current value %v, want 30", got)
	}
	if got := valueAt("/api/observations?indicator=TEST.PIN&country=RUS" + pinned); got != 10 {
		t.Errorf("pinned value %v, want 10", got)
	}
	page := get(t, s.Handler(), "/charts/series?indicator=TEST.PIN&countries=RUS,KAZ"+pinned).Body.String()
	if sub, ok := containsAll(page, "as of data version "+itoa(first.DataVersion), `<td class="num" data-v="10">10</td>`, `<td class="num" data-v="20">20</td>`); !ok {
		t.Errorf("pinned page lacks %q", sub)
	}
	current := get(t, s.Handler(), "/charts/series?indicator=TEST.PIN&countries=RUS,KAZ").Body.String()
	if sub, ok := containsAll(current, `<td class="num" data-v="30">30</td>`, `<td class="num" data-v="60">60</td>`); !ok {
		t.Errorf("current page lacks %q", sub)
	}
}

// TestHostileLabels imports labels, units and sources that are markup, script and
// go-echarts function markers: every page and the API must carry them as text.
func TestHostileLabels(t *testing.T) {
	store := MustOpenStore(t)
	MustImport(t, store, "hostile", "hostile.xlsx", MustTidyWorkbook(t, [][]any{
		{"HOSTILE.X", "RUS", "", "2019", 1.5, hostile, hostile},
		{"HOSTILE.X", "RUS", "", "2020", 2.5, hostile, hostile},
	}))
	s := MustServer(t, store, testConfig())
	for _, url := range []string{
		"/charts/series?indicator=HOSTILE.X&countries=RUS",
		"/charts/series/embed?indicator=HOSTILE.X&countries=RUS",
		"/api/charts/series?indicator=HOSTILE.X&countries=RUS",
		"/api/observations?indicator=HOSTILE.X",
	} {
		rec := get(t, s.Handler(), url)
		body := rec.Body.String()
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d %s", url, rec.Code, body)
		}
		for _, bad := range []string{"<script>alert", "</script><script>", "<img src=x", "__f__"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: body contains %q raw", url, bad)
			}
		}
		if !strings.Contains(body, "alert(1)") || !strings.Contains(body, "alert(2)") {
			t.Errorf("GET %s: the hostile label is not shown as text at all", url)
		}
	}
	page := get(t, s.Handler(), "/charts/series?indicator=HOSTILE.X&countries=RUS").Body.String()
	if !strings.Contains(page, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("sources are not HTML-escaped text")
	}
	opt := regexp.MustCompile(`(?s)<script type="application/json" id="opt-series">(.*?)</script>`).FindStringSubmatch(page)
	if opt == nil {
		t.Fatal("no option script element")
	}
	var decoded map[string]any
	if err := json.Unmarshal([]byte(opt[1]), &decoded); err != nil {
		t.Fatalf("embedded option is not JSON: %v", err)
	}
}

func itoa(n int64) string { return strconvFormat(n) }

// TestInternalErrorsDoNotLeak: an unexpected error or a panic is a 500 with a
// generic message; the details go to the log only.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	s := MustServer(t, MustOpenStore(t), testConfig())
	s.Echo().GET("/api/boom", func(echo.Context) error { return errors.New("open /secret/path: permission denied") })
	s.Echo().GET("/boom", func(echo.Context) error { panic("secret panic") })
	runScenarios(t, s.Handler(), []scenario{
		{name: "api error", url: "/api/boom", status: 500, want: []string{`{"error":"internal error"}`}, notWant: []string{"secret"}},
		{name: "page panic", url: "/boom", status: 500, want: []string{"<html", "internal error"}, notWant: []string{"secret"}},
	})
	body := get(t, s.Handler(), "/metrics").Body.String()
	if !strings.Contains(body, `clout_http_requests_total{code="500",method="GET",route="/boom"} 1`) {
		t.Errorf("the recovered panic is not counted as a 500")
	}
}

func TestEmptyStore(t *testing.T) {
	s := MustServer(t, MustOpenStore(t), testConfig())
	runScenarios(t, s.Handler(), []scenario{
		{name: "overview says what is missing", url: "/", status: 200, want: []string{"No data yet", "no goods trade figures"}},
		{name: "chart without data", url: "/charts/trade-share", status: 404, want: []string{"<html", "no goods trade figures"}},
		{name: "api without data", url: "/api/charts/trade-share", status: 404, want: []string{`"error":"no goods trade figures`}},
		{name: "no observations", url: "/api/observations", status: 200, want: []string{`"count":0`, `"observations":[]`}},
		{name: "pinning a version of nothing", url: "/api/charts/trade-share?v=1", status: 400, want: []string{`"error":"v: data version 1 does not exist yet (the latest is 0)"`}},
		{name: "healthz", url: "/healthz", status: 200, want: []string{`"data_version":0`}},
	})
}

func TestHealthzStoreDown(t *testing.T) {
	store := MustOpenStore(t)
	s := MustServer(t, store, testConfig())
	store.Close()
	runScenarios(t, s.Handler(), []scenario{
		{name: "store closed", url: "/healthz", status: 503, want: []string{`"status":"unavailable"`}},
	})
}

// TestServeShutdown: cancelling the context stops the server gracefully; a
// request in flight still completes.
func TestServeShutdown(t *testing.T) {
	s := MustServer(t, MustOpenStore(t), testConfig())
	release := make(chan struct{})
	s.Echo().GET("/slow", func(c echo.Context) error {
		<-release
		return c.String(200, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	waitUntil(t, func() bool { return strings.Contains(get(t, s.Handler(), "/metrics").Body.String(), "go_goroutines") })
	time.Sleep(50 * time.Millisecond) // let the slow request reach its handler
	cancel()
	time.Sleep(50 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), 200*time.Millisecond); err == nil {
		t.Error("the server still accepts connections after shutdown began")
	}
	close(release)
	if body := <-got; body != "finished" {
		t.Errorf("in-flight request got %q, want it to finish", body)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v after a graceful shutdown", err)
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSnapshots runs the snapshot routes with the real exporter and renderer.
func TestSnapshots(t *testing.T) {
	s := renderingServer(t)
	runScenarios(t, s.Handler(), []scenario{
		{name: "page links the downloads", url: "/charts/trade-share?year=2019", status: 200,
			want: []string{`href="/charts/trade-share/snapshot.png?year=2019"`, `href="/charts/trade-share/snapshot.xlsx?year=2019"`}},
		{name: "svg", url: "/charts/trade-share/snapshot.svg?year=2019&width=800&height=500", status: 200, want: []string{"<svg", "Turkey"}},
		{name: "csv", url: "/charts/gas-exports/snapshot.csv", status: 200, want: []string{"Turkey"}},
		{name: "owid csv", url: "/charts/series/snapshot.owid.csv?indicator=SP.POP.TOTL&countries=ARM", status: 200,
			want: []string{"Entity,Code,Year,SP.POP.TOTL\n", "Armenia,ARM,2019,"}},
		{name: "json", url: "/charts/integration-gain/snapshot.json", status: 200, want: []string{`"option"`}},
		{name: "png", url: "/charts/trade-share/snapshot.png?width=400&height=300", status: 200, want: []string{"\x89PNG"}},
		{name: "unknown format", url: "/charts/trade-share/snapshot.gif", status: 404, want: []string{"png, svg"}},
		{name: "too wide", url: "/charts/trade-share/snapshot.png?width=9000", status: 400, want: []string{"width"}},
		{name: "bad scale", url: "/charts/trade-share/snapshot.png?scale=5", status: 400, want: []string{"scale"}},
		{name: "over the pixel budget", url: "/charts/trade-share/snapshot.png?width=3000&height=3000&scale=2", status: 413,
			want: []string{"36000000 pixels, over the limit of 16000000 pixels per image"}},
		{name: "unknown chart", url: "/charts/nope/snapshot.png", status: 404},
		{name: "bad parameter", url: "/charts/trade-share/snapshot.csv?year=abc", status: 400, want: []string{"year"}},
	})
}

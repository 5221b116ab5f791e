package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/jobs"
)

// jobsEnv is a dashboard with the real scheduler over a real SQLite store and the
// real importer, wired as cmd/clout does: the scheduler is built after the server
// (it reports to the server's DataChanged and metrics registry) and handed over
// with SetJobs.
type jobsEnv struct {
	srv    *Server
	store  *sqlite.DB
	sched  *jobs.Scheduler
	client *testClient
	dir    string // where the test writes the jobs' source files
}

// jobsConfig is the jobs: section of the tests; %[1]s is the sources directory
// and %[2]s the URL of an HTTP source. "population" imports a tidy CSV the test
// writes; "gone" imports a file that does not exist; "slow" fetches a URL that
// answers only when the test lets it.
const jobsConfig = `
jobs:
  - name: population
    schedule: "@daily"
    import: {source: %[1]q, dataset: population}
  - name: gone
    schedule: "0 6 * * MON"
    retries: 0
    import: {source: %[3]q, dataset: gone}
  - name: slow
    schedule: "@every 6h"
    retries: 0
    timeout: 1m
    import: {source: %[2]q, dataset: slow}
`

// jobsMissingFile is the source of the "gone" job: a file that does not exist,
// named so that its name would run as markup if the page did not escape it.
const jobsMissingFile = `missing <img src=x onerror=alert(3)>.csv`

// jobsPopulationCSV is a tidy CSV of population figures; scale changes the values
// (and so the bytes).
func jobsPopulationCSV(scale float64) []byte {
	var b strings.Builder
	b.WriteString("indicator,country,period,value,unit,source\n")
	for i, c := range []string{"RUS", "KAZ", "AZE"} {
		fmt.Fprintf(&b, "SP.POP.TOTL,%s,2023,%g,people,jobs test\n", c, scale*float64(1000000*(i+1)))
	}
	return []byte(b.String())
}

// MustJobsEnv starts a dashboard with the scheduler of jobsConfig; slowURL is the
// source of the "slow" job (any URL when the test does not run it).
func MustJobsEnv(tb testing.TB, cfg Config, slowURL string) *jobsEnv {
	tb.Helper()
	dir := tb.TempDir()
	store := MustDataStore(tb)
	srv := MustDataServer(tb, store, cfg)
	jc, err := jobs.ParseConfig(fmt.Appendf(nil, jobsConfig,
		filepath.Join(dir, "population.csv"), slowURL, filepath.Join(dir, jobsMissingFile)))
	if err != nil {
		tb.Fatalf("jobs config: %v", err)
	}
	im := importer.New(store, importer.Options{Countries: indicators.DefaultCountries()})
	sched, err := jobs.New(jc, jobs.Deps{
		Runs: store, Datasets: store, Settings: store, Logger: quietLogger(),
		Importer: jobs.ImporterFunc(func(ctx context.Context, r jobs.ImportRequest) (*indicators.ImportReport, error) {
			return im.Import(ctx, importer.Request{Dataset: r.Dataset, FileName: r.FileName, Data: r.Data, Format: r.Format, Who: r.Who})
		}),
		DataChanged: srv.DataChanged,
		Registerer:  srv.Metrics().Registry,
	})
	if err != nil {
		tb.Fatalf("jobs.New: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sched.Stop(ctx)
	})
	srv.SetJobs(sched)
	return &jobsEnv{srv: srv, store: store, sched: sched, client: newTestClient(tb, serve(tb, srv)), dir: dir}
}

// writeSource writes the "population" job's source file.
func (e *jobsEnv) writeSource(tb testing.TB, data []byte) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, "population.csv"), data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// runs returns GET /api/jobs/:name/runs.
func (e *jobsEnv) runs(tb testing.TB, name string) []indicators.JobRun {
	tb.Helper()
	res := e.client.do(http.MethodGet, "/api/jobs/"+name+"/runs", nil)
	if res.status != http.StatusOK {
		tb.Fatalf("runs of %s: %d %s", name, res.status, res.body)
	}
	var body JobRunsResponse
	res.json(tb, &body)
	return body.Runs
}

// dataVersions returns the data version of GET /api/datasets and the datasets'
// names.
func (e *jobsEnv) dataVersions(tb testing.TB) (int64, []string) {
	tb.Helper()
	var body DatasetsResponse
	res := e.client.do(http.MethodGet, "/api/datasets", nil)
	if res.status != http.StatusOK {
		tb.Fatalf("GET /api/datasets: %d %s", res.status, res.body)
	}
	res.json(tb, &body)
	var names []string
	for _, d := range body.Datasets {
		names = append(names, d.Name)
	}
	return body.DataVersion, names
}

// jobSection returns the HTML of one job's section of the jobs page.
func jobSection(tb testing.TB, page, job string) string {
	tb.Helper()
	start := strings.Index(page, `<section class="job" id="job-`+job+`"`)
	if start < 0 {
		tb.Fatalf("the jobs page has no section for %s", job)
	}
	rest := page[start:]
	end := strings.Index(rest, "</section>")
	return rest[:end]
}

// firstRunStatus is the status class of the first (newest) row of a runs table.
var firstRunStatus = regexp.MustCompile(`<tr class="run (\w+)" data-run="(\d+)">`)

func TestJobsAPIAndPage(t *testing.T) {
	env := MustJobsEnv(t, Config{}, "http://127.0.0.1:1/never")
	env.writeSource(t, jobsPopulationCSV(1))
	c := env.client
	form := "application/x-www-form-urlencoded"

	// Results carried from one step to the next.
	var firstVersion int64
	var firstRun indicators.JobRun

	steps := []struct {
		name   string
		method string
		path   string
		body   string
		header []string
		login  bool // open a session first
		status int
		check  func(t *testing.T, res response)
	}{
		{
			name: "list", method: "GET", path: "/api/jobs", status: 200,
			check: func(t *testing.T, res response) {
				var body JobsResponse
				res.json(t, &body)
				var names []string
				for _, j := range body.Jobs {
					names = append(names, j.Name)
				}
				if strings.Join(names, ",") != "population,gone,slow" {
					t.Fatalf("jobs %v, want population, gone, slow in config order", names)
				}
				p := body.Jobs[0]
				if p.Kind != "import" || p.Schedule != "@daily" || p.Description != jobs.Describe("@daily") || p.Next.IsZero() || p.Last != nil {
					t.Errorf("population job: %+v", p)
				}
				if p.Import == nil || p.Import.Dataset != "population" {
					t.Errorf("population job has no import spec: %+v", p.Import)
				}
			},
		},
		{
			name: "run now without credentials is 401 and imports nothing", method: "POST", path: "/api/jobs/population/run", status: 401,
			check: func(t *testing.T, res response) {
				if _, names := env.dataVersions(t); len(names) != 0 {
					t.Errorf("datasets %v after an anonymous run", names)
				}
				if runs := env.runs(t, "population"); len(runs) != 0 {
					t.Errorf("an anonymous request ran the job: %+v", runs)
				}
			},
		},
		{
			name: "run now with a wrong token is 401", method: "POST", path: "/api/jobs/population/run",
			header: bearerHeader("wrong-token"), status: 401,
		},
		{
			name: "run now with the token imports a new version", method: "POST", path: "/api/jobs/population/run",
			header: bearerHeader(testAdminToken), status: 200,
			check: func(t *testing.T, res response) {
				res.json(t, &firstRun)
				if firstRun.Status != indicators.RunOK || firstRun.Job != "population" || firstRun.DataVersion == 0 || firstRun.ID == 0 {
					t.Fatalf("run %+v, want ok with a data version", firstRun)
				}
				v, names := env.dataVersions(t)
				if v != firstRun.DataVersion || strings.Join(names, ",") != "population" {
					t.Errorf("/api/datasets: data version %d, datasets %v; the run made version %d", v, names, firstRun.DataVersion)
				}
				firstVersion = v
			},
		},
		{
			name: "the same bytes again are unchanged", method: "POST", path: "/api/jobs/population/run",
			header: bearerHeader(testAdminToken), status: 200,
			check: func(t *testing.T, res response) {
				var r indicators.JobRun
				res.json(t, &r)
				if r.Status != indicators.RunUnchanged || r.DataVersion != firstVersion {
					t.Errorf("run %+v, want unchanged at data version %d", r, firstVersion)
				}
				if v, _ := env.dataVersions(t); v != firstVersion {
					t.Errorf("data version moved to %d on an unchanged source", v)
				}
			},
		},
		{
			name: "a session post without the CSRF token is 403", method: "POST", path: "/api/jobs/population/run",
			body: "x=1", header: []string{"Content-Type", form}, login: true, status: 403,
			check: func(t *testing.T, res response) {
				if runs := env.runs(t, "population"); len(runs) != 2 {
					t.Errorf("%d runs after a refused post, want 2", len(runs))
				}
			},
		},
		{
			name: "unknown job is 404", method: "POST", path: "/api/jobs/nope/run",
			header: bearerHeader(testAdminToken), status: 404,
			check: func(t *testing.T, res response) {
				var e ErrorResponse
				res.json(t, &e)
				if !strings.Contains(e.Error, `"nope"`) {
					t.Errorf("error %q does not name the job", e.Error)
				}
			},
		},
		{name: "runs of an unknown job are 404", method: "GET", path: "/api/jobs/nope/runs", status: 404},
		{name: "limit that is not a number is 400", method: "GET", path: "/api/jobs/population/runs?limit=abc", status: 400, check: namesLimit},
		{name: "limit 0 is 400", method: "GET", path: "/api/jobs/population/runs?limit=0", status: 400, check: namesLimit},
		{name: "limit over the maximum is 400", method: "GET", path: "/api/jobs/population/runs?limit=100000", status: 400, check: namesLimit},
		{
			name: "runs are listed newest first, limit honoured", method: "GET", path: "/api/jobs/population/runs?limit=1", status: 200,
			check: func(t *testing.T, res response) {
				var body JobRunsResponse
				res.json(t, &body)
				if len(body.Runs) != 1 || body.Runs[0].Status != indicators.RunUnchanged {
					t.Fatalf("limit=1: %+v, want the newest (unchanged) run only", body.Runs)
				}
				all := env.runs(t, "population")
				if len(all) != 2 || all[0].ID <= all[1].ID || all[1].ID != firstRun.ID || all[0].Started.Before(all[1].Started) {
					t.Errorf("runs not newest first: %+v", all)
				}
			},
		},
		{
			name: "the page shows each job, its schedule and its last run", method: "GET", path: "/jobs", status: 200,
			check: func(t *testing.T, res response) {
				page := string(res.body)
				sec := jobSection(t, page, "population")
				if miss, ok := containsAll(sec, "population", "import", "@daily", jobs.Describe("@daily"), "Next run", "<time datetime=",
					`run-status unchanged`, `run-status ok`, "imported population.csv"); !ok {
					t.Errorf("population section lacks %q:\n%s", miss, sec)
				}
				if m := firstRunStatus.FindStringSubmatch(sec); m == nil || m[1] != "unchanged" {
					t.Errorf("newest row of population is %v, want unchanged", m)
				}
				if !strings.Contains(sec, `href="/datasets/population"`) {
					t.Errorf("population does not link its dataset")
				}
				gone := jobSection(t, page, "gone")
				if !strings.Contains(gone, "No runs yet") || !strings.Contains(gone, "(not imported yet)") || strings.Contains(gone, `href="/datasets/gone"`) {
					t.Errorf("gone, never run, shows runs or links a dataset that does not exist:\n%s", gone)
				}
				if !strings.Contains(page, `href="/jobs"`) {
					t.Errorf("the navigation has no Jobs link")
				}
				if strings.Contains(page, `class="run-now"`) {
					t.Errorf("an anonymous visitor sees a Run now form")
				}
			},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.login {
				if res := c.login(testAdminToken); res.status != http.StatusSeeOther {
					t.Fatalf("login: %d %s", res.status, res.body)
				}
				defer c.do(http.MethodPost, "/logout", strings.NewReader(url.Values{"_csrf": {c.formToken("/jobs")}}.Encode()), "Content-Type", form)
			}
			res := c.do(st.method, st.path, strings.NewReader(st.body), st.header...)
			if res.status != st.status {
				t.Fatalf("%s %s: %d, want %d: %s", st.method, st.path, res.status, st.status, res.body)
			}
			if st.check != nil {
				st.check(t, res)
			}
		})
	}
}

// namesLimit checks that a 400 names the limit parameter.
func namesLimit(t *testing.T, res response) {
	t.Helper()
	var e ErrorResponse
	res.json(t, &e)
	if !strings.HasPrefix(e.Error, "limit:") {
		t.Errorf("error %q does not name the limit parameter", e.Error)
	}
}

// TestJobsRunNowForm runs jobs the way a browser without JavaScript does: log
// in, post the page's form with its CSRF token, follow the redirect.
func TestJobsRunNowForm(t *testing.T) {
	env := MustJobsEnv(t, Config{}, "http://127.0.0.1:1/never")
	env.writeSource(t, jobsPopulationCSV(2))
	c := env.client
	if res := c.login(testAdminToken); res.status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", res.status, res.body)
	}

	post := func(t *testing.T, job string) string {
		t.Helper()
		csrf := c.formToken("/jobs")
		res := c.do(http.MethodPost, "/api/jobs/"+job+"/run", strings.NewReader(url.Values{"_csrf": {csrf}}.Encode()),
			"Content-Type", "application/x-www-form-urlencoded")
		if res.status != http.StatusSeeOther {
			t.Fatalf("form post: %d %s", res.status, res.body)
		}
		loc := res.header.Get("Location")
		if !strings.HasPrefix(loc, "/jobs?") || !strings.HasSuffix(loc, "#job-"+job) {
			t.Fatalf("redirect to %q", loc)
		}
		page := c.do(http.MethodGet, loc, nil)
		if page.status != http.StatusOK {
			t.Fatalf("GET %s: %d", loc, page.status)
		}
		return string(page.body)
	}

	t.Run("a run that imports shows as ok", func(t *testing.T) {
		page := post(t, "population")
		if miss, ok := containsAll(page, `class="notice ok"`, "population ran: ok", `class="run-now"`, `name="_csrf"`); !ok {
			t.Errorf("page after the run lacks %q", miss)
		}
		if m := firstRunStatus.FindStringSubmatch(jobSection(t, page, "population")); m == nil || m[1] != "ok" {
			t.Errorf("newest population run is %v, want ok", m)
		}
	})

	t.Run("a run whose source is missing shows as failed, never as a success", func(t *testing.T) {
		before, names := env.dataVersions(t)
		page := post(t, "gone")
		sec := jobSection(t, page, "gone")
		if m := firstRunStatus.FindStringSubmatch(sec); m == nil || m[1] != "failed" {
			t.Fatalf("newest gone run is %v, want failed:\n%s", m, sec)
		}
		if miss, ok := containsAll(sec, "run-status failed", "missing &lt;img src=x onerror=alert(3)&gt;.csv: no such file"); !ok {
			t.Errorf("gone section lacks %q:\n%s", miss, sec)
		}
		if strings.Contains(page, "<img") {
			t.Errorf("the source's name reached the page as markup")
		}
		for _, bad := range []string{"run-status ok", "run-status unchanged", "dataset version"} {
			if strings.Contains(sec, bad) {
				t.Errorf("a failed run shows %q", bad)
			}
		}
		if miss, ok := containsAll(page, `class="notice error"`, "gone failed:"); !ok {
			t.Errorf("notice lacks %q", miss)
		}
		if strings.Contains(page, "gone ran: ok") {
			t.Errorf("the notice calls the failed run a success")
		}
		after, namesAfter := env.dataVersions(t)
		if after != before || len(namesAfter) != len(names) {
			t.Errorf("a failed run changed the data: version %d → %d, datasets %v → %v", before, after, names, namesAfter)
		}
		runs := env.runs(t, "gone")
		if len(runs) != 1 || runs[0].Status != indicators.RunFailed || runs[0].DataVersion != 0 {
			t.Errorf("gone runs %+v, want one failed run without a data version", runs)
		}
	})

	t.Run("/metrics counts the runs by status", func(t *testing.T) {
		res := c.do(http.MethodGet, "/metrics", nil)
		if miss, ok := containsAll(string(res.body),
			`clout_job_runs_total{job="population",status="ok"} 1`,
			`clout_job_runs_total{job="gone",status="failed"} 1`,
			`clout_job_last_success_timestamp_seconds{job="population"}`); !ok {
			t.Errorf("/metrics lacks %q", miss)
		}
	})

	t.Run("a crafted notice URL shows the stored status", func(t *testing.T) {
		id := env.runs(t, "gone")[0].ID
		page := string(c.do(http.MethodGet, fmt.Sprintf("/jobs?ran=gone&run=%d", id), nil).body)
		if strings.Contains(page, "notice ok") || !strings.Contains(page, "gone failed:") {
			t.Errorf("the notice of failed run %d is not a failure", id)
		}
	})
}

// TestJobsOverlapAndPending runs a job whose HTTP source answers only when the
// test lets it: the request gives up waiting (202) while the run goes on, a
// second run is skipped (409), and the run finishes ok once the source answers.
func TestJobsOverlapAndPending(t *testing.T) {
	release := make(chan struct{})
	source := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		w.Write(jobsPopulationCSV(3))
	}))
	t.Cleanup(source.Close)
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
	})
	env := MustJobsEnv(t, Config{WriteTimeout: 400 * time.Millisecond}, source.URL+"/population.csv")
	token := bearerHeader(testAdminToken)

	res := env.client.do(http.MethodPost, "/api/jobs/slow/run", nil, token...)
	if res.status != http.StatusAccepted {
		t.Fatalf("first run: %d %s, want 202 while the source hangs", res.status, res.body)
	}
	var pending JobRunPending
	res.json(t, &pending)
	if pending.Status != indicators.RunRunning || pending.Job != "slow" {
		t.Errorf("pending body %+v", pending)
	}

	for deadline := time.Now().Add(10 * time.Second); ; {
		var list JobsResponse
		env.client.do(http.MethodGet, "/api/jobs", nil).json(t, &list)
		if slow := list.Jobs[2]; slow.Running && !slow.Since.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hanging job is never listed as running: %+v", list.Jobs[2])
		}
		time.Sleep(20 * time.Millisecond)
	}
	page := string(env.client.do(http.MethodGet, "/jobs", nil).body)
	if miss, ok := containsAll(jobSection(t, page, "slow"), "running</span> since", "run-status running"); !ok {
		t.Errorf("the page does not show slow as running (%q)", miss)
	}

	res = env.client.do(http.MethodPost, "/api/jobs/slow/run", nil, token...)
	if res.status != http.StatusConflict {
		t.Fatalf("overlapping run: %d %s, want 409", res.status, res.body)
	}
	var conflict JobRunConflict
	res.json(t, &conflict)
	if conflict.Run.Status != indicators.RunSkipped || !strings.Contains(conflict.Error, "still in progress") {
		t.Errorf("409 body %+v", conflict)
	}

	// The same from the page's form: the redirect shows the stored skip.
	if res := env.client.login(testAdminToken); res.status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.status)
	}
	res = env.client.do(http.MethodPost, "/api/jobs/slow/run",
		strings.NewReader(url.Values{"_csrf": {env.client.formToken("/jobs")}}.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || !strings.Contains(loc, "run=") {
		t.Fatalf("form post while running: %d to %q", res.status, loc)
	}
	page = string(env.client.do(http.MethodGet, res.header.Get("Location"), nil).body)
	if !strings.Contains(page, "slow was skipped: the run started at") {
		t.Errorf("the page after a skipped form post does not say so")
	}

	close(release)
	released = true
	deadline := time.Now().Add(20 * time.Second)
	for {
		runs := env.runs(t, "slow")
		if len(runs) == 3 && runs[2].Status != indicators.RunRunning {
			// Newest first is by start: the skips started after the run they overlapped.
			if statuses := runs[0].Status + " " + runs[1].Status + " " + runs[2].Status; statuses != "skipped skipped ok" || runs[1].ID <= runs[2].ID {
				t.Errorf("runs %s (%+v), want skipped, skipped, ok", statuses, runs)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the released run never finished ok: %+v", runs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, names := env.dataVersions(t); !strings.Contains(strings.Join(names, ","), "slow") {
		t.Errorf("the finished run imported nothing: datasets %v", names)
	}
}

func TestJobsPrivateMode(t *testing.T) {
	env := MustJobsEnv(t, Config{Private: true}, "http://127.0.0.1:1/never")
	c := env.client
	for _, tc := range []struct {
		name   string
		path   string
		header []string
		status int
	}{
		{name: "API list needs a credential", path: "/api/jobs", status: 401},
		{name: "runs need a credential", path: "/api/jobs/population/runs", status: 401},
		{name: "the page sends to /login", path: "/jobs", status: 303},
		{name: "the token reads the list", path: "/api/jobs", header: bearerHeader(testAdminToken), status: 200},
		{name: "the token reads the page", path: "/jobs", header: bearerHeader(testAdminToken), status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.do(http.MethodGet, tc.path, nil, tc.header...)
			if res.status != tc.status {
				t.Fatalf("GET %s: %d, want %d: %s", tc.path, res.status, tc.status, res.body)
			}
		})
	}
}

// TestJobsNoneConfigured: a server without a scheduler explains how to configure
// jobs, lists none, and knows no job by name.
func TestJobsNoneConfigured(t *testing.T) {
	store := MustDataStore(t)
	c := newTestClient(t, serve(t, MustDataServer(t, store, Config{})))
	for _, tc := range []struct {
		name   string
		method string
		path   string
		header []string
		status int
		want   []string
	}{
		{name: "page", method: "GET", path: "/jobs", status: 200, want: []string{"No jobs are configured", "clout.example.yaml", "README", "jobs:"}},
		{name: "list is empty", method: "GET", path: "/api/jobs", status: 200, want: []string{`{"jobs":[]}`}},
		{name: "runs of a job", method: "GET", path: "/api/jobs/x/runs", status: 404, want: []string{`no job \"x\"`}},
		{name: "run now", method: "POST", path: "/api/jobs/x/run", header: bearerHeader(testAdminToken), status: 404},
		{name: "run now still needs a credential", method: "POST", path: "/api/jobs/x/run", status: 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.do(tc.method, tc.path, nil, tc.header...)
			if res.status != tc.status {
				t.Fatalf("%s %s: %d, want %d: %s", tc.method, tc.path, res.status, tc.status, res.body)
			}
			if miss, ok := containsAll(string(res.body), tc.want...); !ok {
				t.Errorf("body lacks %q: %s", miss, res.body)
			}
		})
	}
	// The menu always offers Jobs: without jobs its page says how to add them.
	if page := string(c.do(http.MethodGet, "/datasets", nil).body); !strings.Contains(page, `<a href="/jobs">Jobs</a>`) {
		t.Errorf("the navigation does not link to /jobs")
	}
}

// TestJobsDepsField wires the scheduler through Deps.Jobs instead of SetJobs.
func TestJobsDepsField(t *testing.T) {
	env := MustJobsEnv(t, Config{}, "http://127.0.0.1:1/never")
	s, err := New(Config{AdminToken: testAdminToken}, Deps{Store: env.store, Logger: quietLogger(), Jobs: env.sched})
	if err != nil {
		t.Fatal(err)
	}
	rec := get(t, s.Handler(), "/api/jobs")
	var body JobsResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 200 || len(body.Jobs) != 3 {
		t.Fatalf("GET /api/jobs: %d %s (%v)", rec.Code, rec.Body, err)
	}
}

// TestBrowserJobs logs in, opens /jobs and clicks "Run now" in headless
// Chromium: the button runs the job (fetch) and the page then shows the new run.
func TestBrowserJobs(t *testing.T) {
	chromiumPath(t)
	env := MustJobsEnv(t, Config{}, "http://127.0.0.1:1/never")
	env.writeSource(t, jobsPopulationCSV(4))
	srv := httptest.NewServer(env.srv.Handler())
	t.Cleanup(srv.Close)
	if res := env.client.do(http.MethodPost, "/api/jobs/gone/run", nil, bearerHeader(testAdminToken)...); res.status != 200 {
		t.Fatalf("run gone: %d %s", res.status, res.body)
	}
	ctx, w := newBrowser(t)
	// The run request must come from the script (fetch with the CSRF header), not
	// the plain form post it enhances.
	posts := make(chan http.Header, 4)
	err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok && ev.Request.Method == http.MethodPost && strings.HasSuffix(ev.Request.URL, "/run") {
			h := http.Header{}
			for k, v := range ev.Request.Headers {
				h.Set(k, fmt.Sprint(v))
			}
			select {
			case posts <- h:
			default:
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}

	if err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login?next=%2Fjobs"),
		chromedp.SendKeys(chromedp.ID("token"), testAdminToken),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID("run-population")),
	); err != nil {
		t.Fatalf("log in and open /jobs: %v", err)
	}
	assertClean(t, w, "/login → /jobs")

	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("run-population")), chromedp.KeyEvent("\r")); err != nil {
		t.Fatalf("press Run now: %v", err)
	}
	notice, err := waitFor(ctx, `(() => { const n = document.getElementById('run-notice'); return n ? n.textContent : null; })()`)
	if err != nil {
		t.Fatalf("no notice after Run now: %v", err)
	}
	if !strings.HasPrefix(notice, "population ran: ok") {
		t.Errorf("notice %q, want an ok run", notice)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#job-population tr.run .run-status').textContent.trim()`))
	if err != nil || !strings.HasSuffix(status, "ok") {
		t.Errorf("newest run row says %q (%v), want ok", status, err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search + location.hash`)); !strings.Contains(loc, "ran=population") || !strings.HasSuffix(loc, "#job-population") {
		t.Errorf("page after the run is %q", loc)
	}
	select {
	case h := <-posts:
		if h.Get("X-CSRF-Token") == "" || h.Get("Content-Type") != "" {
			t.Errorf("the run was posted without the script (headers %v)", h)
		}
	default:
		t.Errorf("no run request was seen")
	}
	if sec, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#job-gone tr.run').className`)); err != nil || sec != "run failed" {
		t.Errorf("the gone job's newest row is %q (%v), want failed", sec, err)
	}
	jobsScreenshot(t, ctx, "jobs.png")

	// On a phone-sized screen nothing but the runs tables' own boxes scrolls sideways.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
		t.Errorf("the page is wider than a 390 px screen (%v)", err)
	}
	jobsScreenshot(t, ctx, "jobs-narrow.png")
	if runs := env.runs(t, "population"); len(runs) != 1 || runs[0].Status != indicators.RunOK {
		t.Errorf("runs %+v, want one ok run", runs)
	}
	assertClean(t, w, "/jobs after Run now")
}

// jobsScreenshot writes the page to $CLOUT_TEST_OUTPUT/name (or a temporary
// directory) for a look at the layout.
func jobsScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	dir := os.Getenv("CLOUT_TEST_OUTPUT")
	if dir == "" {
		dir = t.TempDir()
	}
	out := filepath.Join(dir, name)
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("screenshot of /jobs written to %s", out)
}

func TestJobDetailsAndTimes(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	t.Run("details", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			st     jobs.JobStatus
			stored map[string]bool
			want   string
		}{
			{
				name:   "import into a stored dataset links it",
				st:     jobs.JobStatus{Import: &jobs.ImportSpec{Source: "https://example.org/p.csv", Dataset: "wdi", Format: "worldbank"}},
				stored: map[string]bool{"wdi": true},
				want:   "Source=https://example.org/p.csv; Dataset=wdi→/datasets/wdi; Layout=worldbank",
			},
			{
				name: "import not run yet",
				st:   jobs.JobStatus{Import: &jobs.ImportSpec{Source: "data/p.csv", Dataset: "a/b"}},
				want: "Source=data/p.csv; Dataset=a/b (not imported yet)",
			},
			{
				name: "snapshot",
				st:   jobs.JobStatus{Snapshot: &jobs.SnapshotSpec{Charts: []string{"trade-share", "map"}, Formats: []string{"png", "svg"}, Dir: "exports", Keep: 7}},
				want: "Charts=trade-share, map; Formats=png, svg; Directory=exports; Keeps=7 days",
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var parts []string
				for _, d := range jobDetails(tc.st, tc.stored) {
					p := d.Label + "=" + d.Value
					if d.URL != "" {
						p += "→" + d.URL
					}
					if d.Note != "" {
						p += " (" + d.Note + ")"
					}
					parts = append(parts, p)
				}
				if got := strings.Join(parts, "; "); got != tc.want {
					t.Errorf("got  %s\nwant %s", got, tc.want)
				}
			})
		}
	})
	t.Run("next run", func(t *testing.T) {
		for _, tc := range []struct {
			in   time.Duration
			want string
		}{
			{0, "now"}, {45 * time.Second, "in 45 s"}, {20 * time.Minute, "in 20 min"},
			{3*time.Hour + 20*time.Minute, "in 3 h 20 min"}, {5 * 24 * time.Hour, "in 5 days"},
		} {
			if got := untilText(now, now.Add(tc.in)); got != tc.want {
				t.Errorf("untilText(+%s) = %q, want %q", tc.in, got, tc.want)
			}
		}
	})
	t.Run("duration", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			run  indicators.JobRun
			want string
		}{
			{"milliseconds", indicators.JobRun{Started: now, Ended: now.Add(250 * time.Millisecond)}, "250 ms"},
			{"seconds", indicators.JobRun{Started: now, Ended: now.Add(2500 * time.Millisecond)}, "2.5 s"},
			{"minutes", indicators.JobRun{Started: now, Ended: now.Add(3*time.Minute + 2*time.Second)}, "3m2s"},
			{"still running", indicators.JobRun{Started: now.Add(-10 * time.Second)}, "10.0 s so far"},
			{"never started", indicators.JobRun{}, ""},
		} {
			if got := runDuration(tc.run, now); got != tc.want {
				t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
			}
		}
	})
}

// TestInterruptedRunShown: a run marked interrupted (its process died) shows as
// such on the jobs page and in the runs API, without a duration (it ended when
// it was found dead, not when its process died).
func TestInterruptedRunShown(t *testing.T) {
	e := MustJobsEnv(t, Config{}, "http://127.0.0.1:1/slow.csv")
	started := time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)
	_, err := e.store.RecordJobRun(context.Background(), indicators.JobRun{Job: "population", Started: started,
		Ended: started.Add(time.Minute), Status: indicators.RunInterrupted, Attempt: 1,
		Message: "interrupted: its process (pid 4242 on web-1) ended before the run did"})
	if err != nil {
		t.Fatal(err)
	}
	runs := e.runs(t, "population")
	if len(runs) != 1 || runs[0].Status != "interrupted" {
		t.Fatalf("runs API %+v, want one interrupted run", runs)
	}
	page := e.client.do(http.MethodGet, "/jobs", nil)
	if missing, ok := containsAll(string(page.body), `<tr class="run interrupted"`,
		`<span class="run-status interrupted"><span aria-hidden="true">⚡</span> interrupted</span>`,
		"pid 4242 on web-1) ended before the run did",
		`<td data-label="Duration" class="num">—</td>`); page.status != http.StatusOK || !ok {
		t.Errorf("jobs page %d lacks %q", page.status, missing)
	}
}

package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/jobs"
)

// Limits of the run lists: the API's default and largest limit, and how many
// runs (attempts) the jobs page shows per job.
const (
	defaultRunsLimit = 20
	maxRunsLimit     = 1000
	pageRuns         = 10
)

// JobRunner lists, runs and reports the scheduled jobs; *jobs.Scheduler
// implements it, wired by cmd/clout through Deps.Jobs or Server.SetJobs.
type JobRunner interface {
	// Jobs returns every configured job with its schedule, next run and last run.
	Jobs(ctx context.Context) ([]jobs.JobStatus, error)
	// RunNow runs a job and returns its final run; ENOTFOUND for an unknown job.
	// An overlapping run comes back with status skipped and no error.
	RunNow(ctx context.Context, name string) (indicators.JobRun, error)
	// Runs returns a job's latest runs, newest first; ENOTFOUND for an unknown job.
	Runs(ctx context.Context, name string, limit int) ([]indicators.JobRun, error)
}

// jobsRef holds the JobRunner set by SetJobs (an atomic pointer needs a
// concrete type).
type jobsRef struct{ r JobRunner }

// SetJobs gives the server its scheduler after New, for wiring where the
// scheduler needs the server first (its metrics registry, DataChanged). It is
// safe to call while serving and takes precedence over Deps.Jobs.
func (s *Server) SetJobs(r JobRunner) { s.jobsSet.Store(&jobsRef{r}) }

// jobRunner returns the scheduler, or nil when no jobs are wired.
func (s *Server) jobRunner() JobRunner {
	if ref := s.jobsSet.Load(); ref != nil && ref.r != nil {
		return ref.r
	}
	return s.deps.Jobs
}

// registerJobRoutes adds the jobs page and API. Running a job is a write: it
// needs a Bearer token, or a session and the CSRF token, like every other write.
func (s *Server) registerJobRoutes(e *echo.Echo, read *echo.Group) {
	read.GET("/jobs", s.handleJobsPage, s.withCSRF)
	read.GET("/api/jobs", s.handleAPIJobs)
	read.GET("/api/jobs/:name/runs", s.handleAPIJobRuns)
	e.POST("/api/jobs/:name/run", s.handleRunJob, middleware.BodyLimit("16K"), s.requireWriter)
}

// JobsResponse is the body of GET /api/jobs: every configured job, in config
// order (an empty list when none are configured).
type JobsResponse struct {
	Jobs []jobs.JobStatus `json:"jobs"`
}

// JobRunsResponse is the body of GET /api/jobs/:name/runs: the latest runs
// (one per attempt), newest first.
type JobRunsResponse struct {
	Job  string              `json:"job"`
	Runs []indicators.JobRun `json:"runs"`
}

// JobRunConflict is the body of a 409 from POST /api/jobs/:name/run: the run was
// skipped because another run of the job is in progress. It is an error body
// (an ErrorResponse) that also carries the recorded skipped run.
type JobRunConflict struct {
	Error string            `json:"error"`
	Run   indicators.JobRun `json:"run"`
}

// JobRunPending is the body of a 202 from POST /api/jobs/:name/run: the run
// outlasted the request and goes on; its result appears in the job's runs.
type JobRunPending struct {
	Job     string `json:"job"`
	Status  string `json:"status"` // always "running"
	Message string `json:"message"`
}

func (s *Server) handleAPIJobs(c echo.Context) error {
	list := []jobs.JobStatus{}
	if r := s.jobRunner(); r != nil {
		got, err := r.Jobs(c.Request().Context())
		if err != nil {
			return err
		}
		if got != nil {
			list = got
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, JobsResponse{Jobs: list})
}

func (s *Server) handleAPIJobRuns(c echo.Context) error {
	name := c.Param("name")
	limit, err := runsLimit(c.QueryParam("limit"))
	if err != nil {
		return err
	}
	r, err := s.requireJobs(name)
	if err != nil {
		return err
	}
	runs, err := r.Runs(c.Request().Context(), name, limit)
	if err != nil {
		return err
	}
	if runs == nil {
		runs = []indicators.JobRun{}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, JobRunsResponse{Job: name, Runs: runs})
}

// runsLimit reads the limit parameter of the runs API: 1 to maxRunsLimit,
// defaultRunsLimit when absent.
func runsLimit(v string) (int, error) {
	if v == "" {
		return defaultRunsLimit, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > maxRunsLimit {
		return 0, indicators.Errorf(indicators.EINVALID, "limit: %q is not a number of runs from 1 to %d", v, maxRunsLimit)
	}
	return n, nil
}

// requireJobs returns the scheduler, or ENOTFOUND naming the job when none is wired.
func (s *Server) requireJobs(name string) (JobRunner, error) {
	r := s.jobRunner()
	if r == nil {
		return nil, indicators.Errorf(indicators.ENOTFOUND, "no job %q: no jobs are configured", name)
	}
	return r, nil
}

// runWait is how long POST /api/jobs/:name/run waits for the run before it
// answers 202: well inside the server's write timeout.
func (s *Server) runWait() time.Duration { return s.cfg.WriteTimeout * 3 / 4 }

// handleRunJob runs a job now and answers with its final run: 200, 409 when it
// was skipped (another run is in progress), 202 when it outlasts the request.
// A plain form post is redirected to the jobs page, which shows the stored run.
func (s *Server) handleRunJob(c echo.Context) error {
	name := c.Param("name")
	r, err := s.requireJobs(name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.runWait())
	defer cancel()
	run, err := r.RunNow(ctx, name)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && c.Request().Context().Err() == nil {
		return s.runPending(c, name)
	}
	if err != nil {
		return err
	}
	if run.Status == indicators.RunOK && run.DataVersion != 0 {
		s.DataChanged() // also done by the scheduler's hook when cmd/clout wires it
	}
	s.log.Info("job run requested", "job", name, "status", run.Status, "run", run.ID,
		"who", principalOf(c).Who, "ip", s.clientIP(c))
	if wantsHTML(c) {
		return c.Redirect(http.StatusSeeOther, jobsPageURL(name, run.ID))
	}
	if run.Status == indicators.RunSkipped {
		return c.JSON(http.StatusConflict, JobRunConflict{Error: run.Message, Run: run})
	}
	return c.JSON(http.StatusOK, run)
}

// runPending answers a run that outlasted the request's wait: it goes on, and
// its result appears in the job's runs.
func (s *Server) runPending(c echo.Context, name string) error {
	s.log.Info("job run requested; still running", "job", name, "who", principalOf(c).Who, "ip", s.clientIP(c))
	if wantsHTML(c) {
		return c.Redirect(http.StatusSeeOther, jobsPageURL(name, 0))
	}
	return c.JSON(http.StatusAccepted, JobRunPending{Job: name, Status: indicators.RunRunning,
		Message: fmt.Sprintf("%s is still running; its result will be in /api/jobs/%s/runs", name, name)})
}

// jobsPageURL is the jobs page after a run of job: the page shows the stored
// run id (0: the run is still in progress) as a notice.
func jobsPageURL(job string, run int64) string {
	q := url.Values{"ran": {job}}
	if run != 0 {
		q.Set("run", strconv.FormatInt(run, 10))
	}
	return "/jobs?" + q.Encode() + "#" + jobAnchor(job)
}

func jobAnchor(job string) string { return "job-" + job }

// jobsView is the data of the jobs page.
type jobsView struct {
	formView
	Jobs   []jobView
	Notice *jobNotice
}

// jobNotice reports the outcome of a "Run now" after the redirect.
type jobNotice struct {
	Class string // ok | error | "" (neutral)
	Text  string
}

// jobView is one job, formatted for the page.
type jobView struct {
	Name        string
	Anchor      string
	Kind        string
	Schedule    string
	Description string
	Next        timeView
	NextIn      string
	Running     bool
	Since       timeView
	RunAction   string
	RunsURL     string
	Details     []jobDetail
	Runs        []runView
}

// jobDetail is one line of a job's spec (source, dataset, charts...).
type jobDetail struct {
	Label, Value, URL, Note string
}

// timeView is a time for a <time> element: machine-readable and as shown.
type timeView struct {
	ISO, Text string
}

// runView is one run (attempt) of a job, formatted for the page.
type runView struct {
	ID          int64
	Status      string // ok | unchanged | failed | skipped | running | interrupted
	Symbol      string // a shape per status, so colour is not the only cue
	Started     timeView
	Duration    string
	Attempt     int
	Message     string
	DataVersion int64
	Version     int    // the dataset version an import created
	DatasetURL  string // the dataset's page, when the run imported
	Errors      []indicators.ImportProblem
}

// runSymbols are the status marks of the runs table.
var runSymbols = map[string]string{
	indicators.RunOK:        "✓",
	indicators.RunUnchanged: "=",
	indicators.RunFailed:    "✗",
	indicators.RunSkipped:   "↷",
	indicators.RunRunning:   "…",
	// A run whose process died (kill -9, a crash), marked by the next scheduler.
	indicators.RunInterrupted: "⚡",
}

func (s *Server) handleJobsPage(c echo.Context) error {
	view := jobsView{formView: s.formViewOf(c)}
	if r := s.jobRunner(); r != nil {
		ctx := c.Request().Context()
		list, err := r.Jobs(ctx)
		if err != nil {
			return err
		}
		stored, err := s.datasetNames(ctx)
		if err != nil {
			return err
		}
		for _, st := range list {
			runs, err := r.Runs(ctx, st.Name, pageRuns)
			if err != nil {
				return err
			}
			view.Jobs = append(view.Jobs, s.newJobView(st, runs, stored))
		}
	}
	view.Notice = runNotice(c.QueryParam("ran"), c.QueryParam("run"), view.Jobs)
	return s.renderData(c, http.StatusOK, "jobs", "Jobs", view)
}

// datasetNames returns the names of the stored datasets, so the page links only
// to datasets that exist (an import job's dataset appears with its first run).
func (s *Server) datasetNames(ctx context.Context) (map[string]bool, error) {
	list, err := s.store.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]bool, len(list))
	for _, d := range list {
		names[d.Name] = true
	}
	return names, nil
}

func (s *Server) newJobView(st jobs.JobStatus, runs []indicators.JobRun, stored map[string]bool) jobView {
	now := s.now()
	v := jobView{
		Name:        st.Name,
		Anchor:      jobAnchor(st.Name),
		Kind:        st.Kind,
		Schedule:    st.Schedule,
		Description: st.Description,
		Next:        newTimeView(st.Next),
		NextIn:      untilText(now, st.Next),
		Running:     st.Running,
		Since:       newTimeView(st.Since),
		RunAction:   "/api/jobs/" + url.PathEscape(st.Name) + "/run",
		RunsURL:     "/api/jobs/" + url.PathEscape(st.Name) + "/runs",
		Details:     jobDetails(st, stored),
	}
	for _, r := range runs {
		v.Runs = append(v.Runs, newRunView(r, now))
	}
	return v
}

// jobDetails lists what a job does; import sources come redacted from the
// scheduler (no URL passwords on a public page). A dataset is linked once stored.
func jobDetails(st jobs.JobStatus, stored map[string]bool) []jobDetail {
	var d []jobDetail
	if im := st.Import; im != nil {
		ds := jobDetail{Label: "Dataset", Value: im.Dataset, Note: "not imported yet"}
		if stored[im.Dataset] {
			ds = jobDetail{Label: "Dataset", Value: im.Dataset, URL: datasetURL(im.Dataset)}
		}
		d = append(d, jobDetail{Label: "Source", Value: im.Source}, ds)
		if im.Format != "" {
			d = append(d, jobDetail{Label: "Layout", Value: im.Format})
		}
	}
	if sn := st.Snapshot; sn != nil {
		d = append(d, jobDetail{Label: "Charts", Value: strings.Join(sn.Charts, ", ")},
			jobDetail{Label: "Formats", Value: strings.Join(sn.Formats, ", ")},
			jobDetail{Label: "Directory", Value: sn.Dir})
		if sn.Keep > 0 {
			d = append(d, jobDetail{Label: "Keeps", Value: strconv.Itoa(sn.Keep) + " days"})
		}
	}
	return d
}

func newRunView(r indicators.JobRun, now time.Time) runView {
	v := runView{
		ID:          r.ID,
		Status:      r.Status,
		Symbol:      runSymbols[r.Status],
		Started:     newTimeView(r.Started),
		Duration:    runDuration(r, now),
		Attempt:     r.Attempt,
		Message:     r.Message,
		DataVersion: r.DataVersion,
	}
	if rep := r.Report; rep != nil {
		if r.Status == indicators.RunOK && rep.Version > 0 {
			v.Version, v.DatasetURL = rep.Version, datasetURL(rep.Dataset)
		}
		if r.Status == indicators.RunFailed {
			v.Errors = rep.Errors
		}
	}
	return v
}

// runDuration is how long a run took, or has been running. An interrupted run's
// end is when it was found dead, not when its process died: its length is not known.
func runDuration(r indicators.JobRun, now time.Time) string {
	if r.Status == indicators.RunInterrupted {
		return "—"
	}
	end := r.Ended
	suffix := ""
	if end.IsZero() {
		end, suffix = now, " so far"
	}
	if r.Started.IsZero() || end.Before(r.Started) {
		return ""
	}
	return formatDuration(end.Sub(r.Started)) + suffix
}

// formatDuration writes a run's duration: milliseconds under a second, then
// seconds, minutes and hours.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	return d.Round(time.Second).String()
}

// untilText says how far off t is: "in 3 h 20 min", "in 45 s", or "now".
func untilText(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := t.Sub(now)
	switch {
	case d < time.Second:
		return "now"
	case d < time.Minute:
		return fmt.Sprintf("in %d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("in %d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("in %d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("in %d days", int(d.Hours()/24))
}

// newTimeView formats t in its own location (a job's CRON_TZ), with seconds.
func newTimeView(t time.Time) timeView {
	if t.IsZero() {
		return timeView{}
	}
	return timeView{ISO: t.Format(time.RFC3339), Text: t.Format("2006-01-02 15:04:05 MST")}
}

// runNotice reports the run a "Run now" redirect names, from the stored runs on
// the page: a crafted URL cannot make a failure look like a success.
func runNotice(job, runID string, views []jobView) *jobNotice {
	if job == "" {
		return nil
	}
	var jv *jobView
	for i := range views {
		if views[i].Name == job {
			jv = &views[i]
		}
	}
	if jv == nil {
		return nil
	}
	if runID == "" {
		return &jobNotice{Text: job + " is still running; reload this page for its result."}
	}
	id, _ := strconv.ParseInt(runID, 10, 64)
	for _, r := range jv.Runs {
		if r.ID == id && id != 0 {
			return noticeOf(job, r)
		}
	}
	return &jobNotice{Text: fmt.Sprintf("%s ran (run %s); see its latest runs below.", job, runID)}
}

func noticeOf(job string, r runView) *jobNotice {
	switch r.Status {
	case indicators.RunOK:
		return &jobNotice{Class: "ok", Text: job + " ran: ok. " + r.Message}
	case indicators.RunFailed:
		return &jobNotice{Class: "error", Text: job + " failed: " + r.Message}
	case indicators.RunSkipped:
		return &jobNotice{Text: job + " was skipped: " + strings.TrimPrefix(r.Message, "skipped: ")}
	case indicators.RunUnchanged:
		return &jobNotice{Text: job + " ran: unchanged. " + r.Message}
	case indicators.RunInterrupted:
		return &jobNotice{Class: "error", Text: job + " was " + r.Message}
	}
	return &jobNotice{Text: job + " is " + r.Status + "."}
}

package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/jobs"
)

// knownNames lists what a jobs config may name.
func knownNames() jobs.Known {
	k := jobs.Known{ImportFormats: append([]string{"auto"}, importer.Formats()...)}
	for _, c := range indicators.Charts() {
		k.Charts = append(k.Charts, c.ID())
	}
	for _, f := range export.Formats() {
		k.Formats = append(k.Formats, string(f))
	}
	return k
}

// loadJobs reads the jobs of the config file (none without a file).
func loadJobs(cfg Config) (jobs.Config, error) {
	if cfg.Path == "" {
		return jobs.Config{}, nil
	}
	return jobs.LoadConfig(cfg.Path)
}

// newScheduler builds the scheduler of the configured jobs over the app's store,
// importer and an in-process snapshotter. dataChanged and reg may be nil.
func newScheduler(a *app, jc jobs.Config, dataChanged func(), reg prometheus.Registerer) (*jobs.Scheduler, error) {
	snapshot := jobs.SnapshotterFunc(func(ctx context.Context, chart string, params indicators.Params, format string) ([]byte, string, error) {
		f, err := export.ParseFormat(format)
		if err != nil {
			return nil, "", err
		}
		snap, _, err := a.charts.Render(ctx, chart, params, 0, f, export.DefaultImage())
		return snap.Body, string(f), err
	})
	imp := jobs.ImporterFunc(func(ctx context.Context, r jobs.ImportRequest) (*indicators.ImportReport, error) {
		return a.importer(nil).Import(ctx, importer.Request{Dataset: r.Dataset, FileName: r.FileName, Data: r.Data, Format: r.Format, Who: r.Who, AllowOlder: r.AllowOlder})
	})
	return jobs.New(jc, jobs.Deps{
		Runs: a.store, Datasets: a.store, Settings: a.store, Locker: a.store,
		Importer: imp, Snapshotter: snapshot,
		Known:       knownNames(),
		DataChanged: dataChanged,
		MaxSize:     jobs.ByteSize(a.cfg.Limits.UploadBytes()),
		Registerer:  reg,
		Logger:      a.log,
	})
}

func runJobs(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("jobs", env)
	common := addCommonFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: clout jobs [--config clout.yaml] [--db ...] [--json] [list | run NAME]")
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	verb, err := subcommand(fs, "list", map[string]int{"list": 0, "run": 1})
	if err != nil {
		return err
	}
	cfg, err := common.load(env)
	if err != nil {
		return err
	}
	if cfg.Path == "" {
		return indicators.Errorf(indicators.EINVALID, "no config file: give --config clout.yaml or CLOUT_CONFIG (see clout.example.yaml)")
	}
	jc, err := loadJobs(cfg)
	if err != nil {
		return err
	}
	app, err := openApp(ctx, env, cfg, waitNotice(env))
	if err != nil {
		return err
	}
	defer app.Close()
	sched, err := newScheduler(app, jc, nil, nil)
	if err != nil {
		return err
	}
	if verb == "run" {
		run, err := sched.RunNow(ctx, fs.Arg(1))
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(env.Stdout, run)
		}
		fmt.Fprintf(env.Stdout, "%s: %s after %d attempt(s) in %s", run.Job, run.Status, run.Attempt, run.Ended.Sub(run.Started).Round(time.Millisecond))
		if run.DataVersion > 0 {
			fmt.Fprintf(env.Stdout, ", data version %d", run.DataVersion)
		}
		if run.Message != "" {
			fmt.Fprintf(env.Stdout, ": %s", run.Message)
		}
		fmt.Fprintln(env.Stdout)
		if run.Status == indicators.RunFailed {
			return indicators.Errorf(indicators.EINVALID, "job %s failed", run.Job)
		}
		return nil
	}
	list, err := sched.Jobs(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, list)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tKIND\tSCHEDULE\tNEXT RUN\tLAST RUN")
	for _, j := range list {
		last := "never"
		if j.Last != nil {
			last = fmt.Sprintf("%s %s", j.Last.Status, j.Last.Started.Format(time.RFC3339))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Name, j.Kind, j.Description, j.Next.Format(time.RFC3339), last)
	}
	return tw.Flush()
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/jobs"
)

// TestTwoSnapshotJobsAtOnce runs two snapshot jobs of one process at the same
// time: they share the process's one renderer, which is built once (run with
// -race: the renderer used to be built lazily without a lock).
func TestTwoSnapshotJobsAtOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" }}
	a, err := openApp(ctx, env, Config{DB: filepath.Join(dir, "clout.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	jc, err := jobs.ParseConfig([]byte(`jobs:
  - name: trade
    schedule: "@daily"
    snapshot: {charts: [trade-share], formats: [svg], dir: ` + filepath.Join(dir, "a") + `}
  - name: gas
    schedule: "@daily"
    snapshot: {charts: [gas-exports, integration-gain], formats: [png], dir: ` + filepath.Join(dir, "b") + `}
`))
	if err != nil {
		t.Fatal(err)
	}
	sched, err := newScheduler(a, jc, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	runs := make([]indicators.JobRun, 2)
	errs := make([]error, 2)
	for i, name := range []string{"trade", "gas"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i], errs[i] = sched.RunNow(ctx, name)
		}()
	}
	wg.Wait()
	for i := range runs {
		if errs[i] != nil || runs[i].Status != indicators.RunOK {
			t.Fatalf("job %d: %+v, %v\n%s", i, runs[i], errs[i], stderr.String())
		}
	}
	for _, pattern := range []string{"a/*/trade-share.svg", "b/*/gas-exports.png", "b/*/integration-gain.png"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(files) != 1 {
			t.Fatalf("%s: %d files", pattern, len(files))
		}
		if info, err := os.Stat(files[0]); err != nil || info.Size() < 1000 {
			t.Errorf("%s: %v, %v", files[0], info, err)
		}
	}
}

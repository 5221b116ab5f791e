package jobs

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// A run in the store says which process runs it (its owner: host, pid and the
// process's start time, or a random id where that is unknown) and when that
// process last said so (its heartbeat, every fifth of the lease). A run left
// "running" by a process that died is marked interrupted when a scheduler starts
// and after each run of its job: at once if its owner was a process of this
// host that is gone (no such pid, or one started at another time: a restarted
// container), otherwise once its heartbeat is older than the lease (another
// host's replica). A run of a live process of this host is never marked, and the
// mark only applies if the heartbeat is still the one that was judged stale.

// owner identifies a process running jobs.
type owner struct {
	host     string
	pid      int
	instance string // the process's start time, or a random id
}

func newOwner() owner {
	host, _ := os.Hostname()
	pid := os.Getpid()
	instance, _, ok := processStart(pid)
	if !ok {
		b := make([]byte, 6)
		rand.Read(b)
		instance = "r" + hex.EncodeToString(b)
	}
	return owner{host: host, pid: pid, instance: instance}
}

func (o owner) String() string { return o.host + "/" + strconv.Itoa(o.pid) + "/" + o.instance }

// parseOwner reads a stored owner; ok is false for runs recorded without one.
func parseOwner(s string) (o owner, ok bool) {
	i, j := strings.LastIndexByte(s, '/'), -1
	if i > 0 {
		j = strings.LastIndexByte(s[:i], '/')
	}
	if j < 0 {
		return owner{}, false
	}
	pid, err := strconv.Atoi(s[j+1 : i])
	if err != nil {
		return owner{}, false
	}
	return owner{host: s[:j], pid: pid, instance: s[i+1:]}, true
}

// alive reports whether o, a process of this host, still runs.
func (o owner) alive(self owner) bool {
	if start, dead, ok := processStart(o.pid); ok {
		return start == o.instance && !dead
	}
	if _, _, known := processStart(self.pid); known {
		return false // procfs works here, and has no such pid
	}
	return o.pid != self.pid && processExists(o.pid)
}

// processStart returns the start time of process pid (in clock ticks since
// boot, from Linux's /proc), which tells it from a later process with the same
// pid, and whether it has ended but is not yet reaped (a zombie: right after a
// kill -9 its entry stays until its parent collects it); ok is false where there
// is no such process or no /proc.
func processStart(pid int) (start string, dead bool, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", false, false
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", false, false
	}
	fields := strings.Fields(string(b[i+1:]))
	// Fields 3 (state) and 22 (start time) of stat; fields here start at field 3.
	const state, startTime = 0, 19
	if len(fields) <= startTime {
		return "", false, false
	}
	return fields[startTime], fields[state] == "Z" || fields[state] == "X", true
}

// interruptedWhy says why run r, recorded as running, is not running any more,
// or "" if it may still be.
func (s *Scheduler) interruptedWhy(r indicators.JobRun, now time.Time) string {
	o, ok := parseOwner(r.Owner)
	switch {
	case ok && o == s.owner:
		return "" // this process's own run
	case ok && o.host == s.owner.host:
		if o.alive(s.owner) {
			return ""
		}
		return fmt.Sprintf("interrupted: its process (pid %d on %s) ended before the run did", o.pid, o.host)
	case now.Sub(r.Heartbeat) > s.deps.RunLease:
		who := "its process"
		if ok {
			who = fmt.Sprintf("its process (pid %d on %s)", o.pid, o.host)
		}
		return fmt.Sprintf("interrupted: %s has not reported on it since %s (more than %s)",
			who, r.Heartbeat.UTC().Format(time.RFC3339), s.deps.RunLease)
	}
	return ""
}

// markInterrupted marks the runs of job (every job for "") whose process died
// as interrupted.
func (s *Scheduler) markInterrupted(job string) {
	ctx, cancel := context.WithTimeout(s.base, recordTimeout)
	defer cancel()
	runs, err := s.deps.Runs.RunningJobRuns(ctx)
	if err != nil {
		s.deps.Logger.Warn("reading running job runs", "err", err)
		return
	}
	now := time.Now()
	for _, r := range runs {
		if job != "" && r.Job != job {
			continue
		}
		why := s.interruptedWhy(r, now)
		if why == "" {
			continue
		}
		marked, err := s.deps.Runs.InterruptJobRun(ctx, r, s.deps.Now(), why)
		switch {
		case err != nil:
			s.deps.Logger.Warn("marking an interrupted job run", "job", r.Job, "run", r.ID, "err", err)
		case marked:
			s.deps.Logger.Warn("job run interrupted", "job", r.Job, "run", r.ID, "message", why)
		}
	}
}

// heartbeat records every fifth of the lease that this process still runs run
// id, until stop is closed.
func (s *Scheduler) heartbeat(id int64, stop <-chan struct{}) {
	if id == 0 {
		return
	}
	t := time.NewTicker(s.deps.RunLease / 5)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(s.base, recordTimeout)
			if err := s.deps.Runs.HeartbeatJobRun(ctx, id, time.Now()); err != nil {
				s.deps.Logger.Warn("job run heartbeat", "run", id, "err", err)
			}
			cancel()
		}
	}
}

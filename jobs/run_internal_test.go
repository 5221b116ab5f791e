package jobs

import (
	"os/exec"
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	tests := []struct {
		name    string
		base    time.Duration
		attempt int
		want    time.Duration
	}{
		{"first retry waits the base", 30 * time.Second, 1, 30 * time.Second},
		{"then doubles", 30 * time.Second, 3, 2 * time.Minute},
		{"capped", 30 * time.Second, 12, DefaultMaxBackoff},
		{"base over the cap", time.Hour, 1, DefaultMaxBackoff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backoffDelay(tt.base, tt.attempt); got != tt.want {
				t.Errorf("backoffDelay(%s, %d) = %s, want %s", tt.base, tt.attempt, got, tt.want)
			}
		})
	}
}

// TestOwnerKilledButNotReapedIsNotAlive: right after a kill -9 the process's
// entry stays in /proc (a zombie) until its parent collects it; its runs are
// interrupted all the same.
func TestOwnerKilledButNotReapedIsNotAlive(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("no sleep to run: %v", err)
	}
	pid := cmd.Process.Pid
	start, _, ok := processStart(pid)
	if !ok {
		cmd.Process.Kill()
		cmd.Wait()
		t.Skip("no /proc here")
	}
	self := newOwner()
	o := owner{host: self.host, pid: pid, instance: start}
	if !o.alive(self) {
		t.Fatal("a running process is judged gone")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, dead, ok := processStart(pid); ok && dead {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the killed process never showed as a zombie")
		}
	}
	if o.alive(self) {
		t.Error("a killed process that is not yet reaped is judged alive")
	}
}

package jobs

import (
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

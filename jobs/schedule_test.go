package jobs_test

import (
	"testing"
	"time"

	"github.com/clout-dev/clout/jobs"
)

func TestScheduleWordsAndNextRun(t *testing.T) {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	// Wednesday 25 November 2026, 10:20:30 UTC.
	from := time.Date(2026, 11, 25, 10, 20, 30, 0, time.UTC)
	tests := []struct {
		name  string
		spec  string
		words string
		next  time.Time
	}{
		{"daily at six", "0 6 * * *", "every day at 06:00", time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)},
		{"weekly on Monday", "0 7 * * MON", "every Monday at 07:00", time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)},
		{"weekdays", "30 8 * * 1-5", "every weekday at 08:30", time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC)},
		{"two days", "0 9 * * 2,4", "every Tuesday and Thursday at 09:00", time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)},
		{"twice a day", "0 6,18 * * *", "every day at 06:00 and 18:00", time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)},
		{"monthly", "0 3 1 * *", "on day 1 of every month at 03:00", time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)},
		{"yearly on a date", "0 0 15 1 *", "every year on 15 January at 00:00", time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)},
		{"every 15 minutes", "*/15 * * * *", "every 15 minutes", time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)},
		{"every 15 minutes on Monday", "*/15 * * * MON", "every 15 minutes on Monday", time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)},
		{"hourly at minute", "5 * * * *", "every hour at minute 5", time.Date(2026, 11, 25, 11, 5, 0, 0, time.UTC)},
		{"every 6 hours field", "0 */6 * * *", "every 6 hours", time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)},
		{"with seconds", "30 0 6 * * *", "every day at 06:00:30", time.Date(2026, 11, 26, 6, 0, 30, 0, time.UTC)},
		{"every minute", "* * * * *", "every minute", time.Date(2026, 11, 25, 10, 21, 0, 0, time.UTC)},
		{"@daily", "@daily", "every day at 00:00", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)},
		{"@hourly", "@hourly", "every hour, on the hour", time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)},
		{"@weekly", "@weekly", "every Sunday at 00:00", time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)},
		{"@monthly", "@monthly", "on day 1 of every month at 00:00", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		{"@every 6h", "@every 6h", "every 6 hours", time.Date(2026, 11, 25, 16, 20, 30, 0, time.UTC)},
		{"@every 90m", "@every 90m", "every 90 minutes", time.Date(2026, 11, 25, 11, 50, 30, 0, time.UTC)},
		{"@every 48h", "@every 48h", "every 2 days", time.Date(2026, 11, 27, 10, 20, 30, 0, time.UTC)},
		{"time zone", "CRON_TZ=Europe/Moscow 0 6 * * *", "every day at 06:00 (Europe/Moscow)", time.Date(2026, 11, 26, 6, 0, 0, 0, moscow)},
		{"no words for it", "0 6 1-7 * MON", `cron "0 6 1-7 * MON"`, time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jobs.Describe(tt.spec); got != tt.words {
				t.Errorf("Describe(%q) = %q, want %q", tt.spec, got, tt.words)
			}
			sched, err := jobs.ParseSchedule(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			next := []time.Time{sched.Next(from)}
			next = append(next, sched.Next(next[0]))
			if !next[0].Equal(tt.next) {
				t.Errorf("next run of %q = %s, want %s", tt.spec, next[0], tt.next)
			}
			if !next[1].After(next[0]) {
				t.Errorf("second run %s is not after the first %s", next[1], next[0])
			}
		})
	}
}

func TestParseScheduleRejects(t *testing.T) {
	for _, spec := range []string{"", "0 6 * *", "0 6 * * * * *", "60 * * * *", "@sometimes", "@every soon", "CRON_TZ=Nowhere/City 0 6 * * *"} {
		if _, err := jobs.ParseSchedule(spec); err == nil {
			t.Errorf("ParseSchedule(%q) accepted a bad spec", spec)
		}
	}
}

package jobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/clout-dev/clout/indicators"
)

// parser accepts 5-field specs, an optional leading seconds field, descriptors
// (@daily, @every 6h) and a CRON_TZ= prefix.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a job schedule; a bad spec is an EINVALID error quoting it.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, indicators.Errorf(indicators.EINVALID, "bad schedule %q: %v", spec, err)
	}
	return s, nil
}

var descriptors = map[string]string{
	"@yearly":   "every year on 1 January at 00:00",
	"@annually": "every year on 1 January at 00:00",
	"@monthly":  "on day 1 of every month at 00:00",
	"@weekly":   "every Sunday at 00:00",
	"@daily":    "every day at 00:00",
	"@midnight": "every day at 00:00",
	"@hourly":   "every hour, on the hour",
}

var (
	weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	months   = []string{"", "January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

// Describe says a schedule in words for the jobs page: "every day at 06:00",
// "every Monday at 07:00", "every 6 hours", "every 15 minutes on weekdays". Specs
// it has no words for come back quoted ("cron \"0 6 1-7 * MON\""); a time zone is
// added in parentheses.
func Describe(spec string) string {
	spec = strings.TrimSpace(spec)
	tz := ""
	if rest, ok := cutTZ(spec); ok {
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			return fmt.Sprintf("cron %q", spec)
		}
		tz, spec = rest[:i], strings.TrimSpace(rest[i:])
	}
	words := describe(spec)
	if tz != "" {
		words += " (" + tz + ")"
	}
	return words
}

func cutTZ(spec string) (string, bool) {
	if r, ok := strings.CutPrefix(spec, "CRON_TZ="); ok {
		return r, true
	}
	return strings.CutPrefix(spec, "TZ=")
}

func describe(spec string) string {
	if d, ok := descriptors[spec]; ok {
		return d
	}
	if every, ok := strings.CutPrefix(spec, "@every "); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(every)); err == nil {
			return "every " + durationWords(d)
		}
	}
	f := strings.Fields(spec)
	if len(f) == 5 {
		f = append([]string{"0"}, f...)
	}
	if len(f) != 6 {
		return fmt.Sprintf("cron %q", spec)
	}
	when, okT := timeWords(f[0], f[1], f[2])
	days, okD := dayWords(f[3], f[4], f[5])
	if !okT || !okD {
		return fmt.Sprintf("cron %q", spec)
	}
	if !strings.HasPrefix(when, "every") {
		return days + " " + when // "every Monday at 07:00"
	}
	switch {
	case days == "every day":
		return when
	case days == "every weekday":
		return when + " on weekdays"
	case strings.HasPrefix(days, "every ") && !strings.HasPrefix(days, "every year"):
		return when + " on " + strings.TrimPrefix(days, "every ") // "every 15 minutes on Monday"
	}
	return when + ", " + days
}

// timeWords describes the seconds, minutes and hours fields.
func timeWords(sec, min, hour string) (string, bool) {
	s, sOK := single(sec, 0, 59)
	if !sOK {
		return "", false
	}
	m, mOK := single(min, 0, 59)
	hours, hOK := list(hour, 0, 23)
	switch {
	case mOK && hOK:
		at := make([]string, len(hours))
		for i, h := range hours {
			at[i] = clock(h, m, s)
		}
		return "at " + joinAnd(at), true
	case mOK && hour == "*" && s == 0 && m == 0:
		return "every hour, on the hour", true
	case mOK && hour == "*" && s == 0:
		return fmt.Sprintf("every hour at minute %d", m), true
	case min == "*" && hour == "*" && s == 0:
		return "every minute", true
	}
	if n, ok := step(min, 59); ok && hour == "*" && s == 0 {
		return fmt.Sprintf("every %d minutes", n), true
	}
	if n, ok := step(hour, 23); ok && mOK && s == 0 && m == 0 {
		return fmt.Sprintf("every %d hours", n), true
	}
	return "", false
}

// dayWords describes the day-of-month, month and day-of-week fields.
func dayWords(dom, month, dow string) (string, bool) {
	star := func(f string) bool { return f == "*" || f == "?" }
	switch {
	case star(dom) && star(month) && star(dow):
		return "every day", true
	case star(dom) && star(month):
		if dow == "1-5" || strings.EqualFold(dow, "MON-FRI") {
			return "every weekday", true
		}
		days, ok := names(dow, weekdays, 0, 7)
		return "every " + joinAnd(days), ok
	case star(dow) && star(month):
		d, ok := single(dom, 1, 31)
		return fmt.Sprintf("on day %d of every month", d), ok
	case star(dow):
		d, okD := single(dom, 1, 31)
		ms, okM := names(month, months, 1, 12)
		return fmt.Sprintf("every year on %d %s", d, joinAnd(ms)), okD && okM && len(ms) == 1
	}
	return "", false
}

func clock(h, m, s int) string {
	if s != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

// single reads a field that is one number in [lo, hi].
func single(f string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(f)
	return n, err == nil && n >= lo && n <= hi
}

// list reads a comma-separated list of numbers in [lo, hi].
func list(f string, lo, hi int) ([]int, bool) {
	var out []int
	for _, p := range strings.Split(f, ",") {
		n, ok := single(p, lo, hi)
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// step reads "*/n" (n in [2, hi]).
func step(f string, hi int) (int, bool) {
	r, ok := strings.CutPrefix(f, "*/")
	if !ok {
		return 0, false
	}
	return single(r, 2, hi)
}

// names reads a comma-separated list of numbers or three-letter names (MON, JAN)
// and returns the full names; numbers index into table (7 is Sunday for weekdays).
func names(f string, table []string, lo, hi int) ([]string, bool) {
	var out []string
	for _, p := range strings.Split(f, ",") {
		if n, ok := single(p, lo, hi); ok {
			out = append(out, table[n%len(table)])
			continue
		}
		found := false
		for _, name := range table {
			if len(p) == 3 && len(name) >= 3 && strings.EqualFold(name[:3], p) {
				out, found = append(out, name), true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return out, true
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// durationWords says 6h as "6 hours", 90m as "90 minutes", 36h as "36 hours".
func durationWords(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}}
	for _, u := range units {
		if d >= u.d && d%u.d == 0 {
			n := int64(d / u.d)
			if n == 1 {
				return u.name
			}
			return fmt.Sprintf("%d %ss", n, u.name)
		}
	}
	return d.String()
}

package jobs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"gopkg.in/yaml.v3"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
)

// Defaults applied to jobs that leave the field out.
const (
	DefaultTimeout    = 10 * time.Minute
	DefaultRetries    = 2
	DefaultBackoff    = 30 * time.Second
	DefaultMaxBackoff = 10 * time.Minute
	DefaultMaxSize    = ByteSize(importer.DefaultMaxUpload)
	DefaultKeep       = 30
	// DefaultRunLease is how long a run of another process may go without a
	// heartbeat (sent every fifth of it) before it counts as interrupted.
	DefaultRunLease = 5 * time.Minute
)

// Config is the jobs: section of a Clout config file (clout.yaml). The file's
// other keys (addr, db, limits...) belong to cmd/clout; see clout.example.yaml.
type Config struct {
	Jobs []Job `yaml:"jobs"`
}

// Job is one scheduled job: exactly one of Import and Snapshot is set.
type Job struct {
	Name     string        `yaml:"name"`
	Schedule string        `yaml:"schedule"`
	Import   *ImportSpec   `yaml:"import"`
	Snapshot *SnapshotSpec `yaml:"snapshot"`
	// Timeout bounds each attempt; 0 means DefaultTimeout.
	Timeout time.Duration `yaml:"timeout"`
	// Retries is how many times a failed attempt is retried; nil means DefaultRetries.
	Retries *int `yaml:"retries"`
	// Backoff is the wait before the first retry, doubled before each next one
	// (at most DefaultMaxBackoff); 0 means DefaultBackoff.
	Backoff time.Duration `yaml:"backoff"`
}

// ImportSpec is an import job: fetch Source (a local path or an http(s) URL) and
// import it as a new version of Dataset.
type ImportSpec struct {
	Source  string   `yaml:"source" json:"source,omitempty"`
	Dataset string   `yaml:"dataset" json:"dataset,omitempty"`
	Format  string   `yaml:"format" json:"format,omitempty"`     // importer layout; "" = auto
	MaxSize ByteSize `yaml:"max_size" json:"max_size,omitempty"` // 0 = Deps.MaxSize or DefaultMaxSize
	// AllowOlder imports a file even where its figures are older than the stored
	// vintage of the same cells (a scheduled fetch of an archived release).
	AllowOlder bool `yaml:"allow_older" json:"allow_older,omitempty"`
}

// SnapshotSpec is a snapshot job: export every chart in every format into
// Dir/YYYY-MM-DD/<chart>.<ext>, keeping the Keep newest day directories.
type SnapshotSpec struct {
	Charts  []string          `yaml:"charts" json:"charts,omitempty"`
	Params  indicators.Params `yaml:"params" json:"params,omitempty"` // given to every chart
	Formats []string          `yaml:"formats" json:"formats,omitempty"`
	Dir     string            `yaml:"dir" json:"dir,omitempty"`
	Keep    int               `yaml:"keep" json:"keep,omitempty"` // 0 = DefaultKeep
}

// Kind returns "import" or "snapshot" ("" for an invalid job).
func (j Job) Kind() string {
	switch {
	case j.Import != nil && j.Snapshot == nil:
		return "import"
	case j.Snapshot != nil && j.Import == nil:
		return "snapshot"
	}
	return ""
}

func (j Job) timeout() time.Duration { return orDefault(j.Timeout, DefaultTimeout) }
func (j Job) backoff() time.Duration { return orDefault(j.Backoff, DefaultBackoff) }

func (j Job) retries() int {
	if j.Retries == nil {
		return DefaultRetries
	}
	return *j.Retries
}

func (s SnapshotSpec) keep() int {
	if s.Keep == 0 {
		return DefaultKeep
	}
	return s.Keep
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// LoadConfig reads and parses the config file at path (see ParseConfig).
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Config{}, indicators.Errorf(indicators.ENOTFOUND, "config %s: no such file", path)
		}
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		return Config{}, indicators.Errorf(indicators.EINVALID, "config %s: %s", path, indicators.ErrorMessage(err))
	}
	return cfg, nil
}

// ParseConfig decodes the jobs: section of a YAML config. Unknown keys inside it
// are errors (a typo must not silently disable a job); the file's other top-level
// keys are left to cmd/clout. It checks only the YAML; Validate checks the jobs.
func ParseConfig(b []byte) (Config, error) {
	var file struct {
		Jobs  []Job          `yaml:"jobs"`
		Other map[string]any `yaml:",inline"` // server settings, read by cmd/clout
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, indicators.Errorf(indicators.EINVALID, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return Config{Jobs: file.Jobs}, nil
}

// Known lists what a config may name; a nil list is not checked.
type Known struct {
	Charts        []string // chart ids (indicators' charts)
	Formats       []string // snapshot formats (png, svg, csv, xlsx, html, json)
	ImportFormats []string // importer layouts (auto, tidy, wide, ...)
}

// Validate checks every job and returns one EINVALID error listing all problems,
// each naming its job, or nil.
func (c Config) Validate(k Known) error {
	var problems []string
	seen := map[string]int{}
	for i, j := range c.Jobs {
		label := fmt.Sprintf("job %q", j.Name)
		if j.Name == "" {
			label = fmt.Sprintf("job #%d", i+1)
			problems = append(problems, label+": missing name")
		} else if first, dup := seen[j.Name]; dup {
			problems = append(problems, fmt.Sprintf("%s: duplicate name (also job #%d)", label, first+1))
		} else {
			seen[j.Name] = i
		}
		for _, p := range j.problems(k) {
			problems = append(problems, label+": "+p)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return indicators.Errorf(indicators.EINVALID, "invalid jobs config:\n  %s", strings.Join(problems, "\n  "))
}

func (j Job) problems(k Known) []string {
	var ps []string
	if j.Name != "" && !validName(j.Name) {
		ps = append(ps, "name may use only letters, digits, '-', '_' and '.'")
	}
	if j.Schedule == "" {
		ps = append(ps, "missing schedule")
	} else if _, err := ParseSchedule(j.Schedule); err != nil {
		ps = append(ps, indicators.ErrorMessage(err))
	}
	if j.Timeout < 0 || j.Backoff < 0 || j.Retries != nil && *j.Retries < 0 {
		ps = append(ps, "timeout, retries and backoff must not be negative")
	}
	switch {
	case j.Import != nil && j.Snapshot != nil:
		ps = append(ps, "has both import and snapshot (give exactly one)")
	case j.Import != nil:
		ps = append(ps, j.Import.problems(k)...)
	case j.Snapshot != nil:
		ps = append(ps, j.Snapshot.problems(k)...)
	default:
		ps = append(ps, "has neither import nor snapshot (give exactly one)")
	}
	return ps
}

func (s ImportSpec) problems(k Known) []string {
	var ps []string
	if s.Dataset == "" {
		ps = append(ps, "import: missing dataset")
	}
	if s.Source == "" {
		ps = append(ps, "import: missing source")
	} else if u, err := url.Parse(s.Source); err == nil && isURL(u) && u.Host == "" {
		ps = append(ps, fmt.Sprintf("import: source %q has no host", s.Source))
	} else if err == nil && strings.Contains(s.Source, "://") && !isURL(u) {
		ps = append(ps, fmt.Sprintf("import: source %q: only local paths and http(s) URLs are supported", s.Source))
	}
	if s.Format != "" && k.ImportFormats != nil && !slices.Contains(k.ImportFormats, s.Format) {
		ps = append(ps, fmt.Sprintf("import: unknown format %q (known: %s)", s.Format, strings.Join(k.ImportFormats, ", ")))
	}
	if s.MaxSize < 0 {
		ps = append(ps, "import: max_size must not be negative")
	}
	return ps
}

func (s SnapshotSpec) problems(k Known) []string {
	var ps []string
	if len(s.Charts) == 0 {
		ps = append(ps, "snapshot: no charts")
	}
	for _, c := range s.Charts {
		if k.Charts != nil && !slices.Contains(k.Charts, c) {
			ps = append(ps, fmt.Sprintf("snapshot: unknown chart %q (known: %s)", c, strings.Join(k.Charts, ", ")))
		}
	}
	if len(s.Formats) == 0 {
		ps = append(ps, "snapshot: no formats")
	}
	for _, f := range s.Formats {
		if k.Formats != nil && !slices.Contains(k.Formats, f) {
			ps = append(ps, fmt.Sprintf("snapshot: unknown format %q (known: %s)", f, strings.Join(k.Formats, ", ")))
		}
	}
	if s.Dir == "" {
		ps = append(ps, "snapshot: missing dir")
	}
	if s.Keep < 0 {
		ps = append(ps, "snapshot: keep must not be negative")
	}
	return ps
}

func isURL(u *url.URL) bool { return u.Scheme == "http" || u.Scheme == "https" }

// validName keeps job names safe in URLs (/api/jobs/:name), metrics labels and
// settings keys.
func validName(s string) bool {
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.", r)
		if !ok {
			return false
		}
	}
	return true
}

// ByteSize is a size in bytes, written in YAML as a number of bytes or with a unit:
// 512KiB, 100MiB, 1GiB, 10MB, 1GB.
type ByteSize int64

// UnmarshalYAML implements yaml.Unmarshaler.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*b = v
	return nil
}

// ParseByteSize reads a size such as "100MiB", "10MB" or "1048576".
func ParseByteSize(s string) (ByteSize, error) {
	n, err := humanize.ParseBytes(strings.TrimSpace(s))
	if err != nil || n > math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size (use e.g. 100MiB, 10MB or a number of bytes)", s)
	}
	return ByteSize(n), nil
}

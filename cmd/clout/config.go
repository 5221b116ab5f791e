package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"
	"gopkg.in/yaml.v3"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/dashboard"
	"github.com/clout-dev/clout/data"
	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
)

// Config is Clout's configuration, layered: defaults < YAML file < CLOUT_* environment
// < command-line flags. The jobs: section of the same file is read by the jobs package.
type Config struct {
	Addr       string        `yaml:"addr"`
	DB         string        `yaml:"db"`
	Private    bool          `yaml:"private"`
	BaseURL    string        `yaml:"base_url"`
	TrustProxy bool          `yaml:"trust_proxy"` // older switch: trust loopback and private addresses as proxies
	AdminToken string        `yaml:"admin_token"`
	Limits     LimitsConfig  `yaml:"limits"`
	Shutdown   time.Duration `yaml:"shutdown_timeout"`
	// WriteLockWait bounds how long a write (an import...) waits its turn for the
	// store's write lock before it is refused (EBUSY: HTTP 503 with Retry-After).
	WriteLockWait time.Duration `yaml:"write_lock_wait"`
	// Claims are the claims: list, checked when the file is read (claims.ParseConfig).
	Claims claims.Config `yaml:"-"`
	Path   string        `yaml:"-"` // the config file read, if any

	// TrustedProxies are the reverse proxies' addresses or CIDR ranges whose
	// X-Forwarded-For/-Proto are believed (CLOUT_TRUSTED_PROXIES, --trusted-proxies).
	TrustedProxies []string `yaml:"trusted_proxies"`
	// MetricsAddr, when set, serves /metrics on its own listen address only
	// (CLOUT_METRICS_ADDR, --metrics-addr).
	MetricsAddr string `yaml:"metrics_addr"`
}

// LimitsConfig bounds what an import accepts (uploads, `clout import` and
// import jobs) and the work the server takes on at once.
type LimitsConfig struct {
	UploadMiB       int64 `yaml:"upload_mib"`
	UncompressedMiB int64 `yaml:"uncompressed_mib"`
	Cells           int64 `yaml:"cells"`
	// UploadMinKiBs is the slowest average upload rate received, in KiB/s.
	UploadMinKiBs int64 `yaml:"upload_min_kib_per_s"`
	// Imports run at once in the server; ImportQueue more wait.
	Imports     int `yaml:"imports"`
	ImportQueue int `yaml:"import_queue"`
	// ImagePixels bounds one PNG; RenderPixels the PNG pixels rendered at once.
	ImagePixels  int64 `yaml:"image_pixels"`
	RenderPixels int64 `yaml:"render_pixels"`
	// MemoryMiB is `clout serve`'s soft memory limit (runtime/debug), 0 for
	// none; GOMEMLIMIT, when set, wins.
	MemoryMiB int64 `yaml:"memory_mib"`
}

// defaultServeMemoryMiB is the server's soft memory limit. Without one the Go
// heap grows to twice what is live before a collection, so a burst of work
// (imports queued behind each other, pages recomputed after new data, a large
// PNG) peaks at twice its size; with it the collector runs sooner as the process
// nears the limit. It is soft: work that needs more still gets it.
const defaultServeMemoryMiB = 448

// UploadBytes is the largest file accepted, in bytes.
func (l LimitsConfig) UploadBytes() int64 { return l.UploadMiB << 20 }

func defaultConfig() Config {
	return Config{
		Addr:          ":8080",
		DB:            "clout.db",
		Shutdown:      15 * time.Second,
		WriteLockWait: data.DefaultWriteWait,
		Limits: LimitsConfig{
			UploadMiB:       importer.DefaultMaxUpload >> 20,
			UncompressedMiB: importer.DefaultMaxUnzipped >> 20,
			Cells:           importer.DefaultMaxCells,
			UploadMinKiBs:   dashboard.DefaultUploadMinRate >> 10,
			Imports:         dashboard.DefaultImports,
			ImportQueue:     dashboard.DefaultImportQueue,
			ImagePixels:     chart.DefaultMaxImagePixels,
			RenderPixels:    chart.DefaultRenderPixels,
			MemoryMiB:       defaultServeMemoryMiB,
		},
	}
}

// commonFlags are the flags every store-using command takes.
type commonFlags struct {
	db, config *string
	maxUpload  *int64
}

func addCommonFlags(fs *flag.FlagSet) commonFlags {
	return commonFlags{
		db:        fs.String("db", "", "database: a SQLite file path or a postgres:// URL (env CLOUT_DB; default clout.db)"),
		config:    fs.String("config", "", "YAML config file (env CLOUT_CONFIG)"),
		maxUpload: fs.Int64("max-upload", 0, "largest upload or import-job file in MiB (env CLOUT_MAX_UPLOAD, config limits.upload_mib; default 32); `clout import` of a local file is not bounded by it"),
	}
}

// load builds the configuration: defaults, then the YAML file, then the environment,
// then the flags that were set.
func (c commonFlags) load(env *Env) (Config, error) {
	cfg := defaultConfig()
	path := firstNonEmpty(*c.config, env.Getenv("CLOUT_CONFIG"))
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return cfg, indicators.Errorf(indicators.EINVALID, "config file %s does not exist", path)
			}
			return cfg, fmt.Errorf("read config %s: %w", path, err)
		}
		var fileCfg struct {
			Config `yaml:",inline"`
			Jobs   yaml.Node `yaml:"jobs"`
			Claims yaml.Node `yaml:"claims"`
		}
		fileCfg.Config = cfg
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true) // a misspelt key must not be silently ignored
		if err := dec.Decode(&fileCfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, indicators.Errorf(indicators.EINVALID, "config %s: %s", path, yamlProblem(err))
		}
		cfg = fileCfg.Config
		cfg.Path = path
		if cfg.Claims, err = claims.ParseConfig(&fileCfg.Claims); err != nil {
			return cfg, indicators.Errorf(indicators.EINVALID, "config %s: %s", path, indicators.ErrorMessage(err))
		}
	}
	cfg.DB = firstNonEmpty(*c.db, env.Getenv("CLOUT_DB"), cfg.DB)
	cfg.Addr = firstNonEmpty(env.Getenv("CLOUT_ADDR"), cfg.Addr)
	cfg.AdminToken = firstNonEmpty(env.Getenv("CLOUT_ADMIN_TOKEN"), cfg.AdminToken)
	if v := env.Getenv("CLOUT_TRUSTED_PROXIES"); v != "" {
		cfg.TrustedProxies = splitList(v)
	}
	cfg.MetricsAddr = firstNonEmpty(env.Getenv("CLOUT_METRICS_ADDR"), cfg.MetricsAddr)
	if v := env.Getenv("CLOUT_MAX_UPLOAD"); v != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n <= 0 {
			return cfg, indicators.Errorf(indicators.EINVALID, "CLOUT_MAX_UPLOAD=%q: want a size in MiB, e.g. 64", v)
		}
		cfg.Limits.UploadMiB = n
	}
	if v := env.Getenv("CLOUT_WRITE_LOCK_WAIT"); v != "" {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return cfg, indicators.Errorf(indicators.EINVALID, "CLOUT_WRITE_LOCK_WAIT=%q: want a duration, e.g. 30s or 2m", v)
		}
		cfg.WriteLockWait = d
	}
	if cfg.WriteLockWait <= 0 {
		return cfg, indicators.Errorf(indicators.EINVALID, "write_lock_wait %s: want a positive duration, e.g. 30s", cfg.WriteLockWait)
	}
	if *c.maxUpload < 0 {
		return cfg, indicators.Errorf(indicators.EINVALID, "--max-upload %d: want a size in MiB, e.g. 64", *c.maxUpload)
	} else if *c.maxUpload > 0 {
		cfg.Limits.UploadMiB = *c.maxUpload
	}
	return cfg, nil
}

// splitList reads a comma-separated list, dropping blanks around and between items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// proxyPrefixes parses trusted_proxies: each item an address (one host) or a
// CIDR range; a wrong item is named with the setting.
func proxyPrefixes(items []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(items))
	for _, item := range items {
		item = strings.TrimSpace(item)
		if p, err := netip.ParsePrefix(item); err == nil {
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), max(0, p.Bits()-96))
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, indicators.Errorf(indicators.EINVALID, "trusted_proxies: %q is not an address or a CIDR range (e.g. 10.0.0.0/8, 192.0.2.10, fd00::/8)", item)
		}
		a = a.Unmap().WithZone("")
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

var unknownField = regexp.MustCompile(`field (\S+) not found in type .*`)

// yamlProblem words a YAML decoding error for people: "line 3: unknown key "adr"".
func yamlProblem(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = unknownField.ReplaceAllString(m, `unknown key "$1"`)
	}
	return strings.Join(msgs, "; ")
}

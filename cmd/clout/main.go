// Command clout serves and feeds the Clout dashboard of Russia's regional-influence
// indicators. It only wires the packages together (docs/ARCHITECTURE.md); the
// verbs are described in the README's "CLI" section.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/clout-dev/clout/indicators"
)

// version is set at build time (Makefile: -X main.version=...).
var version = "dev"

const usage = `Clout — Russia's regional-influence indicators, charted.

Usage:
  clout serve    [--addr :8080] [--db clout.db|postgres://...] [--config clout.yaml] [--private]
  clout import   [--db ...] [--dataset NAME] [--format auto|tidy|wide|worldbank|databank|dots|comtrade|oecd] [--dry-run] [--json] FILE...
  clout chart    [--db ...] ID [--param k=v ...] [--json]
  clout export   [--db ...] ID --format png|svg|csv|xlsx|html|json [--param k=v ...] [--out FILE]
  clout datasets [--db ...] [list | show NAME | rollback NAME VERSION]
  clout jobs     [--config ...] [list | run NAME]
  clout token    [--db ...] reset
  clout claims   [--db ...] [--config ...] [list | show ID | check] [--json]
  clout version

Environment: CLOUT_DB, CLOUT_ADDR, CLOUT_CONFIG, CLOUT_ADMIN_TOKEN, CLOUT_TRUSTED_PROXIES,
CLOUT_METRICS_ADDR stand in for the flags.
Run 'clout COMMAND --help' for a command's flags.
`

// exitStatus is an outcome that is no error but has its own exit status (clout
// claims check: 3 when a verdict changed); its output has been printed.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// errUsage marks a bad invocation (exit status 2); the message has been printed.
var errUsage = errors.New("usage")

// command is one CLI verb.
type command func(ctx context.Context, env *Env, args []string) error

// Env is what a command reads and writes: streams and the process environment.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	StderrIsTTY    bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, StderrIsTTY: isTerminal(os.Stderr)}
	// Libraries log through slog's default logger; CLI verbs only want warnings on
	// stderr (serve installs its own request-level logger).
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(Run(ctx, env, os.Args[1:]))
}

// Run runs the CLI with args and returns the exit status: 0 success, 1 user error
// (reason on stderr), 2 bad usage.
func Run(ctx context.Context, env *Env, args []string) int {
	commands := map[string]command{
		"serve":    runServe,
		"import":   runImport,
		"chart":    runChart,
		"export":   runExport,
		"datasets": runDatasets,
		"jobs":     runJobs,
		"token":    runToken,
		"claims":   runClaims,
		"version":  runVersion,
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "clout: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	err := cmd(ctx, env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	var exit exitStatus
	if errors.As(err, &exit) {
		return int(exit)
	}
	fmt.Fprintf(env.Stderr, "clout %s: %s\n", args[0], oneLine(err))
	for _, d := range indicators.ErrorDetails(err) {
		fmt.Fprintf(env.Stderr, "  %s\n", problemString(d))
	}
	return 1
}

// oneLine returns the user-facing message of err: the coded message for user errors,
// the whole chain for others (the CLI user is the operator, so nothing is hidden).
func oneLine(err error) string {
	if indicators.ErrorCode(err) == indicators.EINTERNAL {
		return strings.ReplaceAll(err.Error(), "\n", " ")
	}
	return strings.ReplaceAll(indicators.ErrorMessage(err), "\n", " ")
}

// problemString formats an import problem with its place: file, sheet, row, column.
func problemString(p indicators.ImportProblem) string {
	var place []string
	if p.File != "" {
		place = append(place, p.File)
	}
	if p.Sheet != "" {
		place = append(place, fmt.Sprintf("sheet %q", p.Sheet))
	}
	if p.Row > 0 {
		place = append(place, fmt.Sprintf("row %d", p.Row))
	}
	if p.Column != "" {
		place = append(place, "column "+p.Column)
	}
	if len(place) == 0 {
		return p.Message
	}
	return strings.Join(place, ", ") + ": " + p.Message
}

func runVersion(_ context.Context, env *Env, args []string) error {
	fs := newFlagSet("version", env)
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "clout %s\n", version)
	return nil
}

// newFlagSet returns a flag set that reports errors as usage errors.
func newFlagSet(name string, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet("clout "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parseInterspersed parses flags that may come before or after positional arguments
// ("clout chart trade-share --json" and "clout chart --json trade-share").
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			positional = append(positional, rest[1:]...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

// usageError prints msg and the flag set's usage and returns errUsage.
func usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return errUsage
}

// paramFlags collects repeated --param k=v flags.
type paramFlags indicators.Params

func (p paramFlags) String() string { return "" }

func (p paramFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("%q is not k=v", s)
	}
	p[strings.TrimSpace(k)] = strings.TrimSpace(v)
	return nil
}

// subcommand reads the verb of a command with subcommands (def when none is
// given) and checks it takes the number of arguments args gives it; either
// mistake is a usage error naming it.
func subcommand(fs *flag.FlagSet, def string, args map[string]int) (string, error) {
	verb := def
	if fs.NArg() > 0 {
		verb = fs.Arg(0)
	}
	n, ok := args[verb]
	if !ok {
		return "", usageError(fs, "unknown subcommand %q", verb)
	}
	if got := max(fs.NArg()-1, 0); got != n {
		return "", usageError(fs, "%s takes %d argument(s), not %d", verb, n, got)
	}
	return verb, nil
}

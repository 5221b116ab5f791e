// Package clout holds the tests of the repository's documents: the paths that
// README.md and docs/ARCHITECTURE.md name exist, the sample files under
// docs/examples are what the seed data make, and the README's CLI examples run
// on a fresh install.
package clout

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the sample files under docs/examples")

// buildOutputs are the paths that `make build` and `make assets` create; the
// documents may name them though a fresh clone does not hold them.
var buildOutputs = []string{"bin/", "assets/vendor/", "node_modules/"}

func isBuildOutput(p string) bool {
	return slices.ContainsFunc(buildOutputs, func(o string) bool { return strings.HasPrefix(p, o) })
}

var (
	backquoted = regexp.MustCompile("`([^`\n]+)`")
	mdLink     = regexp.MustCompile(`\]\(([^)#\s]+)(?:#[^)]*)?\)`)
	// pathLike is a relative path with a slash, or a file name with an extension
	// of the files a repository holds.
	pathLike = regexp.MustCompile(`^(\.{0,2}/)?[\w.\-]+(/[\w.\-]+)*/?$`)
	fileExt  = regexp.MustCompile(`\.(go|md|ya?ml|sql|sh|xlsx|csv|json|png|mod|js|css|html)$`)
)

// docPaths returns the repository paths that a Markdown document names in
// backquotes or links: relative, with a slash or a file extension; routes
// (/charts/:id), URLs and shell commands are not paths.
func docPaths(t *testing.T, doc string) []string {
	t.Helper()
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	add := func(p string) {
		p = strings.TrimSpace(p)
		switch {
		case strings.HasPrefix(p, "/"), strings.Contains(p, "://"), !pathLike.MatchString(p):
			return
		case !strings.Contains(strings.Trim(p, "./"), "/"):
			if !fileExt.MatchString(p) {
				return
			}
		case !strings.HasPrefix(p, "."):
			// A path starts at the top of the repository (encoding/csv, n/a and
			// cpu-s/op are not paths).
			top, _, _ := strings.Cut(p, "/")
			if _, err := os.Stat(top); err != nil && !isBuildOutput(p) {
				return
			}
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, m := range backquoted.FindAllStringSubmatch(string(b), -1) {
		add(m[1])
	}
	for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
		add(m[1])
	}
	return out
}

func checkPaths(t *testing.T, doc string) {
	t.Helper()
	paths := docPaths(t, doc)
	if len(paths) == 0 {
		t.Fatalf("%s names no paths: the test reads it wrongly", doc)
	}
	for _, p := range paths {
		if isBuildOutput(p) {
			continue
		}
		// Links are relative to the document, paths in backquotes to the top of
		// the repository; neither may leave the repository.
		found := false
		for _, c := range []string{filepath.Clean(p), filepath.Join(filepath.Dir(doc), p)} {
			if _, err := os.Stat(c); err == nil && !strings.HasPrefix(c, "..") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s names %s, which is not in the repository", doc, p)
		}
	}
}

func TestArchitecturePathsExist(t *testing.T) { checkPaths(t, "docs/ARCHITECTURE.md") }

func TestReadmePathsExist(t *testing.T) {
	checkPaths(t, "README.md")
	checkPaths(t, "docs/benchmarks.md")
}

// populationExample is the World Bank bulk CSV that the README imports: the
// population of Russia and of the FSU-CORE bloc, 2018–2022, from the seed.
const populationExample = "docs/examples/API_SP.POP.TOTL_DS2_en_csv_v2.csv"

// TestExampleFiles checks that the sample files are what the seed data make;
// `go test -run TestExampleFiles -update .` rewrites them.
func TestExampleFiles(t *testing.T) {
	got := worldBankPopulation(t)
	if *update {
		if err := os.MkdirAll(filepath.Dir(populationExample), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(populationExample, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(populationExample)
	if err != nil {
		t.Fatalf("%v (run `go test -run TestExampleFiles -update .`)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what the seed makes: run `go test -run TestExampleFiles -update .`", populationExample)
	}
}

// worldBankPopulation writes the seed's population figures in the layout of the
// World Bank's bulk download (metadata lines, a blank line, one row per country,
// a trailing empty column).
func worldBankPopulation(t *testing.T) []byte {
	t.Helper()
	bloc, ok := indicators.DefaultCountries().Group("FSU-CORE")
	if !ok {
		t.Fatal("no FSU-CORE group")
	}
	countries := append([]string{"RUS"}, bloc.Members...)
	years := []int{2018, 2019, 2020, 2021, 2022}
	obs, err := testkit.SeededStore(t).Observations(context.Background(), indicators.Query{
		Indicators: []string{indicators.PopulationCode}, Countries: countries,
		From: indicators.Year(years[0]), To: indicators.Year(years[len(years)-1]),
	})
	if err != nil {
		t.Fatal(err)
	}
	value := map[string]float64{}
	for _, o := range obs {
		value[fmt.Sprint(o.Country, o.Period.Year)] = o.Value
	}
	var buf bytes.Buffer
	buf.WriteString("\"Data Source\",\"World Development Indicators\",\n\n")
	w := csv.NewWriter(&buf)
	header := []string{"Country Name", "Country Code", "Indicator Name", "Indicator Code"}
	for _, y := range years {
		header = append(header, strconv.Itoa(y))
	}
	rows := [][]string{append(header, "")}
	for _, c := range countries {
		row := []string{indicators.CountryName(c), c, "Population, total", indicators.PopulationCode}
		for _, y := range years {
			v, ok := value[fmt.Sprint(c, y)]
			if !ok {
				t.Fatalf("the seed has no population of %s in %d", c, y)
			}
			row = append(row, strconv.FormatFloat(v, 'f', -1, 64))
		}
		rows = append(rows, append(row, ""))
	}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadmeExamples builds bin/clout in a fresh directory and runs every command
// of the README's CLI examples there, on an empty database (filled with the seed
// on first use), as a newcomer would after `make build`.
func TestReadmeExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	cmds := readmeExamples(t)
	if len(cmds) < 5 {
		t.Fatalf("found %d example commands in README.md: the test reads it wrongly", len(cmds))
	}
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "bin", "clout"), "./cmd/clout")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(repo, "docs"), filepath.Join(dir, "docs")); err != nil {
		t.Fatal(err)
	}
	for _, line := range cmds {
		cmd := exec.Command("sh", "-c", line)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CLOUT_DB="+filepath.Join(dir, "clout.db"), "CLOUT_CONFIG=", "CLOUT_ADDR=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
		// The README's figures are the ones Clout computes.
		if m := gainComment.FindStringSubmatch(line); m != nil {
			want := fmt.Sprintf("%s%% to Russia's population and %s%% to its GDP (PPP)", m[1], m[2])
			if !strings.Contains(string(out), want) {
				t.Errorf("%s: the output does not say %q:\n%s", line, want, out)
			}
		}
	}
}

// gainComment is an example's comment that quotes the integration gain.
var gainComment = regexp.MustCompile(`# .*\+([\d.]+)% population, \+([\d.]+)% GDP \(PPP\)`)

// readmeExamples returns the bin/clout commands of the README's sh blocks.
func readmeExamples(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	inSh := false
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "```"):
			inSh = line == "```sh"
		case inSh && strings.HasPrefix(line, "bin/clout "):
			out = append(out, line)
		}
	}
	return out
}

package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

func TestClaimsList(t *testing.T) {
	db := filepath.Join(t.TempDir(), "clout.db")
	code, out, errOut := cli(t, db, "claims")
	if code != 0 {
		t.Fatalf("clout claims: %d %s", code, errOut)
	}
	for _, want := range []string{indicators.ClaimTradeShare + "  ", "fails", "since 2022", "holds for single months only (2020-03, 2020-04, 2024-04)"} {
		if !strings.Contains(out, want) {
			t.Errorf("clout claims lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = cli(t, db, "claims", "--json")
	var rep claims.Report
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep.Claims) != 4 {
		t.Fatalf("clout claims --json: %d %v %d claims", code, err, len(rep.Claims))
	}
	code, out, _ = cli(t, db, "claims", "show", indicators.ClaimPopGain)
	if code != 0 || !regexp.MustCompile(`\n2024 +fails`).MatchString(out) {
		t.Errorf("clout claims show: %d\n%s", code, out)
	}
	if code, _, errOut := cli(t, db, "claims", "show", "nope"); code != 1 || !strings.Contains(errOut, "unknown claim") {
		t.Errorf("unknown claim: %d %s", code, errOut)
	}
	if code, _, _ := cli(t, db, "claims", "frobnicate"); code != 2 {
		t.Errorf("bad verb: %d, want 2", code)
	}
}

// An import that changes a figure makes `clout claims check` exit 3 once, and
// the claim's webhook fires once.
func TestClaimsCheck_afterImport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "clout.db")
	var mu sync.Mutex
	var posts []claims.WebhookPayload
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p claims.WebhookPayload
		json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		posts = append(posts, p)
		mu.Unlock()
	}))
	defer hook.Close()
	config := filepath.Join(dir, "clout.yaml")
	os.WriteFile(config, []byte("claims:\n  - id: "+indicators.ClaimTradeShare+"\n    webhook: "+hook.URL+"\n"), 0o600)

	if code, out, errOut := cli(t, db, "claims", "check", "--config", config); code != 0 {
		t.Fatalf("first check: %d %s %s", code, out, errOut)
	}
	file := filepath.Join(dir, "correction.xlsx")
	os.WriteFile(file, testkit.TidyWorkbook(t, [][]any{
		{indicators.ExportsCode, "RUS", "TUR", "2019", 60e9, "US$", "test correction"},
		{indicators.ImportsCode, "RUS", "TUR", "2019", 30e9, "US$", "test correction"},
	}), 0o600)
	code, out, errOut := cli(t, db, "import", "--config", config, file)
	if code != 0 || !strings.Contains(out, "claim "+indicators.ClaimTradeShare+": 2019: holds → ") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, db, "claims", "check", "--config", config)
	if code != 3 || !strings.Contains(out, "2019: holds → ") {
		t.Errorf("check after the import: %d %s, want 3 naming the change", code, out)
	}
	if code, out, _ := cli(t, db, "claims", "check", "--config", config); code != 0 {
		t.Errorf("second check: %d %s, want 0", code, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posts) != 1 || posts[0].Claim != indicators.ClaimTradeShare || len(posts[0].Changes) != 1 {
		t.Errorf("webhook posts %+v, want one with the 2019 change", posts)
	}
}

func TestClaimsConfig_problemsStopTheStart(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "clout.yaml")
	os.WriteFile(config, []byte("addr: :0\nclaims:\n  - id: x\n    text: t\n    said: {title: a}\n    metric: {chart: trade-share, figure: combined-share}\n    test: \"<<5\"\n    periods: each year\n"), 0o600)
	code, _, errOut := cli(t, filepath.Join(dir, "clout.db"), "claims", "--config", config)
	if code != 1 || !strings.Contains(errOut, "line 7: claim x: test:") {
		t.Errorf("bad claim config: %d %s", code, errOut)
	}
}

package claims_test

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/indicators"
)

func parseClaims(t *testing.T, src string) (claims.Config, error) {
	t.Helper()
	var file struct {
		Claims yaml.Node `yaml:"claims"`
	}
	if err := yaml.Unmarshal([]byte(src), &file); err != nil {
		t.Fatal(err)
	}
	return claims.ParseConfig(&file.Claims)
}

func TestParseConfig(t *testing.T) {
	cfg, err := parseClaims(t, `
claims:
  - id: gas-germany-fell-50pct
    text: "Russia's gas exports to Germany fell by half"
    said: {title: "Some article", date: 2023-01, url: "https://example.org/a"}
    metric: {chart: gas-exports, params: {destinations: DEU}, figure: yoy-change, unit: "%"}
    test: fall>=50%
    margin: 2
    periods: each year, from 2021
    webhook: https://hooks.example.org/a
  - id: turkey-azerbaijan-under-5pct-trade
    webhook: https://hooks.example.org/b
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Claims) != 1 {
		t.Fatalf("claims %+v", cfg.Claims)
	}
	c := cfg.Claims[0]
	if c.Test != (indicators.ClaimTest{Kind: indicators.TestFallAtLeast, Threshold: 50}) || c.Periods.From != indicators.Year(2021) ||
		c.Metric.Params["destinations"] != "DEU" || c.Said.URL != "https://example.org/a" || c.Margin != 2 {
		t.Errorf("claim %+v", c)
	}
	if cfg.Webhooks["gas-germany-fell-50pct"] != "https://hooks.example.org/a" || cfg.Webhooks[indicators.ClaimTradeShare] != "https://hooks.example.org/b" {
		t.Errorf("webhooks %v", cfg.Webhooks)
	}
}

// Every problem is named with its line.
func TestParseConfig_problemsWithLines(t *testing.T) {
	_, err := parseClaims(t, `
claims:
  - id: bad-one
    text: "x"
    said: {title: "t", url: "ftp://x"}
    metric: {chart: gas-exports, params: {destinations: DEU}, figure: bloc-ratio}
    test: "<<5"
    periods: each year
  - id: typo
    txt: "x"
  - id: turkey-azerbaijan-under-5pct-trade
    text: "again"
    said: {title: "t"}
    metric: {chart: trade-share, params: {partners: TUR}, figure: combined-share}
    test: "<5"
    periods: each year
  - id: nothing-here
    webhook: "https://h.example.org"
`)
	if indicators.ErrorCode(err) != indicators.EINVALID {
		t.Fatalf("err %v, want EINVALID", err)
	}
	msg := indicators.ErrorMessage(err)
	for _, want := range []string{
		`line 5: claim bad-one: said.url: "ftp://x" is not an http(s) link`,
		`line 6: claim bad-one: metric.figure:`,
		`line 7: claim bad-one: test: test "<<5"`,
		`claims[1]: line 10: unknown key txt`,
		`line 11: claim turkey-azerbaijan-under-5pct-trade: id: another claim has this id`,
		`line 17: claim "nothing-here": no such claim`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}

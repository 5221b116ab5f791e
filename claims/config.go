package claims

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/clout-dev/clout/indicators"
)

// ConfigClaim is one entry of the config file's claims: list. A full entry adds
// a claim; an entry with only id and webhook gives a built-in claim a webhook.
//
//	claims:
//	  - id: gas-germany-fell-50pct
//	    text: "Russia's gas exports to Germany fell by half in 2022"
//	    said: {title: "Some article", date: 2023-01, url: "https://example.org/a"}
//	    metric: {chart: gas-exports, params: {destinations: DEU}, figure: yoy-change, unit: "%"}
//	    test: fall>=50%
//	    margin: 2
//	    periods: each year, from 2021
//	    caveats: ["Annual figures only."]
//	    webhook: https://hooks.example.org/clout
//	  - id: turkey-azerbaijan-under-5pct-trade
//	    webhook: https://hooks.example.org/clout
type ConfigClaim struct {
	ID      string                 `yaml:"id" json:"id,omitempty"`
	Text    string                 `yaml:"text" json:"text,omitempty"`
	Said    indicators.ClaimSource `yaml:"said" json:"said,omitempty"`
	Metric  ConfigMetric           `yaml:"metric" json:"metric,omitempty"`
	Test    string                 `yaml:"test" json:"test,omitempty"`
	Margin  float64                `yaml:"margin" json:"margin,omitempty"`
	Periods string                 `yaml:"periods" json:"periods,omitempty"`
	Caveats []string               `yaml:"caveats" json:"caveats,omitempty"`
	Webhook string                 `yaml:"webhook" json:"webhook,omitempty"`
}

// ConfigMetric is a config claim's metric: the chart, its parameters, the
// figure read and its unit.
type ConfigMetric struct {
	Chart  string            `yaml:"chart" json:"chart,omitempty"`
	Params indicators.Params `yaml:"params" json:"params,omitempty"`
	Figure string            `yaml:"figure" json:"figure,omitempty"`
	Unit   string            `yaml:"unit" json:"unit,omitempty"`
}

// webhookOnly reports whether the entry only attaches a webhook to a claim
// defined elsewhere.
func (c ConfigClaim) webhookOnly() bool {
	return c.Text == "" && c.Test == "" && c.Periods == "" && c.Metric.Chart == "" && c.Said.Title == ""
}

// ParseConfig reads the claims: list of a config file (node is its value; nil
// or empty means none) and validates every claim against the built-in ones.
// The error is EINVALID and names every problem with its line:
// "line 12: claim gas-fall: test: ...".
func ParseConfig(node *yaml.Node) (Config, error) {
	cfg := Config{Webhooks: map[string]string{}}
	if node == nil || node.Kind == 0 {
		return cfg, nil
	}
	if node.Kind != yaml.SequenceNode {
		return cfg, indicators.Errorf(indicators.EINVALID, "line %d: claims: give a list of claims", node.Line)
	}
	var problems []string
	ids := map[string]bool{}
	for _, c := range indicators.BuiltinClaims() {
		ids[c.ID] = true
	}
	for i, item := range node.Content {
		var cc ConfigClaim
		if err := decodeStrict(item, &cc); err != nil {
			problems = append(problems, fmt.Sprintf("claims[%d]: %s", i, yamlError(err)))
			continue
		}
		if cc.Webhook != "" && !validWebhook(cc.Webhook) {
			problems = append(problems, fmt.Sprintf("line %d: claim %s: webhook: %q is not an http(s) URL", fieldNode(item, "webhook").Line, cc.ID, cc.Webhook))
		}
		if cc.webhookOnly() {
			if !ids[cc.ID] && !slices.ContainsFunc(node.Content[i+1:], func(n *yaml.Node) bool { return idOf(n) == cc.ID }) {
				problems = append(problems, fmt.Sprintf("line %d: claim %q: no such claim to attach a webhook to (give its text, metric, test and periods to add it)", item.Line, cc.ID))
			}
			if cc.Webhook == "" {
				problems = append(problems, fmt.Sprintf("line %d: claim %q: give the claim's text, metric, test and periods", item.Line, cc.ID))
			}
			cfg.Webhooks[cc.ID] = cc.Webhook
			continue
		}
		c, ps := cc.claim()
		for _, p := range ps {
			problems = append(problems, fmt.Sprintf("line %d: %s", fieldNode(item, p.Field).Line, p))
		}
		if len(ps) > 0 {
			continue
		}
		if ids[c.ID] {
			problems = append(problems, fmt.Sprintf("line %d: claim %s: id: another claim has this id", fieldNode(item, "id").Line, c.ID))
			continue
		}
		ids[c.ID] = true
		cfg.Claims = append(cfg.Claims, c)
		if cc.Webhook != "" {
			cfg.Webhooks[c.ID] = cc.Webhook
		}
	}
	if len(problems) > 0 {
		return Config{}, indicators.Errorf(indicators.EINVALID, "%d problem(s) in claims:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return cfg, nil
}

// claim builds the claim and returns every problem of it.
func (cc ConfigClaim) claim() (indicators.Claim, []indicators.ClaimProblem) {
	c := indicators.Claim{ID: cc.ID, Text: cc.Text, Said: cc.Said, Margin: cc.Margin, Caveats: cc.Caveats,
		Metric: indicators.ClaimMetric{Chart: cc.Metric.Chart, Params: cc.Metric.Params, Figure: cc.Metric.Figure, Unit: cc.Metric.Unit}}
	if c.Metric.Params == nil {
		c.Metric.Params = indicators.Params{}
	}
	var parseProblems []indicators.ClaimProblem
	var err error
	if c.Test, err = indicators.ParseClaimTest(cc.Test); err != nil {
		parseProblems = append(parseProblems, indicators.ClaimProblem{Claim: cc.ID, Field: "test", Message: indicators.ErrorMessage(err)})
	}
	if c.Periods, err = indicators.ParseClaimPeriods(cc.Periods); err != nil {
		parseProblems = append(parseProblems, indicators.ClaimProblem{Claim: cc.ID, Field: "periods", Message: indicators.ErrorMessage(err)})
	}
	var ps []indicators.ClaimProblem
	for _, p := range c.Validate() {
		parsed := slices.ContainsFunc(parseProblems, func(q indicators.ClaimProblem) bool { return q.Field == p.Field })
		if !parsed {
			ps = append(ps, p)
		}
	}
	return c, append(parseProblems, ps...)
}

// fieldNode finds the node of a field path ("metric.params", "caveats[1]") in
// a claim's mapping, or the deepest node found on the way.
func fieldNode(item *yaml.Node, field string) *yaml.Node {
	n := item
	for _, part := range strings.Split(field, ".") {
		name, index, hasIndex := strings.Cut(strings.TrimSuffix(part, "]"), "[")
		next := mappingValue(n, name)
		if next == nil {
			return n
		}
		n = next
		if i, err := strconv.Atoi(index); hasIndex && err == nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
			n = n.Content[i]
		}
	}
	return n
}

// mappingValue returns the value of key in a mapping node, or nil; for a
// scalar value it returns the key's node, whose line is the one to name.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			if v := n.Content[i+1]; v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode {
				return v
			}
			return n.Content[i]
		}
	}
	return nil
}

// idOf returns the id of a claim entry, or "".
func idOf(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "id" {
			return n.Content[i+1].Value
		}
	}
	return ""
}

func validWebhook(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// decodeStrict decodes node into v, refusing unknown keys.
func decodeStrict(node *yaml.Node, v any) error {
	b, err := yaml.Marshal(node)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		// Lines in the error are relative to the entry: add its offset.
		return shiftLines(err, node.Line-1)
	}
	return nil
}

// yamlError words a decoding error: "line 14: unknown key "tst"".
func yamlError(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	s = strings.TrimPrefix(s, "unmarshal errors:\n  ")
	s = strings.ReplaceAll(s, "\n  ", "; ")
	for _, t := range []string{"indicators.ClaimSource", "claims.ConfigMetric", "claims.ConfigClaim"} {
		s = strings.ReplaceAll(s, " not found in type "+t, "")
	}
	return strings.ReplaceAll(s, "field ", "unknown key ")
}

// shiftLines rewrites "line N" in a yaml error to the line in the whole file.
func shiftLines(err error, offset int) error {
	msg := err.Error()
	var b strings.Builder
	for {
		i := strings.Index(msg, "line ")
		if i < 0 {
			b.WriteString(msg)
			break
		}
		b.WriteString(msg[:i+5])
		msg = msg[i+5:]
		j := 0
		for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
			j++
		}
		if n, err := strconv.Atoi(msg[:j]); err == nil {
			b.WriteString(strconv.Itoa(n + offset))
		} else {
			b.WriteString(msg[:j])
		}
		msg = msg[j:]
	}
	return fmt.Errorf("%s", b.String())
}

package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// reservedParams are query parameters that are not chart parameters.
var reservedParams = map[string]bool{"v": true, "theme": true, "format": true, "width": true, "height": true, "scale": true}

// computed is a chart computed for one set of parameters at one data version, with
// its ECharts option; it is immutable once cached.
type computed struct {
	chart   indicators.Chart
	params  indicators.Params // as requested, canonical
	canon   string            // canonical query string of params
	result  *indicators.Result
	option  json.RawMessage // light theme
	version int64           // data version the result reflects
	pinned  int64           // the v= asked for, 0 if none
	latest  int64           // the current data version when computed
}

// chartByID returns a chart of the catalogue or a not-found error.
func (s *Server) chartByID(id string) (indicators.Chart, error) {
	c, ok := s.byID[id]
	if !ok {
		return nil, indicators.Errorf(indicators.ENOTFOUND, "no chart %q (charts: %s)", id, strings.Join(s.chartIDs(), ", "))
	}
	return c, nil
}

func (s *Server) chartIDs() []string {
	ids := make([]string, len(s.charts))
	for i, c := range s.charts {
		ids[i] = c.ID()
	}
	return ids
}

// chartParams reads a chart's parameters from a query string: repeated keys (a
// multi-select) and comma lists mix; empty values mean the default. With strict
// set, an unknown parameter is an error naming it (the API); pages ignore them.
func chartParams(c indicators.Chart, q url.Values, strict bool) (indicators.Params, error) {
	known := map[string]bool{}
	p := indicators.Params{}
	for _, spec := range c.Params() {
		known[spec.Name] = true
		var parts []string
		for _, v := range q[spec.Name] {
			for _, x := range strings.Split(v, ",") {
				if x = strings.TrimSpace(x); x != "" {
					parts = append(parts, x)
				}
			}
		}
		if len(parts) > 0 {
			p[spec.Name] = strings.Join(parts, ",")
		}
	}
	if strict {
		for k := range q {
			if !known[k] && !reservedParams[k] {
				return nil, indicators.Errorf(indicators.EINVALID, "%s: unknown parameter of chart %s (parameters: %s)", k, c.ID(), strings.Join(paramNames(c), ", "))
			}
		}
	}
	return p, nil
}

func paramNames(c indicators.Chart) []string {
	var names []string
	for _, spec := range c.Params() {
		names = append(names, spec.Name)
	}
	return names
}

// canonicalQuery encodes params sorted by name; it is the cache key and the
// permalink's query.
func canonicalQuery(p indicators.Params) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(strings.ReplaceAll(url.QueryEscape(p[k]), "%2C", ","))
	}
	return b.String()
}

// versionParam reads v= (pin to a data version) and returns the data version to
// read as of (0 = current), the version the data will reflect, and the latest.
func (s *Server) versionParam(ctx context.Context, q url.Values) (asOf, version, latest int64, err error) {
	latest, err = s.dataVersion(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	raw := strings.TrimSpace(q.Get("v"))
	if raw == "" {
		return 0, latest, latest, nil
	}
	n, perr := strconv.ParseInt(raw, 10, 64)
	switch {
	case perr != nil || n < 1:
		return 0, 0, 0, indicators.Errorf(indicators.EINVALID, "v: %q is not a data version (a positive integer)", raw)
	case n > latest:
		return 0, 0, 0, indicators.Errorf(indicators.EINVALID, "v: data version %d does not exist yet (the latest is %d)", n, latest)
	}
	return n, n, latest, nil
}

// computeChart returns the chart computed for params at a data version, from the
// cache when possible.
func (s *Server) computeChart(ctx context.Context, c indicators.Chart, params indicators.Params, asOf, version, latest int64) (*computed, error) {
	canon := canonicalQuery(params)
	key := fmt.Sprintf("chart|%s|%s|%d", c.ID(), canon, version)
	if v, ok := s.cache.get(key); ok {
		s.metrics.ChartCache.WithLabelValues("hit").Inc()
		cc := *v.(*computed)
		cc.pinned, cc.latest = asOf, latest
		return &cc, nil
	}
	s.metrics.ChartCache.WithLabelValues("miss").Inc()
	res, err := indicators.ComputeChart(ctx, s.store, c, params, version)
	if err != nil {
		return nil, err
	}
	sanitizeResult(res)
	opt, err := Option(res, "")
	if err != nil {
		return nil, fmt.Errorf("chart %s: option: %w", c.ID(), err)
	}
	cc := &computed{chart: c, params: params, canon: canon, result: res, option: opt, version: version}
	s.cache.put(key, cc)
	out := *cc
	out.pinned, out.latest = asOf, latest
	return &out, nil
}

// ComputeChart computes a chart for the CLI, exports and jobs: the same path and
// cache as the pages. asOf pins a data version (0 = current).
func (s *Server) ComputeChart(ctx context.Context, id string, params indicators.Params, asOf int64) (*indicators.Result, json.RawMessage, error) {
	c, err := s.chartByID(id)
	if err != nil {
		return nil, nil, err
	}
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	if asOf > 0 {
		q.Set("v", strconv.FormatInt(asOf, 10))
	}
	p, err := chartParams(c, q, true)
	if err != nil {
		return nil, nil, err
	}
	asOf, version, latest, err := s.versionParam(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	cc, err := s.computeChart(ctx, c, p, asOf, version, latest)
	if err != nil {
		return nil, nil, err
	}
	return cc.result, cc.option, nil
}

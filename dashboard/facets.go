package dashboard

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/clout-dev/clout/indicators"
)

// facet is what the data hold for a set of indicators: the values the controls
// offer (years, countries, partners).
type facet struct {
	countries []string
	partners  []string
	years     []int
	periods   []string
	monthly   bool
}

// facetCache keeps facets per data version; they are computed on first use.
type facetCache struct {
	mu         sync.Mutex
	version    int64
	byKey      map[string]*facet
	indicators []string
}

// facetFor returns the facet of the given indicators, reported by the given
// countries (nil: any), at the current data version.
func (s *Server) facetFor(ctx context.Context, version int64, codes, countries []string) (*facet, error) {
	key := strings.Join(slices.Sorted(slices.Values(codes)), ",") + "|" + strings.Join(slices.Sorted(slices.Values(countries)), ",")
	fc := &s.facets
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.version != version || fc.byKey == nil {
		fc.version, fc.byKey, fc.indicators = version, map[string]*facet{}, nil
	}
	if f, ok := fc.byKey[key]; ok {
		return f, nil
	}
	obs, err := s.store.Observations(ctx, indicators.Query{Indicators: codes, Countries: countries})
	if err != nil {
		return nil, fmt.Errorf("facets %s: %w", key, err)
	}
	f := buildFacet(obs)
	fc.byKey[key] = f
	return f, nil
}

func buildFacet(obs []indicators.Observation) *facet {
	countries, partners := map[string]bool{}, map[string]bool{}
	years, periods := map[int]bool{}, map[indicators.Period]bool{}
	f := &facet{}
	for _, o := range obs {
		countries[o.Country] = true
		if o.Partner != "" {
			partners[o.Partner] = true
		}
		years[o.Period.Year] = true
		periods[o.Period] = true
		if o.Period.Freq == indicators.Monthly {
			f.monthly = true
		}
	}
	f.countries = slices.Sorted(maps.Keys(countries))
	f.partners = slices.Sorted(maps.Keys(partners))
	f.years = slices.Sorted(maps.Keys(years))
	ps := slices.Collect(maps.Keys(periods))
	sort.Slice(ps, func(i, j int) bool { return ps[i].Before(ps[j]) })
	for _, p := range ps {
		f.periods = append(f.periods, p.String())
	}
	return f
}

// indicatorCodes lists the indicators of the live data, from the reports of the
// datasets' current versions (no scan of the observations).
func (s *Server) indicatorCodes(ctx context.Context, version int64) ([]string, error) {
	fc := &s.facets
	fc.mu.Lock()
	if fc.version == version && fc.indicators != nil {
		defer fc.mu.Unlock()
		return fc.indicators, nil
	}
	fc.mu.Unlock()
	sets, err := s.store.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, d := range sets {
		full, err := s.store.Dataset(ctx, d.Name)
		if err != nil {
			return nil, err
		}
		for _, v := range full.Versions {
			if v.Current && v.Report != nil {
				for _, code := range v.Report.Indicators {
					seen[code] = true
				}
			}
		}
	}
	codes := slices.Sorted(maps.Keys(seen))
	fc.mu.Lock()
	if fc.version != version || fc.byKey == nil {
		fc.version, fc.byKey = version, map[string]*facet{}
	}
	fc.indicators = codes
	fc.mu.Unlock()
	return codes, nil
}

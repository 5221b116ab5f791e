package indicators

import (
	"fmt"
	"math"
)

// Map metrics.
const (
	MapTradeShare = "trade-share" // partners' shares of Russia's goods turnover
	MapBloc       = "bloc"        // a bloc's members as % of Russia's measure
)

// MapInput selects what MapData computes.
type MapInput struct {
	Metric   string   // MapTradeShare or MapBloc
	Year     int      // 0: default of the metric
	Partners []string // trade-share: partners to highlight
	Bloc     string   // bloc: label
	Members  []string // bloc: members
	Measure  string   // bloc: measure id (population, gdp-ppp)
}

// MapRegion is one country on the choropleth. Value is nil when the country has
// no figure; Reference marks Russia on a bloc map (it is the 100% the others are
// measured against, not a value of the scale).
type MapRegion struct {
	Code      string   `json:"code"`
	Numeric   string   `json:"numeric"` // ISO 3166-1 numeric: the id of the world-atlas shapes
	Name      string   `json:"name"`
	Value     *float64 `json:"value"`
	Highlight bool     `json:"highlight"`
	Reference bool     `json:"reference,omitempty"`
}

// MapResult is the outcome of MapData: one value per country for a choropleth.
type MapResult struct {
	Metric   string      `json:"metric"`
	Year     int         `json:"year"`
	Label    string      `json:"label"` // what the value means
	Unit     string      `json:"unit"`
	Bloc     string      `json:"bloc,omitempty"`
	Measure  string      `json:"measure,omitempty"`
	Regions  []MapRegion `json:"regions"`
	Min      float64     `json:"min"` // over the regions with a value
	Max      float64     `json:"max"`
	Coverage []string    `json:"coverage"`
	Sources  []string    `json:"sources"`
	// Trade or Gain holds the computation the map was drawn from.
	Trade *TradeShareResult      `json:"-"`
	Gain  *IntegrationGainResult `json:"-"`
}

// MapData computes the values of a choropleth: partners' shares of Russia's goods
// trade in a year, or a bloc's members' measure as a percentage of Russia's.
func MapData(in MapInput, obs []Observation) (*MapResult, error) {
	switch in.Metric {
	case MapTradeShare:
		return tradeMap(in, obs)
	case MapBloc:
		return blocMap(in, obs)
	}
	return nil, Errorf(EINVALID, "metric: %q is not a map metric (%s, %s)", in.Metric, MapTradeShare, MapBloc)
}

func tradeMap(in MapInput, obs []Observation) (*MapResult, error) {
	ts, err := TradeShare(TradeShareInput{Year: in.Year, Partners: in.Partners}, obs)
	if err != nil {
		return nil, err
	}
	m := &MapResult{Metric: MapTradeShare, Year: ts.Year, Unit: "%", Trade: ts,
		Label:    fmt.Sprintf("share of %s's goods trade (exports + imports), %d", CountryName(ts.Reporter), ts.Year),
		Coverage: ts.Coverage, Sources: ts.Sources}
	for _, p := range ts.Partners {
		if IsAggregate(p.Partner) {
			continue
		}
		m.Regions = append(m.Regions, region(p.Partner, ptr(p.Share), p.Selected))
	}
	m.scale()
	return m, nil
}

func blocMap(in MapInput, obs []Observation) (*MapResult, error) {
	ig, err := IntegrationGain(IntegrationGainInput{Bloc: in.Bloc, Members: in.Members, Measures: []string{in.Measure}, Year: in.Year}, obs)
	if err != nil {
		return nil, err
	}
	im := ig.Measures[0]
	b, _ := im.At(ig.Year)
	m := &MapResult{Metric: MapBloc, Year: ig.Year, Unit: "%", Bloc: ig.Bloc, Measure: im.ID, Gain: ig,
		Label:    fmt.Sprintf("%s as %% of %s's, %d", im.Label, CountryName(ig.Reference), ig.Year),
		Coverage: ig.Coverage, Sources: ig.Sources}
	ref := region(ig.Reference, nil, false)
	ref.Reference = true
	m.Regions = append(m.Regions, ref)
	for _, c := range b.Contributions {
		m.Regions = append(m.Regions, region(c.Country, c.Pct, true))
	}
	m.scale()
	return m, nil
}

func region(code string, v *float64, highlight bool) MapRegion {
	e, _ := DefaultCountries().Lookup(code)
	return MapRegion{Code: code, Numeric: e.Numeric, Name: CountryName(code), Value: v, Highlight: highlight}
}

func (m *MapResult) scale() {
	m.Min, m.Max = math.Inf(1), math.Inf(-1)
	for _, r := range m.Regions {
		if r.Value != nil {
			m.Min, m.Max = min(m.Min, *r.Value), max(m.Max, *r.Value)
		}
	}
	if math.IsInf(m.Min, 1) {
		m.Min, m.Max = 0, 0
	}
}

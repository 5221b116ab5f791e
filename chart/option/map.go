package option

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/clout-dev/clout/assets"
	"github.com/clout-dev/clout/render"
	"github.com/clout-dev/clout/indicators"
)

// WorldMapName is the name the world map is registered under with
// echarts.registerMap: by app.js in the pages and by the renderer for exports,
// both from the embedded world-atlas TopoJSON.
const WorldMapName = render.WorldMap

// atlasNames maps ISO 3166-1 numeric ids to the names of the world-atlas
// countries-110m shapes, which ECharts matches data against. It is read once
// from the embedded file and never changed.
var atlasNames = sync.OnceValues(func() (map[string]string, error) {
	var topo struct {
		Objects struct {
			Countries struct {
				Geometries []struct {
					ID         string `json:"id"`
					Properties struct {
						Name string `json:"name"`
					} `json:"properties"`
				} `json:"geometries"`
			} `json:"countries"`
		} `json:"objects"`
	}
	b, err := assets.Vendor.ReadFile(assets.WorldAtlas)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &topo); err != nil {
		return nil, fmt.Errorf("world atlas: %w", err)
	}
	m := map[string]string{}
	for _, g := range topo.Objects.Countries.Geometries {
		if g.ID != "" {
			m[g.ID] = g.Properties.Name
		}
	}
	return m, nil
})

// mapItem is a region of the map series; go-echarts' MapData has no style, and the
// highlighted regions get a border.
type mapItem struct {
	Name      string          `json:"name"`
	Value     any             `json:"value"`
	Code      string          `json:"code"`
	ItemStyle *opts.ItemStyle `json:"itemStyle,omitempty"`
}

// buildMap draws a choropleth of the regions' values on the world map, the
// highlighted regions outlined; regions without a value stay blank.
func buildMap(res *indicators.Result, _ string) (map[string]any, error) {
	d, ok := res.Detail.(*indicators.MapResult)
	if !ok || d == nil {
		return nil, fmt.Errorf("detail is %T, want *indicators.MapResult", res.Detail)
	}
	names, err := atlasNames()
	if err != nil {
		return nil, err
	}
	var items []mapItem
	for _, r := range d.Regions {
		name, ok := names[r.Numeric]
		if !ok {
			continue // too small for the 110m shapes; the table still lists it
		}
		it := mapItem{Name: name, Value: valueOf(r.Value, 3), Code: r.Code}
		switch {
		case r.Highlight:
			it.ItemStyle = &opts.ItemStyle{BorderColor: colorHighlight, BorderWidth: 2}
		case r.Reference:
			it.ItemStyle = &opts.ItemStyle{AreaColor: "#9e9e9e"}
		}
		items = append(items, it)
	}
	m := charts.NewMap()
	m.RegisterMapType(WorldMapName)
	m.SetGlobalOptions(baseGlobals(res, "item")...)
	m.SetGlobalOptions(charts.WithVisualMapOpts(opts.VisualMap{
		Type: "continuous", Calculable: opts.Bool(true),
		Min: float32(d.Min), Max: float32(d.Max),
		Text:    []string{d.Unit, ""},
		InRange: &opts.VisualMapInRange{Color: []string{"#fee8c8", "#fdbb84", "#e34a33"}},
		Left:    "left", Bottom: "40",
	}))
	m.AddSeries(d.Label, nil, charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.Data = items
		s.Roam = opts.Bool(true)
	}))
	m.Validate()
	opt := m.JSON()
	// One series: no legend, and no legend symbols dotted over the regions
	// (go-echarts has no field for showLegendSymbol).
	opt["legend"] = map[string]any{"show": false}
	series, err := json.Marshal(opt["series"])
	if err != nil {
		return nil, err
	}
	var list []map[string]any
	if err := json.Unmarshal(series, &list); err != nil {
		return nil, err
	}
	for _, s := range list {
		s["showLegendSymbol"] = false
	}
	opt["series"] = list
	return opt, nil
}

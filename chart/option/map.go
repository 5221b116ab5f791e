package option

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"

	"github.com/go-echarts/go-echarts/v2/charts"

	"github.com/clout-dev/clout/assets"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/render"
)

// Map names the choropleths draw on, registered with echarts.registerMap from
// the GeoJSON the server projects (render.Atlas): by app.js in the pages and
// by the renderer for exports.
const (
	WorldMapName   = render.WorldMap
	EurasiaMapName = render.EurasiaMap
)

// russiaNumeric is Russia's ISO 3166-1 numeric code, the id of its shape.
const russiaNumeric = "643"

// atlasNames maps ISO 3166-1 numeric ids to the names of the world-atlas
// countries-110m shapes, which ECharts matches data against. It is read once
// from the embedded file and never changed.
var atlasNames = sync.OnceValues(func() (map[string]string, error) {
	b, err := assets.Vendor.ReadFile(assets.WorldAtlas)
	if err != nil {
		return nil, err
	}
	return render.AtlasNames(b)
})

// mapItem is a region of the map series; go-echarts' MapData has no style,
// label or tooltip per region.
type mapItem struct {
	Name      string         `json:"name"`
	Value     any            `json:"value"`
	Code      string         `json:"code,omitempty"`
	ItemStyle map[string]any `json:"itemStyle,omitempty"`
	Label     map[string]any `json:"label,omitempty"`
	Tooltip   map[string]any `json:"tooltip,omitempty"`
}

// mapViewOf is the map a result is drawn on: a bloc's members on Eurasia,
// trade partners on the world.
func mapViewOf(d *indicators.MapResult) string {
	if d.Metric == indicators.MapBloc {
		return EurasiaMapName
	}
	return WorldMapName
}

// buildMap draws a choropleth of the regions' values on the map of the region
// in question, the highlighted regions outlined, Russia in its own colour and
// labelled as the reference, regions without a figure in the no-data colour
// with "no data" in their tooltip, and the colour scale beside the map.
func buildMap(res *indicators.Result, theme string) (map[string]any, error) {
	d, ok := res.Detail.(*indicators.MapResult)
	if !ok || d == nil {
		return nil, fmt.Errorf("detail is %T, want *indicators.MapResult", res.Detail)
	}
	names, err := atlasNames()
	if err != nil {
		return nil, err
	}
	ref := referenceSwatch.in(theme)
	russia := mapItem{Name: names[russiaNumeric], Value: missing, Code: indicators.Russia,
		ItemStyle: map[string]any{"areaColor": ref, "borderColor": ref},
		Label: map[string]any{"show": true, "formatter": indicators.CountryName(indicators.Russia) + " (reference)",
			"fontSize": 12, "fontWeight": "bold", "color": textColor(theme),
			"textBorderColor": backgroundOf(theme), "textBorderWidth": 3},
		Tooltip: map[string]any{"formatter": "{b}: the reference the figures compare with"}}
	items := []mapItem{russia}
	seen := map[string]bool{russia.Name: true}
	for _, r := range d.Regions {
		name, ok := names[r.Numeric]
		if !ok || seen[name] {
			continue // too small for the 110m shapes (the table still lists it), or Russia
		}
		seen[name] = true
		it := mapItem{Name: name, Value: valueOf(r.Value, 3), Code: r.Code}
		if r.Highlight {
			it.ItemStyle = map[string]any{"borderColor": selectionSwatch.in(theme), "borderWidth": 2}
		}
		if r.Value == nil {
			it.Tooltip = noDataTooltip()
		}
		items = append(items, it)
	}
	for _, name := range slices.Sorted(maps.Values(names)) {
		if !seen[name] {
			seen[name] = true
			items = append(items, mapItem{Name: name, Value: missing, Tooltip: noDataTooltip()})
		}
	}
	m := charts.NewMap()
	m.RegisterMapType(mapViewOf(d))
	m.SetGlobalOptions(baseGlobals(res, "item")...)
	m.AddSeries(d.Label, nil)
	opt, err := plain(m)
	if err != nil {
		return nil, err
	}
	format := percentFormat
	if d.Unit != "%" {
		format = Format{Suffix: " " + d.Unit, Digits: 1}
	}
	lo, hi := math.Floor(d.Min), math.Ceil(d.Max)
	opt["visualMap"] = map[string]any{
		"type": "continuous", "min": lo, "max": hi, "calculable": false,
		"orient": "vertical", "right": 16, "top": "middle", "itemHeight": 120, "itemWidth": 14,
		"text": []any{fmt.Sprintf("%g%s", hi, format.Suffix), fmt.Sprintf("%g%s", lo, format.Suffix)},
		// A sequential blue scale: Russia's red stays apart from every figure.
		"inRange": map[string]any{"color": []any{"#deebf7", "#6baed6", "#08519c"}},
	}
	// One series: no legend, and no legend symbols dotted over the regions.
	opt["legend"] = map[string]any{"show": false}
	for _, s := range list(opt["series"]) {
		s["data"] = items
		s["showLegendSymbol"] = false
		s["roam"] = false
		s["aspectScale"] = 1 // the shapes are projected already
		s["left"], s["right"], s["top"], s["bottom"] = 16, 110, 70, 40
		s["itemStyle"] = map[string]any{"areaColor": noDataSwatch.in(theme), "borderColor": mapBorder(theme), "borderWidth": 0.5}
		s["emphasis"] = map[string]any{"label": map[string]any{"show": false}}
		s["select"] = map[string]any{"disabled": true}
	}
	opt["cloutFormat"] = formats{Default: format, Series: map[string]Format{}}
	return opt, nil
}

// noDataTooltip is the tooltip of a region without a figure.
func noDataTooltip() map[string]any { return map[string]any{"formatter": "{b}: no data"} }

func textColor(theme string) string {
	if theme == "dark" {
		return "#eeeeee"
	}
	return "#222222"
}

func backgroundOf(theme string) string {
	if theme == "dark" {
		return darkBackground
	}
	return "#ffffff"
}

func mapBorder(theme string) string {
	if theme == "dark" {
		return "#5a6080"
	}
	return "#ffffff"
}

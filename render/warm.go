package render

import (
	"context"
	"encoding/json"
	"fmt"
)

// warmOptions are drawn by Warm in every JavaScript runtime: between them they use
// the components and series kinds of the dashboard's charts (title, legend,
// tooltip, grids, category and value axes, line with mark lines, bar, scatter, the
// world map with a visual map), so that ECharts' one-time set-up of each, and
// registering the world map, happen before a reader's first export.
var warmOptions = []map[string]any{
	{
		"title":    map[string]any{"text": "Warm-up", "subtext": "Россия", "left": "center"},
		"aria":     map[string]any{"enabled": true},
		"toolbox":  map[string]any{"feature": map[string]any{"saveAsImage": map[string]any{"show": true}}},
		"legend":   map[string]any{"type": "scroll", "bottom": 0},
		"tooltip":  map[string]any{"trigger": "axis"},
		"dataZoom": []any{map[string]any{"type": "slider", "xAxisIndex": []int{0}}},
		"grid": []any{
			map[string]any{"top": 70, "height": "40%", "containLabel": true},
			map[string]any{"bottom": 60, "height": "20%", "containLabel": true},
		},
		"xAxis": []any{
			map[string]any{"type": "category", "data": []string{"2023", "2024", "2025"}, "axisLabel": map[string]any{"rotate": 40}},
			map[string]any{"type": "category", "data": []string{"a", "b"}, "gridIndex": 1},
		},
		"yAxis": []any{
			map[string]any{"type": "value", "name": "%"},
			map[string]any{"type": "value", "gridIndex": 1, "splitLine": map[string]any{"lineStyle": map[string]any{"type": "dashed"}}},
		},
		"series": []any{
			map[string]any{"type": "line", "name": "Line", "data": []any{1.5, "-", 3},
				"markLine": map[string]any{"data": []any{map[string]any{"yAxis": 2, "name": "Threshold"}}}},
			map[string]any{"type": "bar", "name": "Bar", "data": []any{map[string]any{"value": 2, "itemStyle": map[string]any{"borderWidth": 2}}, 1, 4},
				"label": map[string]any{"show": true}},
			map[string]any{"type": "scatter", "name": "Scatter", "data": []float64{3, 2, 1}},
			map[string]any{"type": "bar", "stack": "s", "xAxisIndex": 1, "yAxisIndex": 1, "data": []float64{1, 2}},
			map[string]any{"type": "bar", "stack": "s", "xAxisIndex": 1, "yAxisIndex": 1, "data": []float64{2, 1}},
		},
	},
	{
		"visualMap": []any{map[string]any{"type": "continuous", "calculable": true, "min": 0, "max": 1,
			"inRange": map[string]any{"color": []string{"#eeeeee", "#c23531"}}}},
		"tooltip": map[string]any{"trigger": "item"},
		"series": []any{map[string]any{"type": "map", "map": WorldMap, "data": []any{
			map[string]any{"name": "Russia", "value": 1}}}},
	},
}

// Warm starts every JavaScript runtime and draws the warm-up charts in each, then
// starts every resvg instance and rasterises the map in each until V8 has
// optimised the module's hot code, so that no reader's export pays for set-up. A server calls it
// in the background at start; concurrent renders are served meanwhile.
func (r *Renderer) Warm(ctx context.Context) error {
	opts := make([][]byte, len(warmOptions))
	for i, o := range warmOptions {
		b, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("render: warm-up option: %w", err)
		}
		if opts[i], err = prepareOption(b, Light); err != nil {
			return fmt.Errorf("render: warm-up option: %w", err)
		}
	}
	size := Size{Width: 1200, Height: 675}
	svg, err := r.js.warm(ctx, opts, size)
	if err != nil {
		return fmt.Errorf("render: warm-up: %w", err)
	}
	if svg == nil { // every runtime was already started: render one for resvg
		if svg, err = r.js.render(ctx, opts[len(opts)-1], size, Light); err != nil {
			return fmt.Errorf("render: warm-up: %w", err)
		}
	}
	if err := r.png.warm(ctx, svg, size.Width, Light.Background()); err != nil {
		return fmt.Errorf("render: warm-up: %w", err)
	}
	return nil
}

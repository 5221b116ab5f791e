package option

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

// mustCompute computes a chart on the store as the pages do.
func mustCompute(t *testing.T, store indicators.Store, id string, p indicators.Params) *indicators.Result {
	t.Helper()
	c, err := indicators.ChartByID(id)
	if err != nil {
		t.Fatal(err)
	}
	res, err := indicators.ComputeChart(context.Background(), store, c, p, 0)
	if err != nil {
		t.Fatalf("compute %s %v: %v", id, p, err)
	}
	return res
}

// optionOf builds a chart's option and decodes it as the browser would.
type echartsOption struct {
	BackgroundColor string `json:"backgroundColor"`
	XAxis           []struct {
		Data      []string `json:"data"`
		GridIndex int      `json:"gridIndex"`
	} `json:"xAxis"`
	YAxis []struct {
		GridIndex int `json:"gridIndex"`
	} `json:"yAxis"`
	Series []struct {
		Name       string            `json:"name"`
		Type       string            `json:"type"`
		Map        string            `json:"map"`
		Stack      string            `json:"stack"`
		XAxisIndex int               `json:"xAxisIndex"`
		YAxisIndex int               `json:"yAxisIndex"`
		Data       []json.RawMessage `json:"data"`
		MarkLine   *struct {
			Data []struct {
				YAxis float64 `json:"yAxis"`
			} `json:"data"`
		} `json:"markLine"`
	} `json:"series"`
}

func optionOf(t *testing.T, res *indicators.Result, theme string) echartsOption {
	t.Helper()
	raw, err := JSON(res, theme)
	if err != nil {
		t.Fatalf("option %s: %v", res.Chart, err)
	}
	var o echartsOption
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("option %s is not JSON: %v", res.Chart, err)
	}
	return o
}

// dataItem is a series value: a number, "-" (missing) or {name, value, itemStyle}.
type dataItem struct {
	Name      string `json:"name"`
	Value     any    `json:"value"`
	ItemStyle *struct {
		Color       string `json:"color"`
		BorderColor string `json:"borderColor"`
	} `json:"itemStyle"`
}

func decodeItem(t *testing.T, raw json.RawMessage) dataItem {
	t.Helper()
	var it dataItem
	if err := json.Unmarshal(raw, &it); err == nil && (it.Value != nil || it.Name != "") {
		return it
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("data item %s: %v", raw, err)
	}
	return dataItem{Value: v}
}

func near(a any, b float64) bool {
	f, ok := a.(float64)
	return ok && math.Abs(f-b) < 0.006
}

func TestTradeShareOption(t *testing.T) {
	store := testkit.SeededStore(t)
	res := mustCompute(t, store, "trade-share", indicators.Params{"partners": "TUR,AZE", "threshold": "5"})
	d := res.Detail.(*indicators.TradeShareResult)
	o := optionOf(t, res, "")
	if len(o.Series) < 2 || o.Series[0].Type != "bar" || o.Series[1].Type != "line" {
		t.Fatalf("series %+v, want a bar and a line", o.Series)
	}
	bars, over := o.Series[0], o.Series[1]
	if over.XAxisIndex != 1 || over.YAxisIndex != 1 || o.XAxis[1].GridIndex != 1 || o.YAxis[1].GridIndex != 1 {
		t.Errorf("the combined share over time is not on the second grid: %+v", over)
	}
	for _, s := range o.Series[:2] {
		if s.MarkLine == nil || s.MarkLine.Data[0].YAxis != 5 {
			t.Errorf("series %s has no 5%% threshold line", s.Name)
		}
	}
	// Every plotted bar matches the computed share; the selected partners are
	// in their own colours, their combined bar in the selection's, the others
	// in the neutral colour of the series.
	highlighted := map[string]string{}
	for i, raw := range bars.Data {
		it := decodeItem(t, raw)
		name := o.XAxis[0].Data[i]
		if it.ItemStyle != nil && it.ItemStyle.Color != "" {
			highlighted[name] = it.ItemStyle.Color
		}
		if i == 0 {
			if name != "TUR+AZE" || !near(it.Value, *d.Combined.Share) {
				t.Errorf("first bar %s = %v, want TUR+AZE = %v", name, it.Value, *d.Combined.Share)
			}
			continue
		}
		for _, p := range d.Partners {
			if p.Name == name && !near(it.Value, p.Share) {
				t.Errorf("bar %s = %v, want %v", name, it.Value, p.Share)
			}
		}
	}
	want := map[string]string{"TUR+AZE": selectionSwatch.light, "Turkey": EntityColor("TUR", ""), "Azerbaijan": EntityColor("AZE", "")}
	if len(highlighted) != len(want) {
		t.Errorf("highlighted %v, want only the selected partners and their sum", highlighted)
	}
	for name, color := range want {
		if highlighted[name] != color {
			t.Errorf("%s drawn in %q, want %q", name, highlighted[name], color)
		}
	}
	if highlighted["Turkey"] == highlighted["Azerbaijan"] {
		t.Errorf("Turkey and Azerbaijan share a colour")
	}
	if got, want := len(over.Data), len(d.Over); got != want {
		t.Fatalf("combined share over time has %d points, want %d", got, want)
	}
	gaps := 0
	for i, c := range d.Over {
		isGap := decodeItem(t, over.Data[i]).Value == "-"
		if len(c.Missing) > 0 != isGap {
			t.Errorf("%d: missing partners %v, drawn as gap %t (%s)", c.Year, c.Missing, isGap, over.Data[i])
		}
		if isGap {
			gaps++
		}
	}
	if gaps == 0 {
		t.Error("the seed's 2025 (no Turkey figure) should be a gap in the combined line")
	}
}

func TestGasExportsOption(t *testing.T) {
	store := testkit.SeededStore(t)
	res := mustCompute(t, store, "gas-exports", indicators.Params{"destinations": "TUR,DEU", "freq": "annual"})
	d := res.Detail.(*indicators.GasExportsResult)
	raw, err := JSON(res, "")
	if err != nil {
		t.Fatal(err)
	}
	var full map[string]any
	if err := json.Unmarshal(raw, &full); err != nil {
		t.Fatal(err)
	}
	if _, ok := full["toolbox"]; ok {
		t.Error("the option keeps a toolbox")
	}
	if _, ok := full["dataZoom"]; ok {
		t.Error("the option keeps a zoom")
	}
	o := optionOf(t, res, "")
	var yAxes []map[string]any
	for _, ax := range full["yAxis"].([]any) {
		yAxes = append(yAxes, ax.(map[string]any))
	}
	if len(yAxes) != 2 || yAxes[0]["gridIndex"] != nil && yAxes[0]["gridIndex"] != 0.0 || yAxes[1]["gridIndex"] != 1.0 {
		t.Fatalf("y axes %v, want the volumes and the change in two grids", yAxes)
	}
	if yAxes[0]["name"] != "billion m³" {
		t.Errorf("volume axis %q, want billion m³ (the seed's figures are tens of thousands of million m³)", yAxes[0]["name"])
	}
	colors := map[string]string{}
	for _, raw := range full["series"].([]any) {
		s := raw.(map[string]any)
		if c, ok := s["itemStyle"].(map[string]any)["color"].(string); ok {
			colors[s["name"].(string)] = c
		}
	}
	for i, s := range d.Series {
		bar := o.Series[i]
		if bar.Type != "bar" || bar.Name != s.Name || bar.XAxisIndex != 0 {
			t.Errorf("series %d: %s %s, want bar %s in the upper grid", i, bar.Type, bar.Name, s.Name)
		}
		for j, p := range s.Points {
			it := decodeItem(t, bar.Data[j])
			if p.Value == nil && it.Value != missing || p.Value != nil && math.Abs(it.Value.(float64)*1000-*p.Value) > 0.6 {
				t.Errorf("%s %s: plotted %v billion, computed %v million", s.Name, p.Period, it.Value, p.Value)
			}
		}
		if c := colors[s.Name]; c == "" || c != colors[s.Name+" YoY %"] || c != EntityColor(s.Destination, "") {
			t.Errorf("%s: bar %q, change line %q, want both %q", s.Name, c, colors[s.Name+" YoY %"], EntityColor(s.Destination, ""))
		}
	}
	if colors["Turkey"] == colors["Germany"] {
		t.Error("Turkey and Germany share a colour")
	}
	var yoy int
	for _, s := range o.Series {
		if s.Type == "line" && strings.HasSuffix(s.Name, "YoY %") {
			yoy++
			if s.XAxisIndex != 1 || s.YAxisIndex != 1 {
				t.Errorf("YoY series %s on axes %d/%d, want the lower grid's", s.Name, s.XAxisIndex, s.YAxisIndex)
			}
			if s.MarkLine == nil || len(s.MarkLine.Data) != 1 || s.MarkLine.Data[0].YAxis != 0 {
				t.Errorf("YoY series %s has no zero line", s.Name)
			}
		}
	}
	if yoy != len(d.Series) {
		t.Errorf("%d YoY lines, want %d", yoy, len(d.Series))
	}
	f := full["cloutFormat"].(map[string]any)
	if def := f["default"].(map[string]any); def["suffix"] != " billion m³" || def["digits"] != 1.0 {
		t.Errorf("cloutFormat default %v", def)
	}
	if s := f["series"].(map[string]any)["Turkey YoY %"].(map[string]any); s["suffix"] != "%" {
		t.Errorf("cloutFormat of the change %v", s)
	}
}

// Monthly, the seed has figures for Turkey only: Germany and Italy are left
// out of the series and the legend and named in the note, and the months
// without any figure are banded "no data".
func TestGasExportsMonthlyGaps(t *testing.T) {
	store := testkit.SeededStore(t)
	res := mustCompute(t, store, "gas-exports", indicators.Params{"freq": "monthly"})
	raw, err := JSON(res, "dark")
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		Legend struct {
			Data []any `json:"data"`
		} `json:"legend"`
		Graphic []struct {
			ID    string `json:"id"`
			Style struct {
				Text string `json:"text"`
			} `json:"style"`
		} `json:"graphic"`
		XAxis  []struct{ Data []string } `json:"xAxis"`
		Series []struct {
			Name     string `json:"name"`
			MarkArea *struct {
				Data [][]struct {
					XAxis float64 `json:"xAxis"`
				} `json:"data"`
			} `json:"markArea"`
			Data []json.RawMessage `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	var legend []string
	for _, l := range o.Legend.Data {
		switch v := l.(type) {
		case string:
			legend = append(legend, v)
		case map[string]any:
			legend = append(legend, v["name"].(string))
		}
	}
	if strings.Join(legend, ",") != "Turkey,No data" {
		t.Errorf("legend %v, want Turkey and No data", legend)
	}
	if len(o.Graphic) != 1 || o.Graphic[0].ID != NoteID || o.Graphic[0].Style.Text != "No monthly figures for Germany and Italy" {
		t.Errorf("note %+v", o.Graphic)
	}
	var turkey []json.RawMessage
	var bands [][]struct {
		XAxis float64 `json:"xAxis"`
	}
	for _, s := range o.Series {
		if s.Name == "Germany" || s.Name == "Italy" {
			t.Errorf("%s drawn without figures", s.Name)
		}
		if s.Name == "Turkey" {
			turkey = s.Data
		}
		if s.Name == noDataName && s.MarkArea != nil {
			bands = s.MarkArea.Data
		}
	}
	// Every month without a figure is inside a band, every month with one is not.
	for i, raw := range turkey {
		inBand := false
		for _, b := range bands {
			if float64(i) > b[0].XAxis && float64(i) < b[1].XAxis {
				inBand = true
			}
		}
		if gap := decodeItem(t, raw).Value == missing; gap != inBand {
			t.Errorf("%s: gap %t, in a no-data band %t", o.XAxis[0].Data[i], gap, inBand)
		}
	}
	if len(bands) == 0 {
		t.Error("no no-data band")
	}
}

func TestScaleFor(t *testing.T) {
	for _, tc := range []struct {
		code string
		max  float64
		axis string
		div  float64
		want Format
	}{
		{indicators.PopulationCode, 144e6, "million people", 1e6, Format{Suffix: " million people", Digits: 1}},
		{indicators.GDPCode, 4.5e12, "trillion US$", 1e12, Format{Prefix: "$", Suffix: " trillion", Digits: 1}},
		{indicators.GDPPPPCode, 6.1e12, "trillion international $", 1e12, Format{Prefix: "Int$", Suffix: " trillion", Digits: 1}},
		{indicators.GasExportsCode, 52180, "billion m³", 1e3, Format{Suffix: " billion m³", Digits: 1}},
		{indicators.GasExportsCode, 300, "million m³", 1, Format{Suffix: " million m³", Digits: 1}},
		{indicators.PopulationCode, 3000, "people", 1, Format{Suffix: " people"}},
	} {
		s := scaleFor(indicators.LookupIndicator(tc.code).Unit, tc.max)
		if s.axis != tc.axis || s.div != tc.div || s.format != tc.want {
			t.Errorf("%s at %g: %+v, want %s / %g / %+v", tc.code, tc.max, s, tc.axis, tc.div, tc.want)
		}
	}
}

func TestIntegrationGainOption(t *testing.T) {
	store := testkit.SeededStore(t)
	res := mustCompute(t, store, "integration-gain", indicators.Params{})
	d := res.Detail.(*indicators.IntegrationGainResult)
	o := optionOf(t, res, "")
	var stacked, lines int
	for _, s := range o.Series {
		switch {
		case s.Type == "bar" && s.Stack == "bloc":
			stacked++
		case s.Type == "line" && s.XAxisIndex == 1:
			lines++
		}
	}
	if stacked != len(d.Members) || lines != len(d.Measures) {
		t.Errorf("%d stacked member bars and %d ratio lines, want %d and %d", stacked, lines, len(d.Members), len(d.Measures))
	}
	// The stacked contributions add up to the bloc's ratio in the year.
	for i, m := range d.Measures {
		by, _ := m.At(d.Year)
		sum := 0.0
		for _, s := range o.Series[:stacked] {
			if v, ok := decodeItem(t, s.Data[i]).Value.(float64); ok {
				sum += v
			}
		}
		if by.Ratio == nil || math.Abs(sum-*by.Ratio) > 0.05 {
			t.Errorf("%s: contributions add up to %.2f, ratio %v", m.Label, sum, by.Ratio)
		}
	}
}

func TestMapOption(t *testing.T) {
	store := testkit.SeededStore(t)
	for _, tc := range []struct {
		params indicators.Params
		view   string
		want   []string
	}{
		{indicators.Params{"metric": "bloc", "bloc": "FSU-CORE", "measure": "population"}, EurasiaMapName, []string{"Kazakhstan", "Uzbekistan", "Belarus"}},
		{indicators.Params{"metric": "trade-share"}, WorldMapName, []string{"China", "Germany", "Turkey"}},
	} {
		res := mustCompute(t, store, "map", tc.params)
		o := optionOf(t, res, "dark")
		if o.BackgroundColor != darkBackground {
			t.Errorf("dark option background %q", o.BackgroundColor)
		}
		if len(o.Series) != 1 || o.Series[0].Type != "map" || o.Series[0].Map != tc.view {
			t.Fatalf("series %+v, want one map series on %q", o.Series, tc.view)
		}
		names, err := atlasNames()
		if err != nil {
			t.Fatal(err)
		}
		known := map[string]bool{}
		for _, n := range names {
			known[n] = true
		}
		got := map[string]bool{}
		var russia *mapItem
		noData := 0
		for _, raw := range o.Series[0].Data {
			var it mapItem
			if err := json.Unmarshal(raw, &it); err != nil {
				t.Fatal(err)
			}
			if !known[it.Name] {
				t.Errorf("region %q is not a shape of the world map", it.Name)
			}
			if it.Value == missing {
				if it.Name != "Russia" && (it.Tooltip == nil || it.Tooltip["formatter"] != "{b}: no data") {
					t.Errorf("%s has no figure and no \"no data\" tooltip", it.Name)
				}
				noData++
			} else {
				got[it.Name] = true
			}
			if it.Name == "Russia" {
				russia = &it
			}
		}
		for _, want := range tc.want {
			if !got[want] {
				t.Errorf("%s missing from the map", want)
			}
		}
		if noData == 0 {
			t.Error("every region has a figure: the regions without one are not said to be")
		}
		if russia == nil || russia.Label["formatter"] != "Russia (reference)" || russia.Label["show"] != true ||
			russia.ItemStyle["areaColor"] != EntityColor("RUS", "dark") {
			t.Errorf("Russia %+v, want labelled as the reference in its own colour", russia)
		}
	}
}

func TestSeriesOptionGaps(t *testing.T) {
	store := testkit.OpenStore(t)
	testkit.Import(t, store, "gaps", "gaps.xlsx", testkit.TidyWorkbook(t, [][]any{
		{"TEST.GAP", "RUS", "", "2018", 1.0, "u", "s"},
		{"TEST.GAP", "RUS", "", "2020", 3.0, "u", "s"},
		{"TEST.GAP", "KAZ", "", "2019", 2.0, "u", "s"},
	}))
	res := mustCompute(t, store, "series", indicators.Params{"indicator": "TEST.GAP", "countries": "RUS,KAZ"})
	o := optionOf(t, res, "")
	if got := strings.Join(o.XAxis[0].Data, ","); got != "2018,2019,2020" {
		t.Fatalf("periods %s", got)
	}
	want := map[string][]any{"Russia": {1.0, missing, 3.0}, "Kazakhstan": {missing, 2.0, missing}}
	for _, s := range o.Series {
		for i, raw := range s.Data {
			if got := decodeItem(t, raw).Value; got != want[s.Name][i] {
				t.Errorf("%s point %d = %v, want %v (a gap is a gap, never 0)", s.Name, i, got, want[s.Name][i])
			}
		}
	}
}

func TestStripFuncMarkers(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "GDP", "GDP"},
		{"marker", "__f__alert(2)__f__", "alert(2)"},
		{"rejoined", "_____f__f__x", "_x"}, // removing one marker joins another
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(StripFuncMarkers([]byte(tc.in))); got != tc.want {
				t.Errorf("StripFuncMarkers(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

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
	if len(o.Series) != 2 || o.Series[0].Type != "bar" || o.Series[1].Type != "line" {
		t.Fatalf("series %+v, want a bar and a line", o.Series)
	}
	bars, over := o.Series[0], o.Series[1]
	if over.XAxisIndex != 1 || over.YAxisIndex != 1 || o.XAxis[1].GridIndex != 1 || o.YAxis[1].GridIndex != 1 {
		t.Errorf("the combined share over time is not on the second grid: %+v", over)
	}
	for _, s := range o.Series {
		if s.MarkLine == nil || s.MarkLine.Data[0].YAxis != 5 {
			t.Errorf("series %s has no 5%% threshold line", s.Name)
		}
	}
	// Every plotted bar matches the computed share; the selected partners and
	// their combined bar are highlighted, the others are not.
	highlighted := map[string]bool{}
	for i, raw := range bars.Data {
		it := decodeItem(t, raw)
		name := o.XAxis[0].Data[i]
		if it.ItemStyle != nil && it.ItemStyle.Color == colorHighlight {
			highlighted[name] = true
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
	for _, want := range []string{"TUR+AZE", "Turkey", "Azerbaijan"} {
		if !highlighted[want] {
			t.Errorf("%s is not highlighted (highlighted: %v)", want, highlighted)
		}
	}
	if len(highlighted) != 3 {
		t.Errorf("highlighted %v, want only the selected partners and their sum", highlighted)
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
	o := optionOf(t, res, "")
	if len(o.Series) != 2*len(d.Series) {
		t.Fatalf("%d series, want a bar and a YoY line per destination (%d)", len(o.Series), 2*len(d.Series))
	}
	for i, s := range d.Series {
		bar := o.Series[i]
		if bar.Type != "bar" || bar.Name != s.Name {
			t.Errorf("series %d: %s %s, want bar %s", i, bar.Type, bar.Name, s.Name)
		}
		for j, p := range s.Points {
			it := decodeItem(t, bar.Data[j])
			if p.Value == nil && it.Value != missing || p.Value != nil && math.Abs(it.Value.(float64)-*p.Value) > 0.06 {
				t.Errorf("%s %s: plotted %v, computed %v", s.Name, p.Period, it.Value, p.Value)
			}
		}
	}
	var yoy int
	for _, s := range o.Series {
		if s.Type == "line" {
			yoy++
			if s.YAxisIndex != 1 || !strings.HasSuffix(s.Name, "YoY %") {
				t.Errorf("YoY series %s on axis %d", s.Name, s.YAxisIndex)
			}
		}
	}
	if yoy != len(d.Series) {
		t.Errorf("%d YoY lines, want %d", yoy, len(d.Series))
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
	res := mustCompute(t, store, "map", indicators.Params{"metric": "bloc", "bloc": "FSU-CORE", "measure": "population"})
	o := optionOf(t, res, "dark")
	if o.BackgroundColor != darkBackground {
		t.Errorf("dark option background %q", o.BackgroundColor)
	}
	if len(o.Series) != 1 || o.Series[0].Type != "map" || o.Series[0].Map != WorldMapName {
		t.Fatalf("series %+v, want one map series on %q", o.Series, WorldMapName)
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
	for _, raw := range o.Series[0].Data {
		it := decodeItem(t, raw)
		if !known[it.Name] {
			t.Errorf("region %q is not a shape of the world map", it.Name)
		}
		got[it.Name] = true
	}
	for _, want := range []string{"Kazakhstan", "Uzbekistan", "Belarus"} {
		if !got[want] {
			t.Errorf("%s missing from the map", want)
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

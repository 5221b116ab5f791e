package option

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

// seriesColors reads each series' colour of an option by series name.
func seriesColors(t *testing.T, res *indicators.Result, theme string) map[string]string {
	t.Helper()
	raw, err := JSON(res, theme)
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		Series []struct {
			Name      string `json:"name"`
			ItemStyle struct {
				Color string `json:"color"`
			} `json:"itemStyle"`
		} `json:"series"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range o.Series {
		if s.Name != noDataName && s.ItemStyle.Color != "" {
			out[s.Name] = s.ItemStyle.Color
		}
	}
	return out
}

// One entity keeps its colour across charts; distinct entities in one chart
// get distinct colours; a bloc's lines are in the bloc's colour.
func TestEntityColoursAcrossCharts(t *testing.T) {
	store := testkit.SeededStore(t)
	compute := func(id string, p indicators.Params) *indicators.Result {
		c, err := indicators.ChartByID(id)
		if err != nil {
			t.Fatal(err)
		}
		res, err := indicators.ComputeChart(context.Background(), store, c, p, 0)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, theme := range []string{"", "dark"} {
		gas := seriesColors(t, compute("gas-exports", indicators.Params{"destinations": "TUR,DEU,ITA"}), theme)
		series := seriesColors(t, compute("series", indicators.Params{"indicator": indicators.PopulationCode, "countries": "RUS,KAZ,BLR,ARM"}), theme)
		gain := seriesColors(t, compute("integration-gain", indicators.Params{"bloc": "FSU-CORE"}), theme)
		for _, c := range []struct{ code, name string }{{"TUR", "Turkey"}, {"DEU", "Germany"}, {"ITA", "Italy"}} {
			want := EntityColor(c.code, theme)
			if gas[c.name] != want || gas[c.name+yoySuffix] != want {
				t.Errorf("%s %s: gas %q, its change %q; want %q for both", theme, c.name, gas[c.name], gas[c.name+yoySuffix], want)
			}
		}
		for _, c := range []struct{ code, name string }{{"KAZ", "Kazakhstan"}, {"BLR", "Belarus"}, {"ARM", "Armenia"}} {
			if want := EntityColor(c.code, theme); series[c.name] != want || gain[c.name] != want {
				t.Errorf("%s %s: series %q, integration %q; want %q for both", theme, c.name, series[c.name], gain[c.name], want)
			}
		}
		if series["Russia"] != EntityColor("RUS", theme) {
			t.Errorf("%s Russia %q, want the reference colour %q", theme, series["Russia"], EntityColor("RUS", theme))
		}
		bloc := EntityColor("FSU-CORE", theme)
		members := map[string]bool{}
		for name, color := range gain {
			switch name {
			case "population", "GDP (PPP)":
				if color != bloc {
					t.Errorf("%s bloc line %s in %q, want the bloc's %q", theme, name, color, bloc)
				}
			default:
				if color == bloc || members[color] {
					t.Errorf("%s member %s in %q: the bloc's or another member's colour", theme, name, color)
				}
				members[color] = true
			}
		}
		for _, cs := range []map[string]string{gas, series} {
			seen := map[string]string{}
			for name, color := range cs {
				if len(name) > len(yoySuffix) && name[len(name)-len(yoySuffix):] == yoySuffix {
					continue
				}
				if other, ok := seen[color]; ok {
					t.Errorf("%s: %s and %s share %s", theme, name, other, color)
				}
				seen[color] = name
			}
		}
	}
}

// A chart's palette never gives two entities one colour, even when their
// preferred colours clash.
func TestPaletteDistinct(t *testing.T) {
	p := newPalette("")
	seen := map[string]string{}
	codes := []string{"RUS", "EAEU", "TUR", "DEU", "ITA", "CHN", "KAZ", "BLR", "UZB", "KGZ", "ARM", "AZE", "TJK", "TKM"}
	for _, code := range codes {
		c := p.of(code)
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s share %s", code, other, c)
		}
		seen[c] = code
	}
	if p.of("TUR") != EntityColor("TUR", "") {
		t.Errorf("TUR changed colour within one chart")
	}
	if EntityColor("RUS", "") == EntityColor("RUS", "dark") || EntityColor("XYZ", "dark") == "" {
		t.Error("the themes' shades are not set")
	}
}

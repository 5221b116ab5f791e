package option_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/clout-dev/clout/chart/option"
	"github.com/clout-dev/clout/indicators"
)

func TestClaim(t *testing.T) {
	c := indicators.BuiltinClaims()[0]
	v := func(y int, x float64, lo, hi *float64) indicators.MetricPoint {
		return indicators.MetricPoint{Period: indicators.Year(y), Value: &x, Low: lo, High: hi}
	}
	lo, hi := 7.6, 8.6
	vs := indicators.Judge(c, []indicators.MetricPoint{v(2021, 4.6, nil, nil), v(2022, 8, &lo, &hi)})
	b, err := option.Claim(c, vs)
	if err != nil {
		t.Fatal(err)
	}
	var opt struct {
		CloutFormat struct {
			Default option.Format `json:"default"`
		} `json:"cloutFormat"`
		XAxis  []struct{ Data []string } `json:"xAxis"`
		Series []struct {
			Type string
			Data []struct {
				Value     any
				ItemStyle struct{ Color string }
				Label     struct{ Formatter string }
			}
			MarkLine struct{ Data []struct{ YAxis float64 } } `json:"markLine"`
		} `json:"series"`
	}
	if err := json.Unmarshal(b, &opt); err != nil {
		t.Fatal(err)
	}
	if len(opt.XAxis) == 0 || strings.Join(opt.XAxis[0].Data, ",") != "2021,2022" || len(opt.Series) != 3 {
		t.Fatalf("option %s", b)
	}
	if opt.CloutFormat.Default != (option.Format{Suffix: c.Metric.Unit, Digits: 1}) {
		t.Errorf("cloutFormat %+v, want the claim's unit", opt.CloutFormat)
	}
	bars := opt.Series[0]
	if bars.Data[0].Label.Formatter != "holds" || bars.Data[1].Label.Formatter != "fails" ||
		bars.Data[0].ItemStyle.Color != option.VerdictColor(indicators.VerdictHolds) || bars.Data[1].ItemStyle.Color == bars.Data[0].ItemStyle.Color {
		t.Errorf("bars %+v", bars.Data)
	}
	if len(bars.MarkLine.Data) != 1 || bars.MarkLine.Data[0].YAxis != 5 {
		t.Errorf("threshold %+v", bars.MarkLine)
	}
	if opt.Series[1].Data[1].Value != 7.6 || opt.Series[2].Data[1].Value != 8.6 || opt.Series[1].Data[0].Value != "-" {
		t.Errorf("range marks %+v %+v", opt.Series[1].Data, opt.Series[2].Data)
	}
}

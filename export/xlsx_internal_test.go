package export

import (
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestChartType(t *testing.T) {
	for _, tc := range []struct {
		name, option string
		want         excelize.ChartType
	}{
		{"line", `{"series":[{"type":"line"}],"yAxis":{"type":"value"}}`, excelize.Line},
		{"vertical bars", `{"series":[{"type":"bar"}],"xAxis":{"type":"category"},"yAxis":{"type":"value"}}`, excelize.Col},
		{"horizontal bars", `{"series":[{"type":"bar"}],"yAxis":{"type":"category"}}`, excelize.Bar},
		{"horizontal bars, axis list", `{"series":[{"type":"bar"}],"yAxis":[{"type":"category"}]}`, excelize.Bar},
		{"malformed", `{"series":"x"}`, excelize.Col},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := chartType([]byte(tc.option)); got != tc.want {
				t.Fatalf("chartType = %v, want %v", got, tc.want)
			}
		})
	}
}

package importer

import (
	"slices"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func TestSniffContentType(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string // "" for an error
		code string
	}{
		{name: "xlsx", data: MustXLSX(t, sheet{name: "Data", rows: [][]any{{"indicator", "country", "period", "value"}}}), want: ContentTypeXLSX},
		{name: "utf-8 csv with BOM", data: []byte("\xef\xbb\xbfindicator,country,period,value\nX,TÜR,2019,1\n"), want: ContentTypeCSV},
		{name: "windows-1252 csv", data: []byte("country,value\nT\xfcrkiye,1\n"), want: "text/csv; charset=windows-1252"},
		{name: "empty", data: []byte(" \n"), code: indicators.EINVALID},
		{name: "legacy xls", data: []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, code: indicators.EUNSUPPORTED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sniff(tt.data)
			if got != tt.want || indicators.ErrorCode(err) != tt.code {
				t.Fatalf("Sniff = %q, %v; want %q, code %q", got, err, tt.want, tt.code)
			}
		})
	}
}

func TestCheckFormat(t *testing.T) {
	for _, f := range append([]string{"", "auto", "IMF-Report", "wdi"}, Formats()...) {
		if err := CheckFormat(f); err != nil {
			t.Errorf("CheckFormat(%q) = %v", f, err)
		}
	}
	if err := CheckFormat("pdf"); indicators.ErrorCode(err) != indicators.EINVALID {
		t.Errorf("CheckFormat(pdf) = %v, want EINVALID", err)
	}
	if !slices.Contains(Formats(), "imfreport") {
		t.Errorf("Formats() = %v, want imfreport among them", Formats())
	}
}

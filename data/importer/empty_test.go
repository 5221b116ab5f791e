package importer

import (
	"context"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// TestEmptyFilesRefused checks that a file without observations (a header and
// nothing below it, only skipped rows, an empty sheet) is refused at its
// header, and that the dataset's previous version stays current.
func TestEmptyFilesRefused(t *testing.T) {
	tests := []struct {
		name, file string
		data       func(testing.TB) []byte
		want       []string
	}{
		{name: "csv header only", file: "pop.csv", data: func(testing.TB) []byte {
			return csvText("indicator,country,period,value")
		}, want: []string{"row 1", "no observations", "tidy"}},
		{name: "csv title rows and header only", file: "pop.csv", data: func(testing.TB) []byte {
			return csvText("Population", "", "indicator,country,2019,2020")
		}, want: []string{"row 3", "no observations", "wide"}},
		{name: "xlsx header only", file: "pop.xlsx", data: func(tb testing.TB) []byte {
			return MustXLSX(tb, sheet{name: "Data", rows: [][]any{{"indicator", "country", "period", "value"}}})
		}, want: []string{`sheet "Data" row 1`, "no observations"}},
		{name: "xlsx empty sheet", file: "pop.xlsx", data: func(tb testing.TB) []byte {
			return MustXLSX(tb, sheet{name: "Data"})
		}, want: []string{"no table found"}},
		{name: "xlsx header only beside an empty sheet", file: "pop.xlsx", data: func(tb testing.TB) []byte {
			return MustXLSX(tb, sheet{name: "Empty"}, sheet{name: "Data", rows: [][]any{{}, {"indicator", "country", "period", "value"}}})
		}, want: []string{`sheet "Data" row 2`, "no observations"}},
		{name: "IMF DOTS with status rows only", file: "dots.csv", data: func(testing.TB) []byte {
			return csvText(`"Country Name","Country Code","Indicator Name","Indicator Code","Counterpart Country Name","Counterpart Country Code","Attribute","2019"`,
				`"Russian Federation","922","Goods, Value of Exports","TXG_FOB_USD","Turkey","186","Status",""`)
		}, want: []string{"row 1", "no observations", "1 rows skipped"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := MustOpenStore(t)
			im := New(st, Options{})
			MustImport(t, im, Request{Dataset: "pop", FileName: "pop.csv", Data: csvText("indicator,country,period,value", "SP.POP.TOTL,ARM,2019,2957731")})
			dv, _ := st.DataVersion(ctx)
			rep, err := im.Import(ctx, Request{Dataset: "pop", FileName: tc.file, Data: tc.data(t)})
			if indicators.ErrorCode(err) != indicators.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			msg := indicators.ErrorMessage(err)
			for _, w := range append(tc.want, tc.file) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if rep.OK() {
				t.Errorf("report lists no error")
			}
			ds, _ := st.Dataset(ctx, "pop")
			if dv2, _ := st.DataVersion(ctx); dv2 != dv || ds.Current != 1 || len(ds.Versions) != 1 {
				t.Fatalf("store changed: data version %d→%d, dataset %+v", dv, dv2, ds)
			}
			// The dry run says the same.
			if _, err := im.Import(ctx, Request{Dataset: "pop", FileName: tc.file, Data: tc.data(t), DryRun: true}); indicators.ErrorMessage(err) != msg {
				t.Errorf("dry run: %v, want %q", err, msg)
			}
		})
	}
}

package importer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/testkit"
)

// TestHostileWorkbooksRejectedWhole imports a good version, then each broken or
// hostile workbook into the same dataset: each is refused with its place, and
// the store keeps the previous version and data version.
func TestHostileWorkbooksRejectedWhole(t *testing.T) {
	ctx := context.Background()
	const limit = 16 << 20
	for _, hw := range testkit.HostileWorkbooks(t, 4*limit) {
		t.Run(hw.Name, func(t *testing.T) {
			st := testkit.OpenStore(t)
			im := importer.New(st, importer.Options{MaxUnzipped: limit})
			testkit.Import(t, st, "pop", "pop.xlsx", testkit.HostileGood(t))
			dv, _ := st.DataVersion(ctx)
			start := time.Now()
			rep, err := im.Import(ctx, importer.Request{Dataset: "pop", FileName: hw.Name + ".xlsx", Data: hw.Data})
			took := time.Since(start)
			if indicators.ErrorCode(err) != hw.Code {
				t.Fatalf("err = %v (code %q), want code %s", err, indicators.ErrorCode(err), hw.Code)
			}
			msg := indicators.ErrorMessage(err)
			for _, w := range append(hw.Want, hw.Name+".xlsx") {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if rep == nil || len(rep.Errors) == 0 {
				t.Errorf("report lists no error: %+v", rep)
			}
			ds, err := st.Dataset(ctx, "pop")
			if err != nil {
				t.Fatal(err)
			}
			if dv2, _ := st.DataVersion(ctx); dv2 != dv || ds.Current != 1 || len(ds.Versions) != 1 {
				t.Fatalf("store changed: data version %d→%d, dataset %+v", dv, dv2, ds)
			}
			if obs, err := st.Observations(ctx, indicators.Query{}); err != nil || len(obs) != testkit.HostileRows {
				t.Fatalf("%d observations live (%v), want the previous version's %d", len(obs), err, testkit.HostileRows)
			}
			t.Logf("%s (%d KiB): rejected in %v: %s", hw.Name, len(hw.Data)>>10, took.Round(time.Millisecond), msg)
		})
	}
}

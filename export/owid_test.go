package export_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clout-dev/clout/data/importer"
	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
)

// seriesSnapshot is a series chart of population: years, countries (World among
// them), and a summed group that has no code.
func seriesSnapshot() export.Snapshot {
	return export.Snapshot{Result: &indicators.Result{
		Chart: "series", Title: "Population", Params: indicators.Params{"indicator": "SP.POP.TOTL"},
		Table: indicators.Table{
			Columns: []indicators.Column{{Name: "Period"}, {Name: "Country"}, {Name: "Code"}, {Name: "Value", Unit: "persons"}},
			Rows: [][]any{
				{"2019", "Armenia", "ARM", 2957731.0},
				{"2020", "Armenia", "ARM", 2963234.0},
				{"2020", "Kosovo", "XKX", 1775378.0},
				{"2020", "World", "WLD", 7.8e9},
				{"2020", "Turkey + Azerbaijan", "TUR+AZE", 94e6},
				{"2021", "Armenia", "ARM", nil},
			},
		},
	}}
}

// TestOWIDRoundTrip exports a chart as OWID CSV, imports the file with the real
// importer and checks the store holds the same numbers under the same codes.
func TestOWIDRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := export.New(nil).Write(context.Background(), &buf, export.OWID, seriesSnapshot(), export.DefaultImage()); err != nil {
		t.Fatal(err)
	}
	want := "Entity,Code,Year,SP.POP.TOTL\nArmenia,ARM,2019,2957731\nArmenia,ARM,2020,2963234\nKosovo,OWID_KOS,2020,1775378\n" +
		"World,OWID_WRL,2020,7800000000\nTurkey + Azerbaijan,,2020,94000000\nArmenia,ARM,2021,\n"
	if buf.String() != want {
		t.Fatalf("OWID CSV:\n%s\nwant:\n%s", buf.String(), want)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "clout.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := importer.New(db, importer.Options{}).Import(context.Background(),
		importer.Request{FileName: export.FileName(seriesSnapshot().Result, export.OWID), Data: buf.Bytes()})
	if err != nil {
		t.Fatalf("import: %v %+v", err, indicators.ErrorDetails(err))
	}
	if rep.Layout != "owid" || rep.Observations != 4 || rep.Missing != 1 {
		t.Errorf("report: layout %s, %d observations, %d missing; want owid, 4, 1", rep.Layout, rep.Observations, rep.Missing)
	}
	obs, err := db.Observations(context.Background(), indicators.Query{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, o := range obs {
		got[o.Indicator+" "+o.Country+" "+o.Period.String()] = o.Value
	}
	for _, row := range seriesSnapshot().Result.Table.Rows {
		v, ok := row[3].(float64)
		if !ok || strings.Contains(row[2].(string), "+") {
			continue
		}
		k := "SP.POP.TOTL " + row[2].(string) + " " + row[0].(string)
		if got[k] != v {
			t.Errorf("%s = %v after the round trip, want %v", k, got[k], v)
		}
	}
}

package dashboard

import (
	"bytes"
	"context"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// TestImportAPILayouts checks that a dry run through the upload API reports the
// same layout and counts for the real-world shapes as the importer and the CLI.
func TestImportAPILayouts(t *testing.T) {
	cases := []struct {
		name   string
		fields map[string]string
		file   string
		data   string
		status int
		want   []string
	}{
		{name: "IEA gas exports by destination", fields: map[string]string{"dry_run": "true"}, file: "iea_exports.csv",
			data: "COUNTRY,Country,DESTINATION,Destination,PRODUCT,Product,TIME,Time,Value\n" +
				"RUSSIA,Russian Federation,GERMANY,Germany,NATGAS,Natural gas,2020,2020,50100\n" +
				"RUSSIA,Russian Federation,OECDEUR,OECD Europe,NATGAS,Natural gas,2020,2020,150000\n",
			status: 200, want: []string{`"layout":"oecd"`, `"observations":2`, `1 IEA/OECD aggregates stored under their codes (XOE)`}},
		{name: "long series with indicator=", fields: map[string]string{"dry_run": "true", "indicator": "SP.POP.TOTL"}, file: "values.csv",
			data:   "Country Name,Country Code,Year,Value\nArmenia,ARM,2019,2957731\nArmenia,ARM,2020,2963234\n",
			status: 200, want: []string{`"layout":"series"`, `"observations":2`, `indicator SP.POP.TOTL as requested`}},
		{name: "Comtrade one commodity and a special partner", fields: map[string]string{"dry_run": "true"}, file: "comtrade.csv",
			data:   "refYear,flowCode,reporterISO,partnerISO,cmdCode,primaryValue\n2021,X,RUS,EGY,1001,1800000000\n2021,X,RUS,_X,1001,9000000\n",
			status: 200, want: []string{`"layout":"comtrade"`, `"observations":2`, `2 observations of single commodities stored under commodity codes`}},
		{name: "DataBank time in rows", fields: map[string]string{"dry_run": "true"}, file: "databank.csv",
			data:   "Time,Time Code,Country Name,Country Code,\"Population, total [SP.POP.TOTL]\"\n2019,YR2019,Armenia,ARM,2957731\n2020,YR2020,Armenia,ARM,..\n",
			status: 200, want: []string{`"layout":"databank-rows"`, `"observations":1`, `"missing":1`}},
		{name: "Our World in Data grapher csv", fields: map[string]string{"dry_run": "true"}, file: "population.csv",
			data:   "Entity,Code,Year,SP.POP.TOTL\nArmenia,ARM,2019,2957731\nArmenia,ARM,2020,2963234\nAsia,,2019,4600000000\n",
			status: 200, want: []string{`"layout":"owid"`, `"observations":2`}},
		{name: "long series without an indicator", fields: map[string]string{"dry_run": "true"}, file: "values.csv",
			data:   "Country Name,Country Code,Year,Value\nArmenia,ARM,2019,2957731\n",
			status: 422, want: []string{`"row":1`, `"column":"Value"`, `which indicator are these values?`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, c := startDataServer(t, Config{MaxUploadBytes: 64 << 10})
			res := c.upload(tc.fields, tc.file, []byte(tc.data), bearerHeader(testAdminToken)...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			for _, w := range tc.want {
				if !bytes.Contains(res.body, []byte(w)) {
					t.Errorf("body lacks %s: %s", w, res.body)
				}
			}
		})
	}
}

// TestImportStagedLongSeries: a checked file whose rows name no indicator is
// imported from its stage with the indicator sent again, as the upload page does.
func TestImportStagedLongSeries(t *testing.T) {
	_, store, c := startDataServer(t, Config{MaxUploadBytes: 64 << 10})
	auth := bearerHeader(testAdminToken)
	data := []byte("Country Name,Country Code,Year,Value\nArmenia,ARM,2019,2957731\nArmenia,ARM,2020,2963234\n")
	checked := c.upload(map[string]string{"dry_run": "true", "indicator": "XX.LONG"}, "values.csv", data, auth...)
	var rep importResponse
	checked.json(t, &rep)
	if checked.status != 200 || rep.Stage == "" {
		t.Fatalf("check: %d %s", checked.status, checked.body)
	}
	done := c.upload(map[string]string{"stage": rep.Stage, "indicator": "XX.LONG"}, "", nil, auth...)
	if done.status != 200 {
		t.Fatalf("import: %d %s", done.status, done.body)
	}
	obs, err := store.Observations(context.Background(), indicators.Query{Indicators: []string{"XX.LONG"}})
	if err != nil || len(obs) != 2 {
		t.Fatalf("stored %d observations of XX.LONG (%v), want 2", len(obs), err)
	}
}

package dashboard

import (
	"bytes"
	"testing"
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

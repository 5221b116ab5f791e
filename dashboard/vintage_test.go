package dashboard

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/clout-dev/clout/data/importer"
)

// worldBankCSV writes a World Bank bulk csv of SP.POP.TOTL for two countries,
// 2014–2015, released on updated; scale makes releases differ.
func worldBankCSV(updated string, scale float64) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "\ufeff\"Data Source\",\"World Development Indicators\",\n\n\"Last Updated Date\",\"%s\",\n\n", updated)
	b.WriteString("\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2014\",\"2015\",\n")
	for i, c := range []string{"ARM", "KAZ"} {
		fmt.Fprintf(&b, "\"%s\",\"%s\",\"Population, total\",\"SP.POP.TOTL\",\"%.0f\",\"%.0f\",\n", c, c,
			float64(i+1)*1e6*scale, float64(i+1)*1.1e6*scale)
	}
	return []byte(b.String())
}

// An older release uploaded over a newer one: the check warns, the import is
// refused with 409 (nothing stored) until allow_older is given; the datasets
// page then shows both vintages.
func TestUploadOlderVintage(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	auth := bearerHeader(testAdminToken)
	if res := c.upload(nil, "API_SP.POP.TOTL_2023.csv", worldBankCSV("2023-12-18", 1.01), auth...); res.status != http.StatusOK {
		t.Fatalf("newer: %d %s", res.status, res.body)
	}
	old := worldBankCSV("2017-06-01", 1)
	const msg = "this file's vintage 2017-06 is older than 2023-12 of the figures it would sit under: 4 figures"

	res := c.upload(map[string]string{"dry_run": "true"}, "API_SP.POP.TOTL_2017.csv", old, auth...)
	if res.status != http.StatusOK || !bytes.Contains(res.body, []byte(msg)) || !bytes.Contains(res.body, []byte(`"vintage":"2017-06"`)) {
		t.Fatalf("dry run: %d %s", res.status, res.body)
	}
	before := c.datasetsJSON(auth...)
	res = c.upload(nil, "API_SP.POP.TOTL_2017.csv", old, auth...)
	if res.status != http.StatusConflict || !bytes.Contains(res.body, []byte(msg)) || !bytes.Contains(res.body, []byte("allow_older")) {
		t.Fatalf("without allow_older: %d %s", res.status, res.body)
	}
	if after := c.datasetsJSON(auth...); after != before {
		t.Errorf("a refused import changed the datasets:\n%s\n%s", before, after)
	}
	res = c.upload(map[string]string{"allow_older": "true"}, "API_SP.POP.TOTL_2017.csv", old, auth...)
	if res.status != http.StatusOK {
		t.Fatalf("with allow_older: %d %s", res.status, res.body)
	}
	page := c.do(http.MethodGet, "/datasets", nil)
	for _, want := range []string{"vintage 2017-06", "vintage 2023-12"} {
		if !bytes.Contains(page.body, []byte(want)) {
			t.Errorf("datasets page lacks %q", want)
		}
	}
	// Charts read the newest vintage unless asked, and say which they show.
	chart := c.do(http.MethodGet, "/api/charts/series?indicator=SP.POP.TOTL&countries=ARM", nil)
	if !bytes.Contains(chart.body, []byte(`"vintages":["2023-12"]`)) || !bytes.Contains(chart.body, []byte(`1010000`)) {
		t.Errorf("default chart is not the newest vintage: %s", chart.body)
	}
	chart = c.do(http.MethodGet, "/api/charts/series?indicator=SP.POP.TOTL&countries=ARM&vintage=2017-06", nil)
	if !bytes.Contains(chart.body, []byte(`"vintages":["2017-06"]`)) || !bytes.Contains(chart.body, []byte(`[1000000,1100000]`)) {
		t.Errorf("vintage=2017-06 does not show the older figures: %s", chart.body)
	}
}

// A csv saved by Excel in Windows-1252 goes through the upload route as the CLI
// takes it: read with a warning, not refused.
func TestUploadWindows1252(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	data := []byte("indicator,country,period,value,note\nSP.POP.TOTL,TUR,2020,83384680,Türkiye \xe9t\xe9\n")
	res := c.upload(map[string]string{"dry_run": "true"}, "cp1252.csv", data, bearerHeader(testAdminToken)...)
	if res.status != http.StatusOK || !bytes.Contains(res.body, []byte("Windows-1252")) || !bytes.Contains(res.body, []byte(`"observations":1`)) {
		t.Fatalf("cp1252 upload: %d %s", res.status, res.body)
	}
}

// The World Bank bulk download goes through the upload route as it comes: the
// data file is found inside the zip and named in the report.
func TestUploadWorldBankZip(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	zip := mustZip(t, "API_SP.POP.TOTL_DS2_en_csv_v2_4751.csv", string(worldBankCSV("2023-05-10", 1)))
	res := c.upload(map[string]string{"dry_run": "true"}, "API_SP.POP.TOTL_DS2_en_csv_v2_4751.zip", zip, bearerHeader(testAdminToken)...)
	if res.status != http.StatusOK || !bytes.Contains(res.body, []byte(`"member":"API_SP.POP.TOTL_DS2_en_csv_v2_4751.csv"`)) ||
		!bytes.Contains(res.body, []byte(`"observations":4`)) {
		t.Fatalf("zip upload: %d %s", res.status, res.body)
	}
}

// The upload page offers every layout the importer reads, from
// importer.Formats, and the allow-older box.
func TestUploadPageListsEveryLayout(t *testing.T) {
	_, _, c := startDataServer(t, Config{})
	if res := c.login(testAdminToken); res.status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.status)
	}
	page := c.do(http.MethodGet, "/upload", nil)
	if page.status != http.StatusOK {
		t.Fatalf("GET /upload: %d", page.status)
	}
	for _, f := range append([]string{"auto"}, importer.Formats()...) {
		if !bytes.Contains(page.body, []byte(`<option value="`+f+`">`)) {
			t.Errorf("layout menu lacks %s", f)
		}
	}
	if !bytes.Contains(page.body, []byte(`name="allow_older"`)) {
		t.Errorf("upload page has no allow_older box")
	}
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeWorldBank writes a World Bank bulk csv of XX.VIN (an indicator the seed
// lacks) for ARM and KAZ, 2014–2015, released on updated.
func writeWorldBank(t *testing.T, dir, name, updated string, scale float64) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "\ufeff\"Data Source\",\"World Development Indicators\",\n\n\"Last Updated Date\",\"%s\",\n\n", updated)
	b.WriteString("\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2014\",\"2015\",\n")
	for i, c := range []string{"ARM", "KAZ"} {
		fmt.Fprintf(&b, "\"%s\",\"%s\",\"Test\",\"XX.VIN\",\"%.0f\",\"%.0f\",\n", c, c, float64(i+1)*1000*scale, float64(i+1)*1100*scale)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// `clout import` of an older release over a newer one stores nothing without
// --allow-older, and keeps both vintages with it.
func TestImportOlderVintageCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "clout.db")
	newer := writeWorldBank(t, dir, "API_XX.VIN_2023.csv", "2023-12-18", 2)
	older := writeWorldBank(t, dir, "API_XX.VIN_2017.csv", "2017-06-01", 1)
	if code, out, errOut := cli(t, db, "import", newer); code != 0 || !strings.Contains(out, "vintage 2023-12") {
		t.Fatalf("newer: exit %d: %s %s", code, out, errOut)
	}
	const msg = "this file's vintage 2017-06 is older than 2023-12 of the figures it would sit under: 4 figures"
	if code, out, _ := cli(t, db, "import", "--dry-run", older); code != 0 || !strings.Contains(out, msg) {
		t.Fatalf("dry run: exit %d: %s", code, out)
	}
	code, out, errOut := cli(t, db, "import", older)
	if code == 0 || !strings.Contains(out+errOut, msg) || !strings.Contains(out+errOut, "--allow-older") {
		t.Fatalf("without --allow-older: exit %d: %s %s", code, out, errOut)
	}
	if _, ds, _ := cli(t, db, "datasets"); strings.Contains(ds, "API_XX.VIN_2017") {
		t.Fatalf("refused import created a dataset:\n%s", ds)
	}
	if code, out, errOut := cli(t, db, "import", "--allow-older", older); code != 0 || !strings.Contains(out, msg) {
		t.Fatalf("with --allow-older: exit %d: %s %s", code, out, errOut)
	}
	chart := func(extra ...string) string {
		_, out, _ := cli(t, db, append([]string{"chart", "series", "--param", "indicator=XX.VIN", "--param", "countries=ARM"}, extra...)...)
		return out
	}
	if out := chart(); !strings.Contains(out, "2,200") || strings.Contains(out, "1,100") {
		t.Errorf("default chart is not the newest vintage:\n%s", out)
	}
	if out := chart("--param", "vintage=2017-06"); !strings.Contains(out, "1,100") {
		t.Errorf("vintage=2017-06 does not show the older figures:\n%s", out)
	}
}

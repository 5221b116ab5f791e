package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// TestErrorsNamePlace checks that every error says file, sheet, row and column,
// and that the whole file is checked (every error, not only the first).
func TestErrorsNamePlace(t *testing.T) {
	type place struct {
		sheet  string
		row    int
		column string
		msg    string
	}
	tests := []struct {
		name   string
		file   string
		data   func(testing.TB) []byte
		format string
		sum    bool
		want   []place
	}{
		{
			name: "xlsx: wrong number, unknown country, bad period",
			file: "pop.xlsx",
			data: func(tb testing.TB) []byte {
				return MustXLSX(tb, sheet{name: "Data", rows: [][]any{
					{"indicator", "country", "period", "value"},
					{"SP.POP.TOTL", "ARM", 2019, 2957731},
					{"SP.POP.TOTL", "Kyrgyzstn", 2019, 6456900},
					{"SP.POP.TOTL", "KAZ", "2019", "abc"},
					{"SP.POP.TOTL", "TJK", "20X9", 9321023},
					{"SP.POP.TOTL", "UZB", 2019, "12,3,4"},
					{"SP.POP.TOTL", "TKM", 2019, "NaN"},
					{"SP.POP.TOTL", "BLR", 2019, "1e400"},
				}})
			},
			want: []place{
				{"Data", 3, "B", `unknown country "Kyrgyzstn"; did you mean Kyrgyzstan`},
				{"Data", 4, "D", `"abc" is not a number`},
				{"Data", 5, "C", `"20X9" is not a period`},
				{"Data", 6, "D", `"12,3,4" is not a number`},
				{"Data", 7, "D", `"NaN" is not a number`},
				{"Data", 8, "D", `"1e400" is out of range`},
			},
		},
		{
			name: "csv: columns named by header, rows by line",
			file: "gas.csv",
			data: func(testing.TB) []byte {
				return csvText("indicator,country,partner,period,value",
					"NATGAS_EXP_MCM,RUS,TUR,2020-04,470",
					"NATGAS_EXP_MCM,RUS,Germny,2020-04,3000",
					"NATGAS_EXP_MCM,RUS,TUR,2020-04,480",
					",RUS,ITA,2020-04,100",
				)
			},
			want: []place{
				{"", 3, "partner", `unknown country "Germny"`},
				{"", 4, "value", "NATGAS_EXP_MCM RUS partner TUR 2020-04 is also given at row 2 with a different value"},
				{"", 5, "indicator", "indicator is empty"},
			},
		},
		{
			name: "wide: every bad cell",
			file: "wide.csv",
			data: func(testing.TB) []byte {
				return csvText("indicator,country,2019,2020", "SP.POP.TOTL,ARM,1.2.3,x", "SP.POP.TOTL,Narnia,1,2")
			},
			want: []place{
				{"", 2, "2019", `"1.2.3" is not a number`},
				{"", 2, "2020", `"x" is not a number`},
				{"", 3, "country", `unknown country "Narnia"`},
			},
		},
		{
			name: "Comtrade commodity rows summed without every chapter",
			file: "hs.csv", sum: true,
			data: func(testing.TB) []byte {
				return csvText("refYear,flowCode,reporterISO,partnerISO,cmdCode,primaryValue", "2019,X,RUS,TUR,27,1000", "2019,Q,RUS,TUR,TOTAL,1")
			},
			want: []place{
				{"", 3, "flowCode", `trade flow "Q" is neither an export nor an import`},
				{"", 2, "cmdCode", "cannot sum commodities into total goods: the file holds 1 of the 96 HS chapters"},
			},
		},
		{
			name: "IMF report with an unknown partner",
			file: "imf.xlsx",
			data: func(tb testing.TB) []byte {
				return MustXLSX(tb, sheet{name: "Exports, FOB", rows: [][]any{
					{nil, "Exports, FOB to Partner Countries"}, {nil, "Russian Federation"}, {nil, "US Dollars, Millions"}, {},
					{nil, nil, "2019", "2020"},
					{nil, "Atlantis, Rep. of", 1.0, 2.0},
				}})
			},
			want: []place{{"Exports, FOB", 6, "B", `unknown country "Atlantis, Rep. of"`}},
		},
		{
			name: "IEA gas in the wrong unit",
			file: "iea.csv",
			data: func(testing.TB) []byte {
				return csvText("ORIGIN,Origin,PRODUCT,Product,COUNTRY,Country,UNIT,Unit,TIME,Time,Value",
					"RUS,Russia,NATGAS,Natural gas,DEU,Germany,TJ,Terajoules,2019,2019,2100000")
			},
			want: []place{{"", 2, "UNIT", `natural-gas flows must be in million m3, not "Terajoules"`}},
		},
		{
			name: "xlsx date cell as period, and a table without figures elsewhere",
			file: "dates.xlsx",
			data: func(tb testing.TB) []byte {
				return MustXLSX(tb, sheet{name: "Gas", rows: [][]any{
					{"indicator", "country", "partner", "date", "value"},
					{"NATGAS_EXP_MCM", "RUS", "TUR", 43922, 470},
				}})
			},
			want: []place{{"Gas", 2, "D", "43922 is an Excel date (2020-04-01): write the period as text, e.g. 2020-04 or 2020"}},
		},
		{
			name: "every figure missing",
			file: "empty.csv",
			data: func(testing.TB) []byte {
				return csvText("indicator,country,2019,2020", "SP.POP.TOTL,ARM,..,", "SP.POP.TOTL,AZE,-,n/a")
			},
			want: []place{{"", 0, "", "no figures: every value cell of the table is empty or missing (4 missing)"}},
		},
		{
			name: "no table at all",
			file: "notes.csv",
			data: func(testing.TB) []byte { return csvText("just some notes", "nothing tabular here") },
			want: []place{{"", 0, "", "no table found"}},
		},
		{
			name: "xlsx: unknown flag and the same vintage twice",
			file: "flags.xlsx",
			data: func(tb testing.TB) []byte {
				return MustXLSX(tb, sheet{name: "Quotes", rows: [][]any{
					{"indicator", "country", "partner", "period", "value", "flag", "vintage"},
					{"TRADE_USD", "TUR", "RUS", "2022", 68e9, "statement; guess", ""},
					{"SP.POP.TOTL", "RUS", nil, "2019", 1, "", "2026-07"},
					{"SP.POP.TOTL", "RUS", nil, "2019", 2, "", "2026-07"},
				}})
			},
			want: []place{
				{"Quotes", 2, "F", `unknown flag "guess"`},
				{"Quotes", 4, "E", "SP.POP.TOTL RUS 2019 (vintage 2026-07) is also given at row 3"},
			},
		},
		{
			name: "forced layout that does not match",
			file: "tidy.csv", format: "dots",
			data: func(testing.TB) []byte { return csvText("indicator,country,period,value", "SP.POP.TOTL,ARM,2019,1") },
			want: []place{{"", 0, "", "no header of the dots layout found"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := MustOpenStore(t)
			rep, err := New(st, Options{}).Import(context.Background(), Request{FileName: tc.file, Data: tc.data(t), Format: tc.format, SumCommodities: tc.sum})
			if indicators.ErrorCode(err) != indicators.EINVALID {
				t.Fatalf("err = %v (code %q), want EINVALID", err, indicators.ErrorCode(err))
			}
			details := indicators.ErrorDetails(err)
			if len(details) != len(tc.want) || len(rep.Errors) != len(tc.want) {
				t.Fatalf("got %d errors (%d in report), want %d: %+v", len(details), len(rep.Errors), len(tc.want), details)
			}
			for i, w := range tc.want {
				p := details[i]
				if p.File != tc.file || p.Sheet != w.sheet || p.Row != w.row || p.Column != w.column || !strings.Contains(p.Message, w.msg) {
					t.Errorf("error %d = %+v, want file %q sheet %q row %d column %q message containing %q", i, p, tc.file, w.sheet, w.row, w.column, w.msg)
				}
			}
			if !strings.Contains(err.Error(), tc.file) {
				t.Errorf("error %q does not name the file", err)
			}
			if v, _ := st.DataVersion(context.Background()); v != 0 {
				t.Errorf("data version = %d after a rejected import, want 0", v)
			}
		})
	}
}

// TestRejectedImportChangesNothing imports a good version, then a bad one into
// the same dataset: the store must be exactly as before.
func TestRejectedImportChangesNothing(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	im := New(st, Options{})
	good := csvText("indicator,country,period,value", "SP.POP.TOTL,ARM,2019,2957731", "SP.POP.TOTL,AZE,2019,10024283")
	MustImport(t, im, Request{FileName: "pop.csv", Data: good})
	before := MustObservations(t, st, indicators.Query{})
	dv, _ := st.DataVersion(ctx)

	// Many good rows first, so that batches reach the store before the bad cell.
	lines := []string{"indicator,country,period,value"}
	for y := 1900; y < 2100; y++ {
		for _, c := range []string{"ARM", "AZE", "KAZ", "KGZ", "TJK", "UZB", "BLR", "MDA", "TKM", "RUS", "GEO", "UKR"} {
			lines = append(lines, fmt.Sprintf("SP.POP.TOTL,%s,%d,%d", c, y, y*1000))
		}
	}
	lines = append(lines, "SP.POP.TOTL,RUS,2100,12;3")
	_, err := im.Import(ctx, Request{FileName: "pop.csv", Data: csvText(lines...)})
	if indicators.ErrorCode(err) != indicators.EINVALID {
		t.Fatalf("bad import: err = %v, want EINVALID", err)
	}
	if d := indicators.ErrorDetails(err); len(d) != 1 || d[0].Row != len(lines) {
		t.Fatalf("details = %+v, want one error at row %d", d, len(lines))
	}
	after := MustObservations(t, st, indicators.Query{})
	dv2, _ := st.DataVersion(ctx)
	ds, _ := st.Dataset(ctx, "pop")
	if dv2 != dv || len(after) != len(before) || ds.Current != 1 || len(ds.Versions) != 1 {
		t.Fatalf("store changed: data version %d→%d, observations %d→%d, dataset %+v", dv, dv2, len(before), len(after), ds)
	}
}

func TestDryRunStoresNothing(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	im := New(st, Options{})
	MustImport(t, im, Request{FileName: "wdi.csv", Data: csvText("indicator,country,period,value", "SP.POP.TOTL,ARM,2019,2957731", "SP.POP.TOTL,AZE,2019,10024283")})
	dv, _ := st.DataVersion(ctx)
	var lines = []string{"indicator,country,period,value"}
	for y := 2000; y < 2030; y++ {
		lines = append(lines, fmt.Sprintf("SP.POP.TOTL,ARM,%d,%d", y, y))
	}
	rep := MustImport(t, im, Request{FileName: "mine.csv", Data: csvText(lines...), DryRun: true})
	if !rep.DryRun || rep.Version != 0 || rep.Observations != 30 || len(rep.Sample) != sampleSize {
		t.Errorf("report: dry %v version %d observations %d sample %d", rep.DryRun, rep.Version, rep.Observations, len(rep.Sample))
	}
	if !hasProblem(rep.Warnings, `1 observations are also in dataset "wdi"`) {
		t.Errorf("no overlap warning in %+v", rep.Warnings)
	}
	if dv2, _ := st.DataVersion(ctx); dv2 != dv {
		t.Errorf("data version %d → %d after a dry run", dv, dv2)
	}
	if _, err := st.Dataset(ctx, "mine"); indicators.ErrorCode(err) != indicators.ENOTFOUND {
		t.Errorf("dataset of a dry run exists (err %v)", err)
	}
	// A real import of the same file keeps the overlap warning in the stored report.
	rep = MustImport(t, im, Request{FileName: "mine.csv", Data: csvText(lines...)})
	ds, err := st.Dataset(ctx, "mine")
	if err != nil || len(ds.Versions) != 1 || ds.Versions[0].Report == nil || !hasProblem(ds.Versions[0].Report.Warnings, "also in dataset") {
		t.Errorf("stored version %+v (err %v) lacks the overlap warning; returned warnings %+v", ds.Versions, err, rep.Warnings)
	}
}

func TestLimits(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 2000)
	tests := []struct {
		name string
		opts Options
		data func(testing.TB) []byte
		code string
		msg  string
	}{
		{name: "upload size", opts: Options{MaxUpload: 1000}, data: func(testing.TB) []byte { return big }, code: indicators.ETOOLARGE, msg: "over the 1000 B upload limit"},
		{name: "cell limit csv", opts: Options{MaxCells: 100}, code: indicators.ETOOLARGE, msg: "more than 100 cells",
			data: func(testing.TB) []byte {
				lines := []string{"indicator,country,period,value"}
				for y := 1900; y < 2000; y++ {
					lines = append(lines, fmt.Sprintf("SP.POP.TOTL,ARM,%d,1", y))
				}
				return csvText(lines...)
			}},
		{name: "cell limit xlsx", opts: Options{MaxCells: 50}, code: indicators.ETOOLARGE, msg: "more than 50 cells",
			data: func(tb testing.TB) []byte {
				rows := [][]any{{"indicator", "country", "period", "value"}}
				for y := 1900; y < 1920; y++ {
					rows = append(rows, []any{"SP.POP.TOTL", "ARM", y, 1})
				}
				return MustXLSX(tb, sheet{name: "Data", rows: rows})
			}},
		{name: "zip bomb", opts: Options{MaxUnzipped: 1 << 20}, data: zipBomb, code: indicators.ETOOLARGE, msg: "unpacks to more than the 1.0 MiB limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := MustOpenStore(t)
			_, err := New(st, tc.opts).Import(context.Background(), Request{FileName: "f.xlsx", Data: tc.data(t)})
			if indicators.ErrorCode(err) != tc.code || !strings.Contains(indicators.ErrorMessage(err), tc.msg) {
				t.Fatalf("err = %v (code %q), want %s containing %q", err, indicators.ErrorCode(err), tc.code, tc.msg)
			}
			if v, _ := st.DataVersion(context.Background()); v != 0 {
				t.Errorf("data version %d after a rejected import", v)
			}
		})
	}
}

// zipBomb is a small xlsx whose sheet XML unpacks to 8 MiB of rows.
func zipBomb(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	write := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			tb.Fatal(err)
		}
	}
	write("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	write("xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	write("xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	row := `<row><c t="inlineStr"><is><t>x</t></is></c></row>`
	write("xl/worksheets/sheet1.xml", `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
		strings.Repeat(row, (8<<20)/len(row))+`</sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if buf.Len() > 200<<10 {
		tb.Fatalf("zip bomb is %d bytes, expected a small file", buf.Len())
	}
	return buf.Bytes()
}

func TestSniff(t *testing.T) {
	random := make([]byte, 4096)
	rand.Read(random)
	var plainZip bytes.Buffer
	zw := zip.NewWriter(&plainZip)
	w, _ := zw.Create("readme.pdf")
	w.Write([]byte("a,b\n"))
	zw.Close()
	tests := []struct {
		name string
		file string
		data []byte
		kind fileKind
		code string
	}{
		{name: "xlsx named csv", file: "x.csv", data: MustXLSX(t, sheet{name: "Data", rows: [][]any{{"a"}}}), kind: kindXLSX},
		{name: "csv named xlsx", file: "x.xlsx", data: csvText("a,b", "1,2"), kind: kindCSV},
		{name: "random bytes named xlsx", file: "x.xlsx", data: random, code: indicators.EUNSUPPORTED},
		{name: "empty file", file: "x.csv", data: nil, code: indicators.EINVALID},
		{name: "only a BOM and blank lines", file: "x.csv", data: []byte("\ufeff\n\n"), code: indicators.EINVALID},
		{name: "zip that is not a workbook", file: "x.xlsx", data: plainZip.Bytes(), code: indicators.EUNSUPPORTED},
		{name: "legacy xls", file: "x.xls", data: append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), code: indicators.EUNSUPPORTED},
		{name: "UTF-16 text", file: "x.csv", data: []byte{0xFF, 0xFE, 'a', 0, ',', 0}, code: indicators.EUNSUPPORTED},
		{name: "PDF", file: "x.pdf", data: append([]byte("%PDF-1.7\n\x00\x01\x02"), random[:100]...), code: indicators.EUNSUPPORTED},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := bytes.NewReader(tc.data)
			scan, err := scanFile(f)
			if err != nil {
				t.Fatal(err)
			}
			kind, err := sniffFile(f, scan)
			if indicators.ErrorCode(err) != tc.code || kind != tc.kind {
				t.Fatalf("sniff = %d, %v; want %d, code %q", kind, err, tc.kind, tc.code)
			}
			if tc.code == "" {
				return
			}
			_, err = New(MustOpenStore(t), Options{}).Import(context.Background(), Request{FileName: tc.file, Data: tc.data})
			if indicators.ErrorCode(err) != tc.code {
				t.Fatalf("import err = %v, want code %q", err, tc.code)
			}
		})
	}
}

func TestHostileCSV(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{name: "one column", data: csvText("value", "1", "2"), msg: "no table found"},
		{name: "NaN, Inf and 1e400", data: csvText("indicator,country,period,value", "X,ARM,2019,NaN", "X,ARM,2020,Inf", "X,ARM,2021,1e400", "X,ARM,2022,-Infinity"), msg: "not a number"},
		{name: "binary-looking text", data: []byte("indicator,country,period,value\n\x01\x02\x03,ARM,2019,1\n"), msg: "neither an xlsx workbook nor csv text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := MustOpenStore(t)
			rep, err := New(st, Options{}).Import(context.Background(), Request{FileName: "h.csv", Data: tc.data})
			if indicators.ErrorCode(err) == "" || rep == nil || !strings.Contains(fmt.Sprint(indicators.ErrorDetails(err), err), tc.msg) {
				t.Fatalf("err = %v %+v, want an error mentioning %q", err, indicators.ErrorDetails(err), tc.msg)
			}
			if v, _ := st.DataVersion(context.Background()); v != 0 {
				t.Errorf("data version %d", v)
			}
		})
	}
}

package importer

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/internal/ziptest"
)

// mustZipOf writes a zip archive of name, content pairs.
func mustZipOf(tb testing.TB, files ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err == nil {
			_, err = w.Write([]byte(files[i+1]))
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// mustGzip gzips data under name, as gzip(1) does.
func mustGzip(tb testing.TB, name string, data []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Name = name
	if _, err := zw.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestArchives(t *testing.T) {
	wb := string(worldBankPop("2023-05-10", 1))
	csvy := "---\nname: pop\nlast_updated: 2024-02-29\n---\nindicator,country,period,value\nSP.POP.TOTL,ARM,2019,2957731\nSP.POP.TOTL,KAZ,2019,18513930\n"
	// 8 MiB of rows that compress to a few KiB.
	bomb := "indicator,country,period,value\n" + strings.Repeat("SP.POP.TOTL,ARM,2019,1\n", (8<<20)/23)
	tests := []struct {
		name         string
		file         string
		data         func(testing.TB) []byte
		opts         Options
		member       string
		observations int
		vintage      string
		warning      string
		code         string
		msg          string
	}{
		{name: "World Bank bulk zip with metadata files", file: "API_SP.POP.TOTL_DS2_en_csv_v2_4751.zip",
			data: func(tb testing.TB) []byte {
				return mustZipOf(tb,
					"Metadata_Indicator_API_SP.POP.TOTL_DS2_en_csv_v2_4751.csv", "\"INDICATOR_CODE\",\"INDICATOR_NAME\",\"SOURCE_NOTE\"\n\"SP.POP.TOTL\",\"Population, total\",\"...\"\n",
					"API_SP.POP.TOTL_DS2_en_csv_v2_4751.csv", wb,
					"Metadata_Country_API_SP.POP.TOTL_DS2_en_csv_v2_4751.csv", "\"Country Code\",\"Region\",\"IncomeGroup\"\n\"ARM\",\"Europe & Central Asia\",\"Upper middle income\"\n")
			},
			member: "API_SP.POP.TOTL_DS2_en_csv_v2_4751.csv", observations: 18, vintage: "2023-05",
			warning: "read API_SP.POP.TOTL_DS2_en_csv_v2_4751.csv from the zip archive; skipped Metadata_Country_API_SP.POP.TOTL_DS2_en_csv_v2_4751.csv, Metadata_Indicator_API_SP.POP.TOTL_DS2_en_csv_v2_4751.csv"},
		{name: "gz", file: "API_SP.POP.TOTL.csv.gz", data: func(tb testing.TB) []byte { return mustGzip(tb, "API_SP.POP.TOTL.csv", []byte(wb)) },
			member: "API_SP.POP.TOTL.csv", observations: 18, vintage: "2023-05"},
		{name: "csvy.gz", file: "pop.csvy.gz", data: func(tb testing.TB) []byte { return mustGzip(tb, "", []byte(csvy)) },
			member: "pop.csvy", observations: 2, vintage: "2024-02"},
		{name: "zip bomb refused", file: "bomb.zip", opts: Options{MaxUnzipped: 1 << 20},
			data: func(tb testing.TB) []byte { return mustZipOf(tb, "data.csv", bomb) },
			code: indicators.ETOOLARGE, msg: "bomb.zip unpacks to more than the 1.0 MiB limit"},
		{name: "gz bomb refused", file: "bomb.csv.gz", opts: Options{MaxUnzipped: 1 << 20},
			data: func(tb testing.TB) []byte { return mustGzip(tb, "", []byte(bomb)) },
			code: indicators.ETOOLARGE, msg: "unpacks to more than the 1.0 MiB limit"},
		{name: "cell limit inside", file: "cells.zip", opts: Options{MaxCells: 100},
			data: func(tb testing.TB) []byte { return mustZipOf(tb, "data.csv", bomb[:2000]) },
			code: indicators.ETOOLARGE, msg: "more than 100 cells"},
		{name: "two data files", file: "two.zip",
			data: func(tb testing.TB) []byte { return mustZipOf(tb, "a.csv", csvy, "b.csv", csvy) },
			code: indicators.EUNSUPPORTED, msg: "holds 2 data files (a.csv, b.csv)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := MustOpenStore(t)
			data := tc.data(t)
			rep, err := New(st, tc.opts).Import(context.Background(), Request{FileName: tc.file, Data: data})
			if tc.code != "" {
				if indicators.ErrorCode(err) != tc.code || !strings.Contains(indicators.ErrorMessage(err), tc.msg) {
					t.Fatalf("err = %v (code %q), want %s containing %q", err, indicators.ErrorCode(err), tc.code, tc.msg)
				}
				if v, _ := st.DataVersion(context.Background()); v != 0 {
					t.Errorf("data version %d after a refused archive", v)
				}
				return
			}
			if err != nil {
				t.Fatalf("import: %v %+v", err, indicators.ErrorDetails(err))
			}
			if rep.Member != tc.member || rep.Observations != tc.observations || rep.Vintage != tc.vintage {
				t.Errorf("member %q, %d observations, vintage %q; want %q, %d, %q", rep.Member, rep.Observations, rep.Vintage, tc.member, tc.observations, tc.vintage)
			}
			if tc.warning != "" && !hasProblem(rep.Warnings, tc.warning) {
				t.Errorf("warnings %+v lack %q", rep.Warnings, tc.warning)
			}
			// The version keeps the archive as uploaded.
			file, err := versionFileBytes(st, rep.Dataset, rep.Version)
			if err != nil || !bytes.Equal(file, data) {
				t.Errorf("stored file is not the archive (%d bytes, err %v)", len(file), err)
			}
		})
	}
}

// TestDamagedArchivesRejected checks that a damaged archive, or a hostile
// workbook inside a good one, is refused whole with its place, the previous
// version staying current.
func TestDamagedArchivesRejected(t *testing.T) {
	rows := []string{"indicator,country,period,value"}
	for y := 1900; y < 2000; y++ {
		rows = append(rows, "SP.POP.TOTL,ARM,"+strconv.Itoa(y)+",1")
	}
	text := csvText(rows...)
	gz := mustGzip(t, "pop.csv", text)
	zipped := mustZipOf(t, "pop.csv", string(text))
	// Flip a byte of the member's compressed data: its checksum fails.
	damaged := bytes.Clone(zipped)
	damaged[len("PK\x03\x04")+26+len("pop.csv")+40] ^= 0xff
	truncatedSheet := MustXLSX(t, sheet{name: "Data", rows: [][]any{{"indicator", "country", "period", "value"}, {"SP.POP.TOTL", "ARM", 2019, 1}}})
	truncatedSheet = ziptest.Rewrite(t, truncatedSheet, map[string]func([]byte) []byte{
		"xl/worksheets/sheet1.xml": func(b []byte) []byte { return b[:len(b)-40] },
	}, nil)
	tests := []struct {
		name string
		file string
		data []byte
		want []string
	}{
		{name: "gzip cut off", file: "pop.csv.gz", data: gz[:len(gz)/2], want: []string{"pop.csv.gz", "cannot be unpacked", "unexpected EOF"}},
		{name: "zip member with a bad checksum", file: "pop.zip", data: damaged, want: []string{"pop.zip", "pop.csv"}},
		{name: "cut-off workbook inside a zip", file: "book.zip", data: mustZipOf(t, "book.xlsx", string(truncatedSheet)),
			want: []string{"book.zip", `sheet "Data"`, "xl/worksheets/sheet1.xml", "cut off"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := MustOpenStore(t)
			im := New(st, Options{})
			MustImport(t, im, Request{Dataset: "pop", FileName: "pop.csv", Data: csvText("indicator,country,period,value", "SP.POP.TOTL,ARM,2019,2957731")})
			dv, _ := st.DataVersion(ctx)
			rep, err := im.Import(ctx, Request{Dataset: "pop", FileName: tc.file, Data: tc.data})
			if indicators.ErrorCode(err) != indicators.EINVALID || rep.OK() {
				t.Fatalf("err = %v, report errors %v; want EINVALID in the report", err, rep.Errors)
			}
			for _, w := range tc.want {
				if !strings.Contains(indicators.ErrorMessage(err), w) {
					t.Errorf("error %q does not say %q", indicators.ErrorMessage(err), w)
				}
			}
			ds, _ := st.Dataset(ctx, "pop")
			if dv2, _ := st.DataVersion(ctx); dv2 != dv || ds.Current != 1 || len(ds.Versions) != 1 {
				t.Fatalf("store changed: data version %d→%d, dataset %+v", dv, dv2, ds)
			}
		})
	}
}

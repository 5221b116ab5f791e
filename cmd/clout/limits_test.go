package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The upload limit is one setting: config limits.upload_mib < CLOUT_MAX_UPLOAD <
// --max-upload.
func TestMaxUploadSetting(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "clout.yaml")
	if err := os.WriteFile(cfgPath, []byte("limits:\n  upload_mib: 48\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  string
		args []string
		want int64
		bad  bool
	}{
		{name: "default", want: 32},
		{name: "config", args: []string{"--config", cfgPath}, want: 48},
		{name: "env over config", env: "64", args: []string{"--config", cfgPath}, want: 64},
		{name: "flag over env", env: "64", args: []string{"--config", cfgPath, "--max-upload", "80"}, want: 80},
		{name: "bad env", env: "lots", bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			common := addCommonFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			env := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string {
				if k == "CLOUT_MAX_UPLOAD" {
					return tc.env
				}
				return ""
			}}
			cfg, err := common.load(env)
			if tc.bad {
				if err == nil || !strings.Contains(err.Error(), "CLOUT_MAX_UPLOAD") {
					t.Fatalf("err = %v, want one naming CLOUT_MAX_UPLOAD", err)
				}
				return
			}
			if err != nil || cfg.Limits.UploadMiB != tc.want || cfg.Limits.UploadBytes() != tc.want<<20 {
				t.Fatalf("upload limit %d MiB (err %v), want %d", cfg.Limits.UploadMiB, err, tc.want)
			}
		})
	}
}

// `clout import` reads a local file whatever the upload limit: the limit is
// for uploads.
func TestImportLocalFileOverUploadLimit(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	b.WriteString("indicator,country,period,value\n")
	for i := 0; b.Len() < 3<<20/2; i++ { // 1.5 MiB
		fmt.Fprintf(&b, "XX.BIG%d,ARM,%d,%d\n", i/100, 1900+i%100, i)
	}
	p := filepath.Join(dir, "big.csv")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		switch k {
		case "CLOUT_DB":
			return filepath.Join(dir, "clout.db")
		case "CLOUT_MAX_UPLOAD":
			return "1"
		}
		return ""
	}}
	if code := Run(context.Background(), env, []string{"import", p}); code != 0 || !strings.Contains(stdout.String(), "big.csv: imported") {
		t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
	}
}

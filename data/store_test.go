package data_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clout-dev/clout/data"
	"github.com/clout-dev/clout/indicators"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		dsn  string
		code string // "" = opens
	}{
		{name: "path", dsn: filepath.Join(dir, "a.db")},
		{name: "file URI", dsn: "file:" + filepath.Join(dir, "b.db")},
		{name: "postgres, no server", dsn: "postgres://clout@127.0.0.1:1/clout?connect_timeout=1", code: indicators.EINTERNAL},
		{name: "postgresql, no server", dsn: "postgresql://clout@127.0.0.1:1/clout?connect_timeout=1", code: indicators.EINTERNAL},
		{name: "empty", dsn: "", code: indicators.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := data.Open(context.Background(), tt.dsn)
			if code := indicators.ErrorCode(err); code != tt.code {
				t.Fatalf("Open(%q): %v (code %q), want code %q", tt.dsn, err, code, tt.code)
			}
			if err != nil {
				if strings.HasPrefix(tt.dsn, "postgres") && !strings.Contains(err.Error(), "postgres") {
					t.Errorf("error %q does not come from the PostgreSQL store", err)
				}
				return
			}
			defer s.Close()
			if err := s.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
			if dv, err := s.DataVersion(context.Background()); err != nil || dv != 0 {
				t.Errorf("fresh store data version %d %v", dv, err)
			}
		})
	}
}

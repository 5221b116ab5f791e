package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clout-dev/clout/dashboard"
	"github.com/clout-dev/clout/data"
)

// TestServeBadAddressFailsFast starts serve on a busy and on a malformed address:
// it must fail at once, before the store is created or migrated and before an
// admin token is generated (and printed to no one).
func TestServeBadAddressFailsFast(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct{ name, addr string }{
		{"busy", busy.Addr().String()},
		{"malformed", "127.0.0.1:notaport"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "clout.db")
			start := time.Now()
			code, _, errOut := cli(t, db, "serve", "--addr", tc.addr)
			if code != 1 || !strings.Contains(errOut, "listen") {
				t.Fatalf("exit %d, stderr %s; want 1 with the listen error", code, errOut)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %s to fail", took)
			}
			if strings.Contains(errOut, "Admin token") {
				t.Errorf("a token was generated: %s", errOut)
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Errorf("the store was opened (%v)", err)
			}
		})
	}
}

// TestTokenReset replaces the stored admin token: stdout is the new token, and
// only its hash is stored.
func TestTokenReset(t *testing.T) {
	db := filepath.Join(t.TempDir(), "clout.db")
	tokens := map[string]bool{}
	for range 2 {
		code, out, errOut := cli(t, db, "token", "reset")
		token := strings.TrimSpace(out)
		if code != 0 || len(token) < 32 {
			t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errOut)
		}
		tokens[token] = true
		st, err := data.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		stored, _, err := st.Setting(context.Background(), dashboard.AdminTokenSetting)
		st.Close()
		sum := sha256.Sum256([]byte(token))
		if err != nil || stored != hex.EncodeToString(sum[:]) {
			t.Fatalf("stored %q (%v), want the new token's SHA-256", stored, err)
		}
	}
	if len(tokens) != 2 {
		t.Fatal("reset printed the same token twice")
	}
	if code, _, errOut := cli(t, db, "token", "show"); code != 2 || !strings.Contains(errOut, "reset") {
		t.Fatalf("token show: exit %d, %s; want usage", code, errOut)
	}
}

package main

import (
	"context"
	"fmt"

	"github.com/clout-dev/clout/dashboard"
	"github.com/clout-dev/clout/data"
)

// runToken is `clout token reset`: it replaces the stored admin token with a new
// one and prints it, so a generated token that scrolled away is never lost.
func runToken(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("token", env)
	common := addCommonFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: clout token [--db ...] reset\n\nReplaces the admin token with a new random one and prints it; only its hash is stored.")
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "reset" {
		return usageError(fs, "expected: reset")
	}
	cfg, err := common.load(env)
	if err != nil {
		return err
	}
	st, err := data.Open(ctx, cfg.DB, data.WithWriteWait(cfg.WriteLockWait), data.WithWriteWaitNotice(waitNotice(env))) // no seed: a token needs none
	if err != nil {
		return fmt.Errorf("open %s: %w", cfg.DB, err)
	}
	defer st.Close()
	token, err := dashboard.ResetAdminToken(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, token)
	if cfg.AdminToken != "" {
		fmt.Fprintln(env.Stderr, "note: CLOUT_ADMIN_TOKEN (or admin_token in the config) is set; servers started with it use it instead")
	}
	return nil
}

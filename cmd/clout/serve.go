package main

import (
	"context"
	"errors"
)

func runServe(ctx context.Context, env *Env, args []string) error { return errors.New("not wired yet") }
func runExport(ctx context.Context, env *Env, args []string) error {
	return errors.New("not wired yet")
}
func runJobs(ctx context.Context, env *Env, args []string) error { return errors.New("not wired yet") }

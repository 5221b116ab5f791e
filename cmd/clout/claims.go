package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/clout-dev/clout/claims"
	"github.com/clout-dev/clout/indicators"
)

// claimsCheckedKey is the setting holding the id of the last verdict change
// `clout claims check` has reported.
const claimsCheckedKey = "claims.checked_change"

// exitChanged is the exit status of `clout claims check` when a verdict changed.
const exitChanged = exitStatus(3)

func runClaims(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("claims", env)
	common := addCommonFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	vintage := fs.String("vintage", "", "show: judge on this vintage of the figures (default: the newest of each)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: clout claims [--db ...] [--config ...] [list | show ID | check] [--json]

  list      every claim with its current verdict and summary (the default)
  show ID   one claim's verdict per period and its history of verdict changes
  check     judge the claims at the current data version; exit status 3 when a
            verdict changed since the last check, 0 otherwise (for cron and CI)`)
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	verb, err := subcommand(fs, "list", map[string]int{"list": 0, "show": 1, "check": 0})
	if err != nil {
		return err
	}
	app, err := common.open(ctx, env)
	if err != nil {
		return err
	}
	defer app.Close()
	switch verb {
	case "show":
		return showClaim(ctx, env, app, fs.Arg(1), *vintage, *asJSON)
	case "check":
		return checkClaims(ctx, env, app, *asJSON)
	}
	rep, err := app.claims.Evaluate(ctx)
	if err != nil {
		return err
	}
	app.claims.Wait()
	if *asJSON {
		return writeJSON(env.Stdout, rep)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "CLAIM\tVERDICT\tSINCE\tSUMMARY\n")
	for _, ev := range rep.Claims {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ev.Claim.ID, verdictWord(ev.Current), sinceWord(ev.Current), ev.Summary)
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "data version %d\n", rep.DataVersion)
	return nil
}

func showClaim(ctx context.Context, env *Env, app *app, id, vintage string, asJSON bool) error {
	ev, err := app.claims.EvaluateClaim(ctx, id, vintage)
	if err != nil {
		return err
	}
	hist, err := app.claims.History(ctx, id, 0)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(env.Stdout, struct {
			claims.Evaluation
			History []indicators.ClaimChange `json:"history"`
		}{ev, hist})
	}
	fmt.Fprintf(env.Stdout, "%s\n“%s”\nnow: %s %s\n%s\n\n", ev.Claim.ID, ev.Claim.Text, verdictWord(ev.Current), sinceWord(ev.Current), ev.Summary)
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "PERIOD\tVERDICT\tWHY\tFLAGS\n")
	for _, v := range ev.Verdicts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", v.Period, v.Verdict, v.Reason, v.Flags)
	}
	tw.Flush()
	if len(hist) > 0 {
		fmt.Fprintln(env.Stdout, "\nverdict changes:")
		printChanges(env.Stdout, hist)
	}
	return nil
}

// checkClaims judges the claims, reports the verdict changes recorded since the
// last check and moves the check point past them.
func checkClaims(ctx context.Context, env *Env, app *app, asJSON bool) error {
	if _, err := app.rejudge(ctx); err != nil {
		return err
	}
	var after int64
	if s, ok, err := app.store.Setting(ctx, claimsCheckedKey); err != nil {
		return err
	} else if ok {
		after, _ = strconv.ParseInt(s, 10, 64)
	}
	changes, err := app.store.ClaimChanges(ctx, "", after, 0)
	if err != nil {
		return err
	}
	if asJSON {
		if err := writeJSON(env.Stdout, map[string]any{"changed": len(changes) > 0, "changes": changes}); err != nil {
			return err
		}
	} else if len(changes) == 0 {
		fmt.Fprintln(env.Stdout, "no verdict changed since the last check")
	} else {
		printChanges(env.Stdout, changes)
	}
	if len(changes) == 0 {
		return nil
	}
	if err := app.store.SetSetting(ctx, claimsCheckedKey, strconv.FormatInt(changes[0].ID, 10)); err != nil {
		return err
	}
	return exitChanged
}

// printChanges writes verdict changes, one a line.
func printChanges(w io.Writer, changes []indicators.ClaimChange) {
	for _, c := range changes {
		fmt.Fprintf(w, "claim %s: %s: %s → %s (data version %d)\n", c.Claim, c.Period, orNotJudged(c.Old), orNotJudged(c.New), c.DataVersion)
	}
}

func orNotJudged(v indicators.Verdict) string {
	if v == "" {
		return "not judged"
	}
	return string(v)
}

func verdictWord(c indicators.CurrentVerdict) string {
	if c.Verdict == "" {
		return string(indicators.VerdictUntestable)
	}
	return string(c.Verdict)
}

func sinceWord(c indicators.CurrentVerdict) string {
	if c.Since.IsZero() {
		return "-"
	}
	return "since " + c.Since.String()
}

package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"
)

func runDatasets(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("datasets", env)
	common := addCommonFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: clout datasets [--db ...] [--json] [list | show NAME | rollback NAME VERSION]")
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	verb, err := subcommand(fs, "list", map[string]int{"list": 0, "show": 1, "rollback": 2})
	if err != nil {
		return err
	}
	var version int
	if verb == "rollback" {
		v, err := strconv.Atoi(fs.Arg(2))
		if err != nil || v < 1 {
			return usageError(fs, "VERSION must be a positive number, not %q", fs.Arg(2))
		}
		version = v
	}
	app, err := common.open(ctx, env)
	if err != nil {
		return err
	}
	defer app.Close()
	out := func(v any, text func()) error {
		if *asJSON {
			return writeJSON(env.Stdout, v)
		}
		text()
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	switch verb {
	case "list":
		list, err := app.store.Datasets(ctx)
		if err != nil {
			return err
		}
		return out(list, func() {
			fmt.Fprintln(tw, "DATASET\tVERSION\tOBSERVATIONS\tUPDATED")
			for _, d := range list {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", d.Name, d.Current, d.Observations, d.UpdatedAt.Format(time.RFC3339))
			}
		})
	case "show":
		d, err := app.store.Dataset(ctx, fs.Arg(1))
		if err != nil {
			return err
		}
		return out(d, func() {
			fmt.Fprintf(tw, "VERSION\tDATA VERSION\tCREATED\tFILE\tSIZE\tSHA-256\tOBSERVATIONS\tWHO\tNOTE\n")
			for _, v := range d.Versions {
				note := ""
				if v.RollbackOf > 0 {
					note = fmt.Sprintf("rollback to %d", v.RollbackOf)
				}
				if v.Current {
					note += " (current)"
				}
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%.12s\t%d\t%s\t%s\n", v.Number, v.DataVersion, v.CreatedAt.Format(time.RFC3339),
					v.FileName, v.Size, v.SHA256, v.Observations, v.Who, note)
			}
		})
	default:
		if _, err := app.rejudge(ctx); err != nil {
			return err
		}
		v, err := app.store.Rollback(ctx, fs.Arg(1), version, "cli")
		if err != nil {
			return err
		}
		changes, err := app.rejudge(ctx)
		if err != nil {
			return err
		}
		return out(v, func() {
			fmt.Fprintf(env.Stdout, "%s: version %d restores version %d (data version %d)\n", v.Dataset, v.Number, version, v.DataVersion)
			printChanges(env.Stdout, changes)
		})
	}
}

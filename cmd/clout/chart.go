package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/clout-dev/clout/indicators"
)

func runChart(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("chart", env)
	common := addCommonFlags(fs)
	params := paramFlags{}
	fs.Var(params, "param", "chart parameter k=v (repeatable), e.g. --param year=2019 --param partners=TUR,AZE")
	asJSON := fs.Bool("json", false, "print the computed result as JSON")
	asOf := fs.Int64("v", 0, "read the data as of this data version (0 = current)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: clout chart [--db ...] ID [--param k=v ...] [--json]\n\nCharts:\n")
		for _, c := range indicators.Charts() {
			fmt.Fprintf(fs.Output(), "  %-17s %s\n", c.ID(), c.Title())
		}
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(fs, "need exactly one chart id")
	}
	if _, err := indicators.ChartByID(fs.Arg(0)); err != nil {
		return err // before the store is opened
	}
	app, err := common.open(ctx, env)
	if err != nil {
		return err
	}
	defer app.Close()
	cc, err := app.charts.ComputeByID(ctx, fs.Arg(0), indicators.Params(params), *asOf)
	if err != nil {
		return err
	}
	res := cc.Result
	if *asJSON {
		return writeJSON(env.Stdout, res)
	}
	return printResult(env.Stdout, res)
}

// printResult writes a result for people: title, statement, the plotted table,
// coverage notes, sources and data version.
func printResult(w io.Writer, res *indicators.Result) error {
	fmt.Fprintf(w, "%s\n%s\n\n", res.Title, res.Subtitle)
	if res.Statement != "" {
		fmt.Fprintf(w, "%s\n\n", res.Statement)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := make([]string, len(res.Table.Columns))
	for i, c := range res.Table.Columns {
		head[i] = c.Name
		if c.Unit != "" {
			head[i] += " (" + c.Unit + ")"
		}
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, row := range res.Table.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = formatCell(v)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(res.Coverage) > 0 {
		fmt.Fprintln(w, "\nCoverage:")
		for _, c := range res.Coverage {
			fmt.Fprintf(w, "  - %s\n", c)
		}
	}
	if len(res.Citations) > 0 {
		fmt.Fprintln(w, "\nSources:")
		for _, c := range res.Citations {
			line := c.Text()
			if c.URL != "" {
				line += " <" + c.URL + ">"
			}
			fmt.Fprintf(w, "  - %s\n", line)
		}
	}
	_, err := fmt.Fprintf(w, "\nData version %d\n", res.DataVersion)
	return err
}

func formatCell(v any) string {
	switch x := v.(type) {
	case nil:
		return "–"
	case float64:
		return indicators.FormatNumber(x)
	case *float64:
		if x == nil {
			return "–"
		}
		return indicators.FormatNumber(*x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

package claims

import (
	"context"
	"strings"

	"github.com/clout-dev/clout/chart"
	"github.com/clout-dev/clout/chart/option"
	"github.com/clout-dev/clout/export"
	"github.com/clout-dev/clout/indicators"
)

// imageRows is how many periods an image's verdict table lists (the newest).
const imageRows = 12

// Result is a claim's evaluation as a chart result, for exports: the summary
// as its statement, the verdict per period as its table, the caveats as its
// coverage notes.
func Result(ev Evaluation) *indicators.Result {
	res := &indicators.Result{Chart: "claim-" + ev.Claim.ID, Title: ev.Claim.Text,
		Subtitle:  "Said in " + ev.Claim.Said.Title + " · test: " + ev.Claim.Test.Words(ev.Claim.Metric.Unit) + " · " + ev.Claim.Periods.String(),
		Statement: "Now " + string(ev.Current.Verdict) + ": " + ev.Summary, Params: indicators.Params{},
		Coverage: ev.Caveats, Sources: []string{}, DataVersion: ev.DataVersion, Vintage: ev.Vintage, Detail: ev}
	u := ev.Claim.Metric.Unit
	res.Table = indicators.Table{Columns: []indicators.Column{{Name: "Period"}, {Name: "Figure", Unit: u}, {Name: "Lowest", Unit: u},
		{Name: "Highest", Unit: u}, {Name: "At least", Unit: u}, {Name: "Verdict"}, {Name: "Flags"}, {Name: "Missing"}, {Name: "Sources"}, {Name: "Why"}}}
	for _, v := range ev.Verdicts {
		flags := make([]string, len(v.Flags))
		for i, f := range v.Flags {
			flags[i] = f.Label()
		}
		res.Table.Rows = append(res.Table.Rows, []any{v.Period.String(), cell(v.Value), cell(v.Low), cell(v.High), cell(v.AtLeast),
			string(v.Verdict), strings.Join(flags, "; "), strings.Join(v.Missing, "; "), strings.Join(v.Sources, "; "), v.Reason})
		res.Sources = appendNew(res.Sources, v.Sources...)
	}
	return res
}

func cell(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Export renders a claim judged with vintage in format f: images draw the
// verdict chart with the table of the latest periods under it; CSV and XLSX are
// the verdict table; HTML and JSON carry both.
func (s *Service) Export(ctx context.Context, id, vintage string, f export.Format, img export.Image) (chart.Snapshot, error) {
	ev, err := s.EvaluateClaim(ctx, id, vintage)
	if err != nil {
		return chart.Snapshot{}, err
	}
	opt, err := option.Claim(ev.Claim, ev.Verdicts)
	if f.IsImage() {
		opt, err = option.ClaimWithTable(ev.Claim, ev.Verdicts, imageRows)
	}
	if err != nil {
		return chart.Snapshot{}, err
	}
	return s.charts.SnapshotOf(ctx, Result(ev), opt, Path(id), f, img)
}

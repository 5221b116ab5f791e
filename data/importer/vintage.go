package importer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/clout-dev/clout/indicators"
)

// NormalizeVintage writes a release date in the form vintages take everywhere in
// Clout: the year and month of the release, "2023-05", so that the vintage a
// file states ("2023-05-10" in a World Bank file, "05/10/2023" in a DataBank
// footnote, "2023-05-10T00:00:00Z" in CSVY metadata) sorts and compares with the
// seed's. Text that is not a date ("WDI April 2024") is kept as written.
func NormalizeVintage(s string) string {
	s = strings.Trim(trimSpace(s), `"'`)
	if s == "" {
		// Most rows have no vintage: each failed time.Parse builds an error, and
		// trying every layout on every row was a tenth of a csv import.
		return ""
	}
	for _, f := range vintageLayouts {
		if t, err := time.Parse(f, s); err == nil {
			return t.Format("2006-01")
		}
	}
	return s
}

// vintageLayouts are the date forms NormalizeVintage reads; month-first slashes
// are the World Bank's (DataBank "Last Updated: 05/10/2023").
var vintageLayouts = []string{
	"2006-01", "2006-01-02", time.RFC3339, "2006-01-02 15:04:05", "2006/01/02", "01/02/2006", "2006-1-2", "1/2/2006", "200601", "20060102",
}

// vintageLabels are the metadata keys and label cells that give a file's own date,
// normalised with normName: the World Bank's "Last Updated Date", CSVY keys, an
// IMF report's "Report date".
var vintageLabels = []string{"last updated date", "last updated", "vintage", "release", "release date", "report date", "date of report", "updated"}

// vintageFromRows finds a file's date among the rows above its header: a label
// cell followed by a date.
func vintageFromRows(rows [][]string) string {
	for _, row := range rows {
		for i := 0; i+1 < len(row); i++ {
			label := strings.TrimSuffix(normName(row[i]), ":")
			if contains(vintageLabels, label) && trimSpace(row[i+1]) != "" {
				return NormalizeVintage(row[i+1])
			}
		}
	}
	return ""
}

// vintageFromFrontMatter reads the vintage of a CSVY file from its YAML block
// (`vintage: 2023-05`, `last_updated: 2023-05-10`, ...); only top-level keys.
func vintageFromFrontMatter(lines []string) string {
	for _, line := range lines {
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if ok && contains(vintageLabels, normName(k)) && trimSpace(v) != "" {
			return NormalizeVintage(v)
		}
	}
	return ""
}

// setFileVintage records the file's own date: every figure without a vintage
// of its own takes it, and the report (hence the version) keeps it.
func (r *run) setFileVintage(v string) {
	if v == "" || r.fileVintage != "" {
		return
	}
	if err := indicators.CheckVintage(v); err != nil {
		// Found by its label above the table, not written as the figures'
		// vintage: said, not fatal.
		r.warnf(0, -1, "the file's own date is not used as the figures' vintage: %s", indicators.ErrorMessage(err))
		return
	}
	r.fileVintage = r.str(v)
	r.rep.Vintage = r.fileVintage
}

// checkOlderVintage compares the vintage of the file's figures with the newest
// vintage the store already holds for the same cells. Figures that would sit
// under newer ones are counted; the dry run warns, and a real import without
// AllowOlder fails with ECONFLICT so that nothing is stored.
func (r *run) checkOlderVintage(ctx context.Context) error {
	st := r.im.store
	if st == nil || r.keys.len() == 0 || !r.hasVintage() {
		return nil
	}
	inds := r.rep.Indicators
	stored, err := st.Observations(ctx, indicators.Query{Indicators: inds})
	if err != nil {
		r.warnf(0, -1, "could not compare vintages with the stored figures: %s", indicators.ErrorMessage(err))
		return nil
	}
	type cell struct {
		ind, cty, par string
		per           int32
	}
	newest := make(map[cell]string, len(stored))
	for _, o := range stored {
		c := cell{o.Indicator, o.Country, o.Partner, packPeriod(o.Period)}
		if o.Vintage > newest[c] {
			newest[c] = o.Vintage
		}
	}
	byID := make([]string, len(r.ids))
	for s, n := range r.ids {
		byID[n] = s
	}
	n, mine, theirs := 0, "", ""
	for k := range r.keys.all() {
		v := byID[k.vin]
		if v == "" {
			continue
		}
		if nv := newest[cell{byID[k.ind], byID[k.cty], byID[k.par], k.per}]; nv > v {
			n++
			mine, theirs = max(mine, v), max(theirs, nv)
		}
	}
	if n == 0 {
		return nil
	}
	msg := OlderVintageMessage(mine, theirs, n)
	r.rep.OlderFigures = n
	if r.req.DryRun || r.req.AllowOlder {
		r.warnf(0, -1, "%s", msg)
		return nil
	}
	r.rep.Errors = append(r.rep.Errors, r.place(0, -1, msg+"; "+AllowOlderHint))
	return &indicators.Error{Code: indicators.ECONFLICT,
		Message: fmt.Sprintf("%s: %s; nothing imported: %s", displayName(r.req.FileName), msg, AllowOlderHint),
		Details: r.rep.Errors}
}

// OlderVintageMessage says that a file's figures are older than those they
// would sit under.
func OlderVintageMessage(mine, theirs string, n int) string {
	return fmt.Sprintf("this file's vintage %s is older than %s of the figures it would sit under: %s figures",
		mine, theirs, humanize.Comma(int64(n)))
}

// AllowOlderHint says how to import older figures on purpose; CLI, upload page
// and job configuration each have the switch.
const AllowOlderHint = "to keep both vintages import it with --allow-older (CLI), the allow_older checkbox or API field (upload), or allow_older: true (job)"

// vintageSource names the file's release in a figure's source, so that exports,
// which list sources, say which release a figure comes from.
func (r *run) vintageSource(src string) string {
	if src == "" {
		return src
	}
	if s, ok := r.strs["\x00"+src]; ok {
		return s
	}
	s := src + ", release " + r.fileVintage
	r.strs["\x00"+src] = s
	return s
}

func (r *run) hasVintage() bool {
	if r.fileVintage != "" {
		return true
	}
	for k := range r.keys.all() {
		if k.vin != 0 {
			return true
		}
	}
	return false
}

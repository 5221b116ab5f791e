package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// maxVintageLen bounds a vintage name: it is a release label ("2026-07",
// "WEO-2025-10"), and part of every key.
const maxVintageLen = 40

// inserter buffers one version's observations into batches for the dialect's
// bulk insert, interning units and sources as label ids on the way.
type inserter struct {
	s         *Store
	ctx       context.Context
	raw       RawConn
	versionID int64
	rows      []Row
	labels    map[string]any // unit/source text → labels.id
	count     int
}

// insertObservations runs src on conn, which holds the open transaction, storing
// its observations under versionID; it returns how many it stored.
func (s *Store) insertObservations(ctx context.Context, conn *sql.Conn, versionID int64, src indicators.ObservationSource) (int, error) {
	var count int
	err := s.dialect.Raw(ctx, conn, func(raw RawConn) error {
		defer raw.Close()
		in := &inserter{s: s, ctx: ctx, raw: raw, versionID: versionID,
			rows: make([]Row, 0, s.batch), labels: map[string]any{"": nil}}
		if err := src(in.add); err != nil {
			return err
		}
		if err := in.flush(); err != nil {
			return err
		}
		count = in.count
		return nil
	})
	return count, err
}

// add is the yield function handed to the ObservationSource.
func (in *inserter) add(batch []indicators.Observation) error {
	if err := in.ctx.Err(); err != nil {
		return err
	}
	for _, o := range batch {
		if err := checkObservation(o); err != nil {
			return err
		}
		unit, err := in.label(o.Unit)
		if err != nil {
			return err
		}
		source, err := in.label(o.Source)
		if err != nil {
			return err
		}
		note, err := in.label(o.Note)
		if err != nil {
			return err
		}
		in.rows = append(in.rows, Row{Indicator: o.Indicator, Country: o.Country, Partner: o.Partner,
			Period: periodKey(o.Period), Vintage: o.Vintage, Value: o.Value, Unit: unit, Source: source,
			Flags: formatFlags(o.Flags), Note: note})
		if len(in.rows) == cap(in.rows) {
			if err := in.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes the buffered rows. The context is checked between batches.
func (in *inserter) flush() error {
	if len(in.rows) == 0 {
		return nil
	}
	if err := in.ctx.Err(); err != nil {
		return err
	}
	if err := in.raw.InsertObservations(in.ctx, in.versionID, in.rows); err != nil {
		return in.insertError(err)
	}
	in.count += len(in.rows)
	in.rows = in.rows[:0]
	return nil
}

// label returns the labels.id of text, adding it if new.
func (in *inserter) label(text string) (any, error) {
	if id, ok := in.labels[text]; ok {
		return id, nil
	}
	if err := in.raw.Exec(in.ctx, `INSERT INTO labels (text) VALUES (?) ON CONFLICT (text) DO NOTHING`, text); err != nil {
		return nil, fmt.Errorf("store label: %w", err)
	}
	id, err := in.raw.QueryInt(in.ctx, `SELECT id FROM labels WHERE text = ?`, text)
	if err != nil {
		return nil, fmt.Errorf("find label: %w", err)
	}
	in.labels[text] = id
	return id, nil
}

// insertError names the observation that broke the primary key: the same key twice
// in one import. The importer reports duplicates with their rows; this is the
// store's own guard.
func (in *inserter) insertError(err error) error {
	if !in.s.dialect.IsDuplicate(err) {
		return fmt.Errorf("insert observations: %w", err)
	}
	type key struct {
		indicator, country, partner string
		period                      int64
		vintage                     string
	}
	seen := make(map[key]bool, len(in.rows))
	for _, r := range in.rows {
		k := key{r.Indicator, r.Country, r.Partner, r.Period, r.Vintage}
		dup := seen[k]
		if !dup {
			n, e := in.raw.QueryInt(in.ctx, `SELECT COUNT(*) FROM observations
				WHERE version_id = ? AND indicator = ? AND country = ? AND partner = ? AND period = ? AND vintage = ?`,
				in.versionID, k.indicator, k.country, k.partner, k.period, k.vintage)
			dup = e == nil && n > 0
		}
		if dup {
			p, _ := periodFromKey(k.period)
			return indicators.Errorf(indicators.EINVALID, "the import gives %s for %s%s in %s%s more than once",
				k.indicator, k.country, partnerText(k.partner), p, vintageText(k.vintage))
		}
		seen[k] = true
	}
	return indicators.Errorf(indicators.EINVALID, "the import gives the same observation more than once")
}

func partnerText(p string) string {
	if p == "" {
		return ""
	}
	return " with " + p
}

func vintageText(v string) string {
	if v == "" {
		return ""
	}
	return " (vintage " + v + ")"
}

// formatFlags stores flags as their names joined by commas ("" for none).
func formatFlags(fs []indicators.Flag) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

func knownFlags(fs []indicators.Flag) bool {
	for _, f := range fs {
		if !slices.Contains(indicators.KnownFlags(), f) {
			return false
		}
	}
	return true
}

// parseFlags reads formatFlags' text back. Flags were checked when stored, but a
// name this version does not know (written by a newer one) is kept as is rather
// than failing every read.
func parseFlags(s string) []indicators.Flag {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]indicators.Flag, len(parts))
	for i, p := range parts {
		out[i] = indicators.Flag(p)
	}
	return out
}

func checkObservation(o indicators.Observation) error {
	switch {
	case o.Indicator == "" || o.Country == "":
		return indicators.Errorf(indicators.EINVALID, "observation %s %s %s: indicator and country are required",
			o.Indicator, o.Country, o.Period)
	case !validPeriod(o.Period):
		return indicators.Errorf(indicators.EINVALID, "observation %s %s: invalid period %+v",
			o.Indicator, o.Country, o.Period)
	case !knownFlags(o.Flags):
		return indicators.Errorf(indicators.EINVALID, "%s %s %s: unknown flag in %q (flags: %s)",
			o.Indicator, o.Country, o.Period, formatFlags(o.Flags), formatFlags(indicators.KnownFlags()))
	case len(o.Vintage) > maxVintageLen:
		return indicators.Errorf(indicators.EINVALID, "%s %s %s: vintage %.20q... is longer than %d characters",
			o.Indicator, o.Country, o.Period, o.Vintage, maxVintageLen)
	case math.IsNaN(o.Value) || math.IsInf(o.Value, 0):
		// SQLite would store NaN as NULL.
		return indicators.Errorf(indicators.EINVALID, "%s %s %s: value %v is not a finite number",
			o.Indicator, o.Country, o.Period, o.Value)
	}
	return nil
}

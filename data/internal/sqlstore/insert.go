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

// pipelineDepth is how many batches of rows the checking goroutine may run
// ahead of the writing one.
const pipelineDepth = 4

// pendingRow is an observation checked and converted for the store, its unit,
// source and note still as text: interning them needs the connection, which
// only the writing goroutine uses.
type pendingRow struct {
	Row
	unit, source, note string
}

// inserter writes one version's observations in batches through the dialect's
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
// its observations under versionID, and writes the chunks of the import's file
// (nil: stored before); it returns how many observations it stored. The source
// (parsing a file, mostly) and its checks run in a goroutine of their own while
// this one writes the rows it hands over: each is about half of an import, and
// on two cores they overlap. Whenever no rows are ready, this one writes the
// file's next chunk instead. Both goroutines have ended when this returns.
func (s *Store) insertObservations(ctx context.Context, conn *sql.Conn, versionID int64, src indicators.ObservationSource, chunks *fileChunks) (int, error) {
	var count int
	err := s.dialect.Raw(ctx, conn, func(raw RawConn) error {
		defer raw.Close()
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		batches := make(chan []pendingRow, pipelineDepth)
		spare := make(chan []pendingRow, pipelineDepth+2)
		produced := make(chan error, 1)
		go func() {
			defer close(batches)
			produced <- produceRows(ctx, src, s.batch, batches, spare)
		}()
		in := &inserter{s: s, ctx: ctx, raw: raw, versionID: versionID,
			rows: make([]Row, 0, s.batch), labels: map[string]any{"": nil}}
		var werr error // the first error of writing; the rest of the batches are drained
		for {
			batch, ok, err := in.nextBatch(batches, chunks, werr == nil)
			if err == nil && ok && werr == nil {
				err = in.write(batch)
			}
			if err != nil && werr == nil {
				werr = err
				cancel(err) // the source stops at its next batch
			}
			if !ok {
				break
			}
			select {
			case spare <- batch[:0]:
			default:
			}
		}
		if perr := <-produced; werr == nil && perr != nil {
			return perr
		}
		if werr != nil {
			return werr
		}
		if chunks != nil {
			if err := chunks.finish(ctx, raw.Exec); err != nil {
				return err
			}
		}
		count = in.count
		return nil
	})
	return count, err
}

// nextBatch returns the next batch of rows (ok false: there are no more),
// writing the file's chunks while none is ready if writeChunks. A chunk's error
// comes back with no batch and ok true.
func (in *inserter) nextBatch(batches <-chan []pendingRow, chunks *fileChunks, writeChunks bool) ([]pendingRow, bool, error) {
	for writeChunks && chunks != nil && !chunks.done() {
		select {
		case batch, ok := <-batches:
			return batch, ok, nil
		default:
		}
		if err := chunks.next(in.ctx, in.raw.Exec); err != nil {
			return nil, true, err
		}
	}
	batch, ok := <-batches
	return batch, ok, nil
}

// produceRows runs src, checking and converting its observations into batches of
// size rows sent on batches, reusing the slices that come back on spare. It stops
// when ctx ends (the writer failed, or the caller gave up).
func produceRows(ctx context.Context, src indicators.ObservationSource, size int, batches chan<- []pendingRow, spare <-chan []pendingRow) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("observation source: panic: %v", p)
		}
	}()
	next := func() []pendingRow {
		select {
		case b := <-spare:
			return b
		default:
			return make([]pendingRow, 0, size)
		}
	}
	send := func(b []pendingRow) error {
		select {
		case batches <- b:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	batch := next()
	err = src(func(obs []indicators.Observation) error {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		for _, o := range obs {
			if err := checkObservation(o); err != nil {
				return err
			}
			batch = append(batch, pendingRow{
				Row: Row{Indicator: o.Indicator, Country: o.Country, Partner: o.Partner,
					Period: periodKey(o.Period), Vintage: o.Vintage, Value: o.Value, Flags: formatFlags(o.Flags)},
				unit: o.Unit, source: o.Source, note: o.Note})
			if len(batch) == size {
				if err := send(batch); err != nil {
					return err
				}
				batch = next()
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(batch) > 0 {
		return send(batch)
	}
	return nil
}

// write interns the batch's labels and inserts its rows. The context is checked
// between batches.
func (in *inserter) write(batch []pendingRow) error {
	if err := in.ctx.Err(); err != nil {
		return context.Cause(in.ctx)
	}
	in.rows = in.rows[:0]
	for _, p := range batch {
		r := p.Row
		var err error
		if r.Unit, err = in.label(p.unit); err != nil {
			return err
		}
		if r.Source, err = in.label(p.source); err != nil {
			return err
		}
		if r.Note, err = in.label(p.note); err != nil {
			return err
		}
		in.rows = append(in.rows, r)
	}
	if err := in.raw.InsertObservations(in.ctx, in.versionID, in.rows); err != nil {
		return in.insertError(err)
	}
	in.count += len(in.rows)
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

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// currentAsOf selects cur(dataset_id, obs_version_id, data_version): each
// dataset's latest version with a data version at or below the bound parameter.
// It costs one seek per dataset in the versions_current index (migration 0008),
// however many versions and observations the store holds. It is materialised and
// every query puts it first in a CROSS JOIN (which both databases keep as the
// outer loop), so observations are only ever read by their primary key's prefix
// (the current version ids, then indicator and country): left to itself, SQLite
// would scan every observation and look each one's version up.
const currentAsOf = `cur AS MATERIALIZED (
	SELECT v.dataset_id, v.obs_version_id, v.data_version FROM datasets d
	CROSS JOIN versions v WHERE v.id = (SELECT w.id FROM versions w
		WHERE w.dataset_id = d.id AND w.data_version <= ? ORDER BY w.data_version DESC LIMIT 1))`

// Observations returns the live observations matching q, or those as of data
// version q.AsOf, ordered by indicator, country, partner and period (then vintage,
// newest first, when q asks for every vintage). Where datasets overlap on a key
// (vintage included), the one whose version has the later data version wins; of
// a figure's vintages, q.Vintage selects (see indicators.SelectVintage). See
// periodRange for how From and To bound mixed frequencies.
func (s *Store) Observations(ctx context.Context, q indicators.Query) ([]indicators.Observation, error) {
	if q.AsOf < 0 {
		return nil, indicators.Errorf(indicators.EINVALID, "data version %d is invalid", q.AsOf)
	}
	var out []indicators.Observation
	err := s.read(ctx, func(tx *sql.Tx) error {
		var (
			labels [][3]int64
			err    error
		)
		if out, labels, err = s.queryObservations(ctx, tx, q); err != nil {
			return err
		}
		return s.fillLabels(ctx, tx, out, labels)
	})
	if err != nil {
		return nil, s.errorf(err, "observations")
	}
	return out, nil
}

// ObservationsPlan returns the database's query plan for Observations(q), one
// line per step, so tests can check that reads stay off full scans.
func (s *Store) ObservationsPlan(ctx context.Context, q indicators.Query) ([]string, error) {
	query, args := observationsSQL(q)
	var plan []string
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.dialect.Explain+" "+s.q(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			// The step's text is the last column (SQLite's detail, PostgreSQL's only one).
			plan = append(plan, fmt.Sprintf("%s", vals[len(vals)-1]))
		}
		return rows.Err()
	})
	if err != nil {
		return nil, s.errorf(err, "plan of observations")
	}
	return plan, nil
}

// queryObservations reads the winning observations and their unit, source and
// note label ids (0 for none). The query sorts each cell's candidates newest
// vintage first, then newest data version first, so the winner is the first row
// of each cell (of each cell and vintage, when every vintage is asked for) and
// the rest are skipped here: cheaper than a window function over every row.
func (s *Store) queryObservations(ctx context.Context, tx *sql.Tx, q indicators.Query) ([]indicators.Observation, [][3]int64, error) {
	var (
		out    []indicators.Observation
		labels [][3]int64
		last   struct {
			indicator, country, partner, vintage string
			period                               int64
		}
	)
	all := q.Vintage == indicators.AllVintages
	query, args := observationsSQL(q)
	err := s.each(ctx, tx, func(rows *sql.Rows) error {
		var (
			o                  indicators.Observation
			period             int64
			flags              string
			unit, source, note sql.NullInt64
			err                error
		)
		if err := rows.Scan(&o.Indicator, &o.Country, &o.Partner, &period, &o.Vintage, &o.Value,
			&unit, &source, &flags, &note); err != nil {
			return err
		}
		if len(out) > 0 && o.Indicator == last.indicator && o.Country == last.country &&
			o.Partner == last.partner && period == last.period && (!all || o.Vintage == last.vintage) {
			return nil // an older dataset's value, or an older vintage not asked for
		}
		last.indicator, last.country, last.partner, last.period, last.vintage = o.Indicator, o.Country, o.Partner, period, o.Vintage
		if o.Period, err = periodFromKey(period); err != nil {
			return err
		}
		o.Flags = parseFlags(flags)
		out = append(out, o)
		labels = append(labels, [3]int64{unit.Int64, source.Int64, note.Int64})
		return nil
	}, query, args...)
	return out, labels, err
}

// fillLabels sets the units, sources and notes of obs from their label ids,
// reading each distinct label once.
func (s *Store) fillLabels(ctx context.Context, tx *sql.Tx, obs []indicators.Observation, labels [][3]int64) error {
	text := map[int64]string{0: ""}
	var missing []any
	for _, ids := range labels {
		for _, id := range ids {
			if _, ok := text[id]; !ok {
				text[id] = ""
				missing = append(missing, id)
			}
		}
	}
	for start := 0; start < len(missing); start += 500 {
		chunk := missing[start:min(start+500, len(missing))]
		err := s.each(ctx, tx, func(rows *sql.Rows) error {
			var (
				id int64
				t  string
			)
			err := rows.Scan(&id, &t)
			text[id] = t
			return err
		}, `SELECT id, text FROM labels WHERE id IN (`+placeholders(len(chunk))+`)`, chunk...)
		if err != nil {
			return err
		}
	}
	for i := range obs {
		obs[i].Unit, obs[i].Source, obs[i].Note = text[labels[i][0]], text[labels[i][1]], text[labels[i][2]]
	}
	return nil
}

func observationsSQL(q indicators.Query) (string, []any) {
	asOf := q.AsOf
	if asOf == 0 {
		asOf = math.MaxInt64
	}
	args := []any{asOf}
	var where []string
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		where = append(where, col+" IN ("+placeholders(len(vals))+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("o.indicator", q.Indicators)
	in("o.country", q.Countries)
	in("o.partner", q.Partners)
	if q.Vintage != indicators.NewestVintage && q.Vintage != indicators.AllVintages {
		// Indicators that have figures of the vintage read them (or figures
		// without one); the others read their newest (SelectVintage's rule).
		// Each candidate sorts after '' and so comes first in the ORDER BY.
		where = append(where, `(o.vintage IN ('', ?) OR NOT EXISTS (SELECT 1 FROM cur c2
			CROSS JOIN observations o2 WHERE o2.version_id = c2.obs_version_id
			AND o2.indicator = o.indicator AND o2.vintage = ?))`)
		args = append(args, q.Vintage, q.Vintage)
	}
	lo, hi := periodRange(q.From, q.To)
	if lo != 0 {
		where, args = append(where, "o.period >= ?"), append(args, lo)
	}
	if hi != 0 {
		where, args = append(where, "o.period < ?"), append(args, hi)
	}
	where = append(where, "o.version_id = c.obs_version_id")
	return `WITH ` + currentAsOf + `
	SELECT o.indicator, o.country, o.partner, o.period, o.vintage, o.value, o.unit_id, o.source_id, o.flags, o.note_id
	FROM cur c CROSS JOIN observations o
	WHERE ` + strings.Join(where, " AND ") + `
	ORDER BY o.indicator, o.country, o.partner, o.period, o.vintage DESC, c.data_version DESC`, args
}

// Vintages lists, per indicator with live figures as of data version asOf (0:
// now), the vintages its figures come from, oldest first.
func (s *Store) Vintages(ctx context.Context, asOf int64) ([]indicators.IndicatorVintages, error) {
	if asOf < 0 {
		return nil, indicators.Errorf(indicators.EINVALID, "data version %d is invalid", asOf)
	}
	if asOf == 0 {
		asOf = math.MaxInt64
	}
	var out []indicators.IndicatorVintages
	err := s.read(ctx, func(tx *sql.Tx) error {
		return s.each(ctx, tx, func(rows *sql.Rows) error {
			var ind, vintage string
			if err := rows.Scan(&ind, &vintage); err != nil {
				return err
			}
			if len(out) == 0 || out[len(out)-1].Indicator != ind {
				out = append(out, indicators.IndicatorVintages{Indicator: ind, Vintages: []string{}})
			}
			iv := &out[len(out)-1]
			if vintage == "" {
				iv.Unvintaged = true
			} else {
				iv.Vintages = append(iv.Vintages, vintage)
			}
			return nil
		}, `WITH `+currentAsOf+`
			SELECT DISTINCT o.indicator, o.vintage FROM cur c CROSS JOIN observations o WHERE o.version_id = c.obs_version_id
			ORDER BY o.indicator, o.vintage`, asOf)
	})
	if err != nil {
		return nil, s.errorf(err, "vintages")
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// overlapChunk is how many keys one Overlaps probe query looks up.
const overlapChunk = 250

// scanFactor: reading a stored row and looking it up in a Go map costs about a
// tenth of probing the database for one key, so Overlaps reads a dataset whole
// unless it is more than scanFactor times larger than the key set.
const scanFactor = 10

// Overlaps counts, per other dataset, how many of keys its current version gives
// (each distinct key once). Each other dataset is either read whole and matched
// against the keys in memory (small datasets: the usual case) or probed key by
// key by primary key (datasets much larger than the import).
func (s *Store) Overlaps(ctx context.Context, dataset string, keys indicators.KeySet) (map[string]int, error) {
	out := map[string]int{}
	if keys.Len() == 0 {
		return out, nil
	}
	err := s.read(ctx, func(tx *sql.Tx) error {
		others, err := s.otherCurrent(ctx, tx, dataset)
		if err != nil {
			return err
		}
		for _, o := range others {
			var n int
			if o.rows <= scanFactor*keys.Len() {
				n, err = s.overlapScan(ctx, tx, o.obsID, keys)
			} else {
				n, err = s.overlapProbe(ctx, tx, o.obsID, keys)
			}
			if err != nil {
				return err
			}
			if n > 0 {
				out[o.name] = n
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.errorf(err, "overlaps of %s", dataset)
	}
	return out, nil
}

// currentVersion is another dataset's current version, for Overlaps.
type currentVersion struct {
	name  string
	obsID int64
	rows  int
}

func (s *Store) otherCurrent(ctx context.Context, tx *sql.Tx, dataset string) ([]currentVersion, error) {
	var out []currentVersion
	err := s.each(ctx, tx, func(rows *sql.Rows) error {
		var c currentVersion
		err := rows.Scan(&c.name, &c.obsID, &c.rows)
		out = append(out, c)
		return err
	}, `WITH `+currentAsOf+`
		SELECT d.name, c.obs_version_id, v.observations FROM cur c
		JOIN datasets d ON d.id = c.dataset_id
		JOIN versions v ON v.id = c.obs_version_id
		WHERE d.name <> ? ORDER BY d.name`, int64(math.MaxInt64), dataset)
	return out, err
}

// overlapScan reads the observations of version obsID and counts those in set.
func (s *Store) overlapScan(ctx context.Context, tx *sql.Tx, obsID int64, set indicators.KeySet) (int, error) {
	n := 0
	err := s.each(ctx, tx, func(rows *sql.Rows) error {
		var (
			k      indicators.Key
			period int64
			err    error
		)
		if err := rows.Scan(&k.Indicator, &k.Country, &k.Partner, &period, &k.Vintage); err != nil {
			return err
		}
		if k.Period, err = periodFromKey(period); err != nil {
			return err
		}
		if set.Contains(k) {
			n++
		}
		return nil
	}, `SELECT indicator, country, partner, period, vintage FROM observations WHERE version_id = ?`, obsID)
	return n, err
}

// overlapProbe looks up every key of set in version obsID, in chunks, with one
// prepared statement (parsing it is most of the cost of a chunk). EXISTS makes
// each key a primary-key probe; as a join, SQLite would rather scan the whole
// version against an automatic index on the keys.
func (s *Store) overlapProbe(ctx context.Context, tx *sql.Tx, obsID int64, set indicators.KeySet) (int, error) {
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	total := 0
	count := func(chunk []indicators.Key) error {
		args := overlapArgs(obsID, chunk)
		var (
			n   int
			err error
		)
		switch {
		case len(chunk) < overlapChunk:
			err = tx.QueryRowContext(ctx, s.q(overlapSQL(len(chunk))), args...).Scan(&n)
		case full == nil:
			if full, err = tx.PrepareContext(ctx, s.q(overlapSQL(overlapChunk))); err != nil {
				return err
			}
			fallthrough
		default:
			err = full.QueryRowContext(ctx, args...).Scan(&n)
		}
		total += n
		return err
	}
	chunk := make([]indicators.Key, 0, min(overlapChunk, set.Len()))
	for k := range set.All() {
		if chunk = append(chunk, k); len(chunk) == overlapChunk {
			if err := count(chunk); err != nil {
				return 0, err
			}
			chunk = chunk[:0]
		}
	}
	if len(chunk) > 0 {
		if err := count(chunk); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// overlapSQL counts which of n keys version ? gives. The CAST types the key's
// period for PostgreSQL; SQLite accepts it as is.
func overlapSQL(n int) string {
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, CAST(? AS BIGINT), ?),", n), ",")
	return `WITH k (indicator, country, partner, period, vintage) AS (VALUES ` + values + `)
		SELECT COUNT(*) FROM k WHERE EXISTS (SELECT 1 FROM observations o
			WHERE o.version_id = ? AND o.indicator = k.indicator
			AND o.country = k.country AND o.partner = k.partner AND o.period = k.period AND o.vintage = k.vintage)`
}

func overlapArgs(obsID int64, keys []indicators.Key) []any {
	args := make([]any, 0, 5*len(keys)+1)
	for _, k := range keys {
		args = append(args, k.Indicator, k.Country, k.Partner, periodKey(k.Period), k.Vintage)
	}
	return append(args, obsID)
}

// Diff compares two versions of a dataset: the observations only in from are
// removed, those only in to are added, and those whose value or flags differ are
// changed. Keys include the vintage. Changes are listed in key order; unit, source
// and note changes are not counted.
func (s *Store) Diff(ctx context.Context, dataset string, from, to int) (indicators.Diff, error) {
	d := indicators.Diff{Dataset: dataset, From: from, To: to, Changes: []indicators.ObservationChange{}}
	err := s.read(ctx, func(tx *sql.Tx) error {
		a, err := s.findVersion(ctx, tx, dataset, from)
		if err != nil {
			return err
		}
		b, err := s.findVersion(ctx, tx, dataset, to)
		if err != nil {
			return err
		}
		return s.diffRows(ctx, tx, a.obsID, b.obsID, &d)
	})
	if err != nil {
		return indicators.Diff{}, s.errorf(err, "diff %s %d..%d", dataset, from, to)
	}
	return d, nil
}

func (s *Store) diffRows(ctx context.Context, tx *sql.Tx, fromID, toID int64, d *indicators.Diff) error {
	return s.each(ctx, tx, func(rows *sql.Rows) error {
		var (
			c                  indicators.ObservationChange
			period             int64
			old, new           sql.NullFloat64
			oldFlags, newFlags sql.NullString
			err                error
		)
		if err := rows.Scan(&c.Indicator, &c.Country, &c.Partner, &period, &c.Vintage, &old, &new, &oldFlags, &newFlags); err != nil {
			return err
		}
		if c.Period, err = periodFromKey(period); err != nil {
			return err
		}
		switch {
		case !old.Valid:
			d.Added++
		case !new.Valid:
			d.Removed++
		default:
			d.Changed++
		}
		if old.Valid {
			c.Old, c.OldFlags = &old.Float64, parseFlags(oldFlags.String)
		}
		if new.Valid {
			c.New, c.NewFlags = &new.Float64, parseFlags(newFlags.String)
		}
		d.Changes = append(d.Changes, c)
		return nil
	}, `SELECT
		COALESCE(a.indicator, b.indicator), COALESCE(a.country, b.country),
		COALESCE(a.partner, b.partner), COALESCE(a.period, b.period), COALESCE(a.vintage, b.vintage),
		a.value, b.value, a.flags, b.flags
		FROM (SELECT * FROM observations WHERE version_id = ?) a
		FULL JOIN (SELECT * FROM observations WHERE version_id = ?) b
		ON a.indicator = b.indicator AND a.country = b.country AND a.partner = b.partner
			AND a.period = b.period AND a.vintage = b.vintage
		WHERE a.value IS NULL OR b.value IS NULL OR a.value <> b.value OR a.flags <> b.flags
		ORDER BY 1, 2, 3, 4, 5`, fromID, toID)
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/clout-dev/clout/indicators"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// obsColumns is the number of values one observation row binds.
const obsColumns = 8

// inserter writes one version's observations with multi-row INSERT statements of
// a fixed size (one prepared statement), and a last shorter one.
type inserter struct {
	ctx       context.Context
	tx        *sql.Tx
	versionID int64
	rows      int
	stmt      *sql.Stmt
	args      []any
	labels    map[string]any // unit/source text → labels.id
	count     int
}

func newInserter(ctx context.Context, tx *sql.Tx, versionID int64, rows int) (*inserter, error) {
	stmt, err := tx.PrepareContext(ctx, insertSQL(rows))
	if err != nil {
		return nil, fmt.Errorf("prepare insert: %w", err)
	}
	return &inserter{
		ctx: ctx, tx: tx, versionID: versionID, rows: rows, stmt: stmt,
		args:   make([]any, 0, rows*obsColumns),
		labels: map[string]any{"": nil},
	}, nil
}

func insertSQL(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO observations (version_id, indicator, country, partner, period, value, unit_id, source_id) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?)")
	}
	return b.String()
}

func (in *inserter) close() { in.stmt.Close() }

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
		in.args = append(in.args, in.versionID, o.Indicator, o.Country, o.Partner, periodKey(o.Period), o.Value, unit, source)
		if len(in.args) == cap(in.args) {
			if _, err := in.stmt.ExecContext(in.ctx, in.args...); err != nil {
				return in.insertError(err)
			}
			in.count += in.rows
			in.args = in.args[:0]
		}
	}
	return nil
}

// flush writes the rows left over from the last full statement.
func (in *inserter) flush() error {
	n := len(in.args) / obsColumns
	if n == 0 {
		return nil
	}
	if _, err := in.tx.ExecContext(in.ctx, insertSQL(n), in.args...); err != nil {
		return in.insertError(err)
	}
	in.count += n
	in.args = in.args[:0]
	return nil
}

// label returns the labels.id of text, adding it if new.
func (in *inserter) label(text string) (any, error) {
	if id, ok := in.labels[text]; ok {
		return id, nil
	}
	if _, err := in.tx.ExecContext(in.ctx, `INSERT INTO labels (text) VALUES (?) ON CONFLICT (text) DO NOTHING`, text); err != nil {
		return nil, fmt.Errorf("store label: %w", err)
	}
	var id int64
	if err := in.tx.QueryRowContext(in.ctx, `SELECT id FROM labels WHERE text = ?`, text).Scan(&id); err != nil {
		return nil, fmt.Errorf("find label: %w", err)
	}
	in.labels[text] = id
	return id, nil
}

// insertError names the observation that broke the primary key: the same key twice
// in one import. The importer reports duplicates with their rows; this is the
// store's own guard.
func (in *inserter) insertError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code() != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
		return fmt.Errorf("insert observations: %w", err)
	}
	seen := make(map[[4]any]bool, len(in.args)/obsColumns)
	for i := 0; i < len(in.args); i += obsColumns {
		k := [4]any{in.args[i+1], in.args[i+2], in.args[i+3], in.args[i+4]}
		dup := seen[k]
		if !dup {
			var n int
			if e := in.tx.QueryRowContext(in.ctx, `SELECT COUNT(*) FROM observations
				WHERE version_id = ? AND indicator = ? AND country = ? AND partner = ? AND period = ?`,
				in.versionID, k[0], k[1], k[2], k[3]).Scan(&n); e == nil && n > 0 {
				dup = true
			}
		}
		if dup {
			p, _ := periodFromKey(k[3].(int64))
			return indicators.Errorf(indicators.EINVALID, "the import gives %s for %s%s in %s more than once",
				k[0], k[1], partnerText(k[2].(string)), p)
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

func checkObservation(o indicators.Observation) error {
	switch {
	case o.Indicator == "" || o.Country == "":
		return indicators.Errorf(indicators.EINVALID, "observation %s %s %s: indicator and country are required",
			o.Indicator, o.Country, o.Period)
	case !validPeriod(o.Period):
		return indicators.Errorf(indicators.EINVALID, "observation %s %s: invalid period %+v",
			o.Indicator, o.Country, o.Period)
	}
	return checkValue(o)
}

package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/clout-dev/clout/indicators"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// obsColumns is the number of values one observation row binds; the version id is
// the same for every row and written into the statement instead.
const obsColumns = 7

// inserter writes one version's observations with multi-row INSERT statements of
// a fixed size (one prepared statement), and a last shorter one. It talks to the
// driver connection directly: database/sql would copy and check every one of the
// 8 million arguments of a million-row import, a sixth of the time. It runs inside
// the transaction the caller opened on the same connection.
type inserter struct {
	ctx       context.Context
	conn      driverConn
	versionID int64
	rows      int
	stmt      driverStmt
	args      []driver.NamedValue
	labels    map[string]driver.Value // unit/source text → labels.id
	count     int
}

// driverConn and driverStmt are what the inserter needs of modernc's connection
// and statement.
type (
	driverConn interface {
		driver.ConnPrepareContext
		driver.ExecerContext
		driver.QueryerContext
	}
	driverStmt interface {
		driver.Stmt
		driver.StmtExecContext
	}
)

// insertObservations runs src on conn, which holds the open transaction, storing
// its observations under versionID; it returns how many it stored.
func insertObservations(ctx context.Context, conn *sql.Conn, versionID int64, rows int, src indicators.ObservationSource) (int, error) {
	var count int
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(driverConn)
		if !ok {
			return fmt.Errorf("driver connection %T cannot prepare statements", dc)
		}
		in, err := newInserter(ctx, c, versionID, rows)
		if err != nil {
			return err
		}
		defer in.close()
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

func newInserter(ctx context.Context, conn driverConn, versionID int64, rows int) (*inserter, error) {
	st, err := conn.PrepareContext(ctx, insertSQL(versionID, rows))
	if err != nil {
		return nil, fmt.Errorf("prepare insert: %w", err)
	}
	stmt, ok := st.(driverStmt)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("driver statement %T cannot execute with a context", st)
	}
	return &inserter{
		ctx: ctx, conn: conn, versionID: versionID, rows: rows, stmt: stmt,
		args:   make([]driver.NamedValue, 0, rows*obsColumns),
		labels: map[string]driver.Value{"": nil},
	}, nil
}

func insertSQL(versionID int64, rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO observations (version_id, indicator, country, partner, period, value, unit_id, source_id) VALUES `)
	row := "(" + strconv.FormatInt(versionID, 10) + ",?,?,?,?,?,?,?)"
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
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
		in.arg(o.Indicator)
		in.arg(o.Country)
		in.arg(o.Partner)
		in.arg(periodKey(o.Period))
		in.arg(o.Value)
		in.arg(unit)
		in.arg(source)
		if len(in.args) == cap(in.args) {
			if err := in.exec(in.stmt); err != nil {
				return err
			}
		}
	}
	return nil
}

func (in *inserter) arg(v driver.Value) {
	in.args = append(in.args, driver.NamedValue{Ordinal: len(in.args) + 1, Value: v})
}

// exec runs stmt with the pending rows. The context is checked between
// statements rather than handed to the driver, which would watch it with a
// goroutine per statement.
func (in *inserter) exec(stmt driverStmt) error {
	if err := in.ctx.Err(); err != nil {
		return err
	}
	if _, err := stmt.ExecContext(context.Background(), in.args); err != nil {
		return in.insertError(err)
	}
	in.count += len(in.args) / obsColumns
	in.args = in.args[:0]
	return nil
}

// flush writes the rows left over from the last full statement.
func (in *inserter) flush() error {
	n := len(in.args) / obsColumns
	if n == 0 {
		return nil
	}
	st, err := in.conn.PrepareContext(in.ctx, insertSQL(in.versionID, n))
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer st.Close()
	return in.exec(st.(driverStmt))
}

// label returns the labels.id of text, adding it if new.
func (in *inserter) label(text string) (driver.Value, error) {
	if id, ok := in.labels[text]; ok {
		return id, nil
	}
	args := []driver.NamedValue{{Ordinal: 1, Value: text}}
	if _, err := in.conn.ExecContext(in.ctx, `INSERT INTO labels (text) VALUES (?) ON CONFLICT (text) DO NOTHING`, args); err != nil {
		return nil, fmt.Errorf("store label: %w", err)
	}
	id, err := in.queryInt(`SELECT id FROM labels WHERE text = ?`, args)
	if err != nil {
		return nil, fmt.Errorf("find label: %w", err)
	}
	in.labels[text] = id
	return id, nil
}

// queryInt returns the first column of the first row of query (0 if none).
func (in *inserter) queryInt(query string, args []driver.NamedValue) (int64, error) {
	rows, err := in.conn.QueryContext(in.ctx, query, args)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(dest); err == io.EOF {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	n, ok := dest[0].(int64)
	if !ok {
		return 0, fmt.Errorf("%q returned %T, not an integer", query, dest[0])
	}
	return n, nil
}

// insertError names the observation that broke the primary key: the same key twice
// in one import. The importer reports duplicates with their rows; this is the
// store's own guard.
func (in *inserter) insertError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code() != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
		return fmt.Errorf("insert observations: %w", err)
	}
	seen := make(map[[4]driver.Value]bool, len(in.args)/obsColumns)
	for i := 0; i < len(in.args); i += obsColumns {
		k := [4]driver.Value{in.args[i].Value, in.args[i+1].Value, in.args[i+2].Value, in.args[i+3].Value}
		dup := seen[k]
		if !dup {
			n, e := in.queryInt(`SELECT COUNT(*) FROM observations
				WHERE version_id = ? AND indicator = ? AND country = ? AND partner = ? AND period = ?`,
				[]driver.NamedValue{{Ordinal: 1, Value: in.versionID}, {Ordinal: 2, Value: k[0]},
					{Ordinal: 3, Value: k[1]}, {Ordinal: 4, Value: k[2]}, {Ordinal: 5, Value: k[3]}})
			dup = e == nil && n > 0
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

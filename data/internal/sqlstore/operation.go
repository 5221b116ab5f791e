package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// AddImportOperation stores op unless the owner already has an unexpired
// operation under op.IdempotencyKey; it returns the stored operation and whether
// it is op (false: the earlier operation with that key). Operations expired at
// now are purged first, so their keys can be used again.
func (s *Store) AddImportOperation(ctx context.Context, op indicators.ImportOperation, now time.Time) (indicators.ImportOperation, bool, error) {
	var (
		got   indicators.ImportOperation
		added bool
	)
	err := s.writeState(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM import_operations WHERE expires <= ?`), formatTime(now)); err != nil {
			return err
		}
		// ON CONFLICT DO NOTHING: of two replicas adding one key at once, one
		// inserts and the other reads its operation.
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO import_operations
			(id, owner, idempotency_key, fingerprint, state, status, result, created, updated, expires)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (owner, idempotency_key) WHERE idempotency_key <> '' DO NOTHING`),
			op.ID, op.Owner, op.IdempotencyKey, op.Fingerprint, op.State, op.Status, string(op.Result),
			formatTime(op.Created), formatTime(op.Updated), formatTime(op.Expires))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			got, added = op, true
			return nil
		}
		got, err = scanOperation(tx.QueryRowContext(ctx, s.q(`SELECT `+operationColumns+` FROM import_operations
			WHERE owner = ? AND idempotency_key = ?`), op.Owner, op.IdempotencyKey))
		return err
	})
	if err != nil {
		return indicators.ImportOperation{}, false, s.errorf(err, "add import operation")
	}
	return got, added, nil
}

// UpdateImportOperation stores the state, status, result and update time of
// op.ID; ENOTFOUND if it is not stored (it expired).
func (s *Store) UpdateImportOperation(ctx context.Context, op indicators.ImportOperation) error {
	var n int64
	err := s.writeState(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE import_operations SET state = ?, status = ?, result = ?, updated = ?
			WHERE id = ?`), op.State, op.Status, string(op.Result), formatTime(op.Updated), op.ID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return s.errorf(err, "update import operation %s", op.ID)
	}
	if n == 0 {
		return indicators.Errorf(indicators.ENOTFOUND, "import operation %s: not found", op.ID)
	}
	return nil
}

// ImportOperation returns the operation id unless it expired at now.
func (s *Store) ImportOperation(ctx context.Context, id string, now time.Time) (indicators.ImportOperation, bool, error) {
	op, err := scanOperation(s.db.QueryRowContext(ctx, s.q(`SELECT `+operationColumns+` FROM import_operations
		WHERE id = ? AND expires > ?`), id, formatTime(now)))
	switch {
	case notFound(err):
		return indicators.ImportOperation{}, false, nil
	case err != nil:
		return indicators.ImportOperation{}, false, s.errorf(err, "find import operation")
	}
	return op, true, nil
}

const operationColumns = `id, owner, idempotency_key, fingerprint, state, status, result, created, updated, expires`

func scanOperation(row *sql.Row) (indicators.ImportOperation, error) {
	var (
		op                        indicators.ImportOperation
		result                    string
		created, updated, expires string
	)
	if err := row.Scan(&op.ID, &op.Owner, &op.IdempotencyKey, &op.Fingerprint, &op.State, &op.Status, &result,
		&created, &updated, &expires); err != nil {
		return op, err
	}
	op.Result = []byte(result)
	var err error
	if op.Created, err = parseTime(created); err != nil {
		return op, err
	}
	if op.Updated, err = parseTime(updated); err != nil {
		return op, err
	}
	op.Expires, err = parseTime(expires)
	return op, err
}

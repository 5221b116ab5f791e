package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// The state below lives in the store, not in a process, so that behind a load
// balancer any replica can serve the next request of a browser session or commit
// a dry run staged through another replica.

// Session returns the data of the session token if it has not expired at now.
func (s *Store) Session(ctx context.Context, token string, now time.Time) ([]byte, bool, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT data FROM sessions WHERE token = ? AND expires > ?`),
		token, formatTime(now)).Scan(&b)
	switch {
	case notFound(err):
		return nil, false, nil
	case err != nil:
		return nil, false, s.errorf(err, "find session")
	}
	return b, true, nil
}

// SaveSession stores the data of session token until expires, replacing what
// was stored under it, and purges expired sessions.
func (s *Store) SaveSession(ctx context.Context, token string, data []byte, expires, now time.Time) error {
	err := s.writeState(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO sessions (token, data, expires) VALUES (?, ?, ?)
			ON CONFLICT (token) DO UPDATE SET data = excluded.data, expires = excluded.expires`),
			token, data, formatTime(expires)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE expires <= ?`), formatTime(now))
		return err
	})
	if err != nil {
		return s.errorf(err, "save session")
	}
	return nil
}

// DeleteSession removes session token; an unknown token is no error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	err := s.writeState(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE token = ?`), token)
		return err
	})
	if err != nil {
		return s.errorf(err, "delete session")
	}
	return nil
}

// StageUpload keeps u until u.Expires (replacing an upload with the same id),
// purges the uploads expired at now and then the oldest beyond keep, so staged
// files cannot fill the database.
func (s *Store) StageUpload(ctx context.Context, u indicators.StagedUpload, now time.Time, keep int) error {
	if u.Data == nil {
		u.Data = []byte{}
	}
	err := s.writeState(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM staged_uploads WHERE id = ? OR expires <= ?`),
			u.ID, formatTime(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO staged_uploads (id, owner, dataset, file_name, format, data, expires)
			VALUES (?, ?, ?, ?, ?, ?, ?)`),
			u.ID, u.Owner, u.Dataset, u.FileName, u.Format, u.Data, formatTime(u.Expires)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM staged_uploads WHERE id NOT IN
			(SELECT id FROM staged_uploads ORDER BY expires DESC, id LIMIT ?)`), keep)
		return err
	})
	if err != nil {
		return s.errorf(err, "stage upload")
	}
	return nil
}

// TakeStagedUpload removes and returns the upload id if owner staged it and it
// has not expired at now. Of two takes of one id, on any replicas, one finds it:
// a double click imports once.
func (s *Store) TakeStagedUpload(ctx context.Context, id, owner string, now time.Time) (indicators.StagedUpload, bool, error) {
	u := indicators.StagedUpload{ID: id, Owner: owner}
	var expires string
	err := s.writeState(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.q(`DELETE FROM staged_uploads WHERE id = ? AND owner = ? AND expires > ?
			RETURNING dataset, file_name, format, data, expires`), id, owner, formatTime(now)).
			Scan(&u.Dataset, &u.FileName, &u.Format, &u.Data, &expires)
	})
	switch {
	case notFound(err):
		return indicators.StagedUpload{}, false, nil
	case err != nil:
		return indicators.StagedUpload{}, false, s.errorf(err, "take staged upload")
	}
	if u.Expires, err = parseTime(expires); err != nil {
		return indicators.StagedUpload{}, false, err
	}
	return u, true, nil
}

// writeState runs fn in a transaction of its own. On a database whose writers
// serialise on the write lock (SQLite) it queues in this process's writer slot,
// behind an import in progress, instead of timing out on the busy database; on
// PostgreSQL, whose rows lock on their own, it does not wait for imports.
func (s *Store) writeState(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if !s.dialect.RowLocks {
		return s.write(ctx, fn)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/clout-dev/clout/indicators"
)

// maxNameLen bounds dataset names (in characters); names are otherwise free text
// and are stored exactly as given.
const maxNameLen = 200

// DataVersion returns the current global data version (0 for an empty store).
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(data_version), 0) FROM versions`)).Scan(&v); err != nil {
		return 0, s.errorf(err, "data version")
	}
	return v, nil
}

// SaveVersion stores what src yields as version N+1 of v.Dataset with the next data
// version, all in one transaction: if src or ctx fails, nothing is stored. The
// returned Version carries a copy of v.Report with Dataset, Version and
// DataVersion filled in, which is also what the history shows. src runs while the
// store's write lock is held: it may read from the store but must not write to it.
func (s *Store) SaveVersion(ctx context.Context, v indicators.NewVersion, src indicators.ObservationSource) (indicators.Version, error) {
	if err := checkName(v.Dataset); err != nil {
		return indicators.Version{}, err
	}
	file := v.File
	if file == nil {
		file = bytes.NewReader(nil)
	}
	sum := v.SHA256
	if sum == "" {
		var err error
		if sum, err = fileSHA256(file); err != nil {
			return indicators.Version{}, fmt.Errorf("save %s: %w", v.Dataset, err)
		}
	}
	out := indicators.Version{
		Dataset:  v.Dataset,
		FileName: v.FileName,
		Size:     file.Size(),
		SHA256:   sum,
		Who:      v.Who,
		Current:  true,
	}
	err := s.writeConn(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		out.CreatedAt = s.now().UTC() // under the write lock, so times follow version order
		if v.OnlyIfEmpty {
			if err := s.checkEmpty(ctx, tx); err != nil {
				return err
			}
		}
		id, newFile, err := s.appendVersion(ctx, tx, &out, file)
		if err != nil {
			return err
		}
		var chunks *fileChunks
		if newFile {
			chunks = newFileChunks(file, out.SHA256)
		}
		if out.Observations, err = s.insertObservations(ctx, conn, id, src, chunks); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		out.Report = stampReport(v.Report, out)
		report, err := marshalReport(out.Report)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE versions SET observations = ?, report = ? WHERE id = ?`),
			out.Observations, report, id)
		return err
	})
	if err != nil {
		return indicators.Version{}, fmt.Errorf("save %s: %w", v.Dataset, err)
	}
	return out, nil
}

// checkEmpty fails with ECONFLICT if the store holds any version; it runs under
// the write lock, so of several writers racing on an empty store one wins.
func (s *Store) checkEmpty(ctx context.Context, tx *sql.Tx) error {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM versions`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return indicators.Errorf(indicators.ECONFLICT, "the store already holds data")
	}
	return nil
}

// appendVersion creates the dataset if needed, claims the file (newFile: its
// chunks are still to be written) and inserts the version row (owning its
// observations), filling out's numbers. It must run under
// the write lock: the numbers are MAX+1.
func (s *Store) appendVersion(ctx context.Context, tx *sql.Tx, out *indicators.Version, file indicators.FileContent) (id int64, newFile bool, err error) {
	dsID, err := s.ensureDataset(ctx, tx, out.Dataset, formatTime(out.CreatedAt))
	if err != nil {
		return 0, false, err
	}
	id, number, dataVersion, err := s.nextNumbers(ctx, tx, dsID)
	if err != nil {
		return 0, false, err
	}
	if newFile, err = s.claimFile(ctx, tx, file.Size(), out.SHA256); err != nil {
		return 0, false, err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO versions
		(id, dataset_id, number, data_version, obs_version_id, rollback_of, file_sha256, file_name, who, observations, created_at)
		VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, 0, ?)`),
		id, dsID, number, dataVersion, id, out.SHA256, out.FileName, out.Who, formatTime(out.CreatedAt)); err != nil {
		return 0, false, fmt.Errorf("insert version: %w", err)
	}
	out.Number, out.DataVersion = number, dataVersion
	return id, newFile, nil
}

func (s *Store) ensureDataset(ctx context.Context, tx *sql.Tx, name, now string) (int64, error) {
	if _, err := tx.ExecContext(ctx,
		s.q(`INSERT INTO datasets (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), name, now); err != nil {
		return 0, fmt.Errorf("create dataset: %w", err)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM datasets WHERE name = ?`), name).Scan(&id); err != nil {
		return 0, fmt.Errorf("find dataset: %w", err)
	}
	return id, nil
}

// nextNumbers returns the next version row id, the dataset's next version number
// and the next global data version.
func (s *Store) nextNumbers(ctx context.Context, tx *sql.Tx, datasetID int64) (id int64, number int, dataVersion int64, err error) {
	err = tx.QueryRowContext(ctx, s.q(`SELECT
		(SELECT COALESCE(MAX(id), 0) + 1 FROM versions),
		(SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE dataset_id = ?),
		(SELECT COALESCE(MAX(data_version), 0) + 1 FROM versions)`), datasetID).Scan(&id, &number, &dataVersion)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("next version: %w", err)
	}
	return id, number, dataVersion, nil
}

// Rollback makes version number of dataset current again by appending a version
// that shows its observations (and points at its original file), with a new data
// version. Rolling back to the data that are already current is ECONFLICT.
func (s *Store) Rollback(ctx context.Context, dataset string, number int, who string) (indicators.Version, error) {
	out := indicators.Version{Dataset: dataset, Who: who, RollbackOf: number, Current: true}
	err := s.write(ctx, func(tx *sql.Tx) error {
		out.CreatedAt = s.now().UTC()
		target, err := s.findVersion(ctx, tx, dataset, number)
		if err != nil {
			return err
		}
		var currentObs int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT obs_version_id FROM versions
			WHERE dataset_id = ? ORDER BY number DESC LIMIT 1`), target.datasetID).Scan(&currentObs); err != nil {
			return fmt.Errorf("current version: %w", err)
		}
		if currentObs == target.obsID {
			return indicators.Errorf(indicators.ECONFLICT, "dataset %q: version %d is already current", dataset, number)
		}
		id, next, dataVersion, err := s.nextNumbers(ctx, tx, target.datasetID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO versions
			(id, dataset_id, number, data_version, obs_version_id, rollback_of, file_sha256, file_name, who, observations, created_at)
			SELECT CAST(? AS BIGINT), dataset_id, CAST(? AS INTEGER), CAST(? AS BIGINT), obs_version_id,
				CAST(? AS INTEGER), file_sha256, file_name, CAST(? AS TEXT), observations, CAST(? AS TEXT)
			FROM versions WHERE id = ?`), // typed for PostgreSQL, which cannot infer a SELECT list's parameters
			id, next, dataVersion, number, who, formatTime(out.CreatedAt), target.id); err != nil {
			return fmt.Errorf("insert version: %w", err)
		}
		out.Number, out.DataVersion = next, dataVersion
		out.FileName, out.Size, out.SHA256, out.Observations = target.fileName, target.size, target.sha256, target.observations
		return nil
	})
	if err != nil {
		return indicators.Version{}, fmt.Errorf("rollback %s to version %d: %w", dataset, number, err)
	}
	return out, nil
}

// versionRow is what the write paths need to know about a stored version.
type versionRow struct {
	id, datasetID, obsID int64
	fileName, sha256     string
	size                 int64
	observations         int
}

// findVersion looks up version number of dataset; ENOTFOUND if either is unknown.
func (s *Store) findVersion(ctx context.Context, tx *sql.Tx, dataset string, number int) (versionRow, error) {
	var r versionRow
	err := tx.QueryRowContext(ctx, s.q(`SELECT v.id, v.dataset_id, v.obs_version_id, v.file_name, v.file_sha256, f.size, v.observations
		FROM versions v JOIN datasets d ON d.id = v.dataset_id JOIN files f ON f.sha256 = v.file_sha256
		WHERE d.name = ? AND v.number = ?`), dataset, number).
		Scan(&r.id, &r.datasetID, &r.obsID, &r.fileName, &r.sha256, &r.size, &r.observations)
	if notFound(err) {
		if err := s.datasetExists(ctx, tx, dataset); err != nil {
			return r, err
		}
		return r, indicators.Errorf(indicators.ENOTFOUND, "dataset %q has no version %d", dataset, number)
	}
	if err != nil {
		return r, fmt.Errorf("find version: %w", err)
	}
	return r, nil
}

func (s *Store) datasetExists(ctx context.Context, tx *sql.Tx, dataset string) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM datasets WHERE name = ?`), dataset).Scan(&n); err != nil {
		return fmt.Errorf("find dataset: %w", err)
	}
	if n == 0 {
		return indicators.Errorf(indicators.ENOTFOUND, "no dataset %q", dataset)
	}
	return nil
}

// versionColumns are read by scanVersion, in this order; v is versions, f files,
// d datasets, and cur_number the dataset's current version number.
const versionColumns = `d.name, v.number, v.data_version, v.created_at, v.file_name, f.size, f.sha256,
	v.who, v.observations, v.rollback_of, v.report, v.number = cur.number`

// currentJoin adds cur(dataset_id, number): each dataset's current version number.
const currentJoin = `JOIN (SELECT dataset_id, MAX(number) AS number FROM versions GROUP BY dataset_id) cur
	ON cur.dataset_id = v.dataset_id`

func scanVersion(rows *sql.Rows) (indicators.Version, error) {
	var (
		v       indicators.Version
		created string
		report  sql.NullString
	)
	err := rows.Scan(&v.Dataset, &v.Number, &v.DataVersion, &created, &v.FileName, &v.Size, &v.SHA256,
		&v.Who, &v.Observations, &v.RollbackOf, &report, &v.Current)
	if err != nil {
		return v, err
	}
	if v.CreatedAt, err = parseTime(created); err != nil {
		return v, err
	}
	if v.Report, err = unmarshalReport(report); err != nil {
		return v, fmt.Errorf("version %d: %w", v.Number, err)
	}
	return v, nil
}

// Datasets lists every dataset with its current version, by name.
func (s *Store) Datasets(ctx context.Context) ([]indicators.Dataset, error) {
	var out []indicators.Dataset
	err := s.read(ctx, func(tx *sql.Tx) error {
		return s.each(ctx, tx, func(rows *sql.Rows) error {
			var (
				d       indicators.Dataset
				updated string
				err     error
			)
			if err := rows.Scan(&d.Name, &d.Current, &d.Observations, &updated); err != nil {
				return err
			}
			d.UpdatedAt, err = parseTime(updated)
			out = append(out, d)
			return err
		}, `SELECT d.name, v.number, v.observations, v.created_at
			FROM versions v JOIN datasets d ON d.id = v.dataset_id `+currentJoin+`
			WHERE v.number = cur.number ORDER BY d.name`)
	})
	if err != nil {
		return nil, s.errorf(err, "datasets")
	}
	return out, nil
}

// Dataset returns one dataset with all its versions, newest first.
func (s *Store) Dataset(ctx context.Context, name string) (indicators.Dataset, error) {
	d := indicators.Dataset{Name: name}
	err := s.read(ctx, func(tx *sql.Tx) error {
		err := s.each(ctx, tx, func(rows *sql.Rows) error {
			v, err := scanVersion(rows)
			d.Versions = append(d.Versions, v)
			return err
		}, `SELECT `+versionColumns+`
			FROM versions v JOIN datasets d ON d.id = v.dataset_id JOIN files f ON f.sha256 = v.file_sha256 `+currentJoin+`
			WHERE d.name = ? ORDER BY v.number DESC`, name)
		if err != nil {
			return err
		}
		if len(d.Versions) == 0 {
			return indicators.Errorf(indicators.ENOTFOUND, "no dataset %q", name)
		}
		cur := d.Versions[0]
		d.Current, d.Observations, d.UpdatedAt = cur.Number, cur.Observations, cur.CreatedAt
		return nil
	})
	if err != nil {
		return indicators.Dataset{}, s.errorf(err, "dataset %s", name)
	}
	return d, nil
}

func checkName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return indicators.Errorf(indicators.EINVALID, "dataset name is empty")
	case !utf8.ValidString(name):
		return indicators.Errorf(indicators.EINVALID, "dataset name is not valid UTF-8")
	case utf8.RuneCountInString(name) > maxNameLen:
		return indicators.Errorf(indicators.EINVALID, "dataset name is longer than %d characters", maxNameLen)
	}
	return nil
}

// stampReport returns a copy of r with the stored version's identity filled in.
func stampReport(r *indicators.ImportReport, v indicators.Version) *indicators.ImportReport {
	if r == nil {
		return nil
	}
	c := *r
	c.Dataset, c.Version, c.DataVersion, c.DryRun = v.Dataset, v.Number, v.DataVersion, false
	return &c
}

func unmarshalReport(s sql.NullString) (*indicators.ImportReport, error) {
	if !s.Valid {
		return nil, nil
	}
	r := new(indicators.ImportReport)
	if err := json.Unmarshal([]byte(s.String), r); err != nil {
		return nil, fmt.Errorf("stored report: %w", err)
	}
	return r, nil
}

func marshalReport(r *indicators.ImportReport) (any, error) {
	if r == nil {
		return nil, nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	return string(b), nil
}

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/clout-dev/clout/indicators"
)

// RecordJudging compares j with the claim's stored judging and records every
// period whose verdict changed, in one writing transaction under the write
// lock: of several processes judging one data version, the first records the
// changes and the others find their judging stale. A claim with no judging, or
// one judged under another definition, gets j as its baseline with no changes.
func (s *Store) RecordJudging(ctx context.Context, j indicators.ClaimJudging) (indicators.ClaimRecording, error) {
	var rec indicators.ClaimRecording
	body, err := json.Marshal(j.Verdicts)
	if err != nil {
		return rec, s.errorf(err, "judging of claim %s", j.Claim)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		rec = indicators.ClaimRecording{}
		prev, found, err := s.judging(ctx, tx, j.Claim)
		switch {
		case err != nil:
			return err
		case found && prev.DataVersion >= j.DataVersion && prev.Definition == j.Definition:
			rec.Stale = true
			return nil
		case !found || prev.Definition != j.Definition:
			rec.Baseline = true
		default:
			rec.Changes, err = s.insertChanges(ctx, tx, j, diffJudgings(prev.Verdicts, j.Verdicts))
			if err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO claim_judgings (claim, definition, data_version, verdicts, judged_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (claim) DO UPDATE SET definition = excluded.definition,
			data_version = excluded.data_version, verdicts = excluded.verdicts, judged_at = excluded.judged_at`),
			j.Claim, j.Definition, j.DataVersion, string(body), formatTime(j.At))
		return err
	})
	if err != nil {
		return indicators.ClaimRecording{}, s.errorf(err, "record judging of claim %s at data version %d", j.Claim, j.DataVersion)
	}
	return rec, nil
}

// diffJudgings lists the periods whose verdict differs, in period order.
func diffJudgings(old, new map[indicators.Period]indicators.Verdict) []indicators.VerdictChange {
	toVerdicts := func(m map[indicators.Period]indicators.Verdict) []indicators.PeriodVerdict {
		out := make([]indicators.PeriodVerdict, 0, len(m))
		for p, v := range m {
			out = append(out, indicators.PeriodVerdict{MetricPoint: indicators.MetricPoint{Period: p}, Verdict: v})
		}
		slices.SortFunc(out, func(a, b indicators.PeriodVerdict) int { return a.Period.Compare(b.Period) })
		return out
	}
	return indicators.DiffVerdicts(toVerdicts(old), toVerdicts(new))
}

func (s *Store) insertChanges(ctx context.Context, tx *sql.Tx, j indicators.ClaimJudging, diff []indicators.VerdictChange) ([]indicators.ClaimChange, error) {
	var out []indicators.ClaimChange
	for _, d := range diff {
		c := indicators.ClaimChange{Claim: j.Claim, Period: d.Period, Old: d.Old, New: d.New, DataVersion: j.DataVersion, At: j.At}
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO claim_changes (claim, period, old, new, data_version, at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), c.Claim, c.Period.String(), string(c.Old), string(c.New), c.DataVersion, formatTime(c.At)).Scan(&c.ID)
		if err != nil {
			return nil, fmt.Errorf("change of %s: %w", c.Period, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// judging reads a claim's stored judging.
func (s *Store) judging(ctx context.Context, tx *sql.Tx, claim string) (indicators.ClaimJudging, bool, error) {
	var js []indicators.ClaimJudging
	err := s.each(ctx, tx, func(rows *sql.Rows) error {
		j, err := scanJudging(rows)
		js = append(js, j)
		return err
	}, `SELECT claim, definition, data_version, verdicts, judged_at FROM claim_judgings WHERE claim = ?`, claim)
	if err != nil || len(js) == 0 {
		return indicators.ClaimJudging{}, false, err
	}
	return js[0], true, nil
}

func scanJudging(rows *sql.Rows) (indicators.ClaimJudging, error) {
	var j indicators.ClaimJudging
	var body, at string
	if err := rows.Scan(&j.Claim, &j.Definition, &j.DataVersion, &body, &at); err != nil {
		return j, err
	}
	if err := json.Unmarshal([]byte(body), &j.Verdicts); err != nil {
		return j, fmt.Errorf("judging of claim %s: %w", j.Claim, err)
	}
	var err error
	j.At, err = parseTime(at)
	return j, err
}

// ClaimJudgings returns the last judging of every claim, by claim id.
func (s *Store) ClaimJudgings(ctx context.Context) (map[string]indicators.ClaimJudging, error) {
	out := map[string]indicators.ClaimJudging{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		return s.each(ctx, tx, func(rows *sql.Rows) error {
			j, err := scanJudging(rows)
			out[j.Claim] = j
			return err
		}, `SELECT claim, definition, data_version, verdicts, judged_at FROM claim_judgings`)
	})
	if err != nil {
		return nil, s.errorf(err, "claim judgings")
	}
	return out, nil
}

// ClaimChanges returns the recorded verdict changes of claim ("" for every
// claim) with an id above after, newest first; limit <= 0 means all.
func (s *Store) ClaimChanges(ctx context.Context, claim string, after int64, limit int) ([]indicators.ClaimChange, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	out := []indicators.ClaimChange{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		return s.each(ctx, tx, func(rows *sql.Rows) error {
			var c indicators.ClaimChange
			var period, old, new, at string
			if err := rows.Scan(&c.ID, &c.Claim, &period, &old, &new, &c.DataVersion, &at); err != nil {
				return err
			}
			var err error
			if c.Period, err = indicators.ParsePeriod(period); err != nil {
				return fmt.Errorf("change %d: %w", c.ID, err)
			}
			c.Old, c.New = indicators.Verdict(old), indicators.Verdict(new)
			if c.At, err = parseTime(at); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		}, `SELECT id, claim, period, old, new, data_version, at FROM claim_changes
			WHERE (claim = ? OR ? = '') AND id > ? ORDER BY id DESC LIMIT ?`, claim, claim, after, limit)
	})
	if err != nil {
		return nil, s.errorf(err, "changes of claim %q", claim)
	}
	return out, nil
}

// SaveUserClaim stores a claim added through the dashboard; ECONFLICT if a
// user claim has its id.
func (s *Store) SaveUserClaim(ctx context.Context, u indicators.UserClaim) error {
	body, err := json.Marshal(u.Claim)
	if err != nil {
		return s.errorf(err, "save claim %s", u.Claim.ID)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO user_claims (id, body, who, created_at) VALUES (?, ?, ?, ?)`),
			u.Claim.ID, string(body), u.Who, formatTime(u.CreatedAt))
		if err != nil && s.dialect.IsDuplicate != nil && s.dialect.IsDuplicate(err) {
			return indicators.Errorf(indicators.ECONFLICT, "a claim with id %q exists", u.Claim.ID)
		}
		return err
	})
	if err != nil {
		return s.errorf(err, "save claim %s", u.Claim.ID)
	}
	return nil
}

// UserClaims returns the claims users added, oldest first.
func (s *Store) UserClaims(ctx context.Context) ([]indicators.UserClaim, error) {
	var out []indicators.UserClaim
	err := s.read(ctx, func(tx *sql.Tx) error {
		return s.each(ctx, tx, func(rows *sql.Rows) error {
			var u indicators.UserClaim
			var body, at string
			if err := rows.Scan(&body, &u.Who, &at); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(body), &u.Claim); err != nil {
				return fmt.Errorf("user claim: %w", err)
			}
			var err error
			u.CreatedAt, err = parseTime(at)
			out = append(out, u)
			return err
		}, `SELECT body, who, created_at FROM user_claims ORDER BY created_at, id`)
	})
	if err != nil {
		return nil, s.errorf(err, "user claims")
	}
	return out, nil
}

var _ indicators.ClaimStore = (*Store)(nil)

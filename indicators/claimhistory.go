package indicators

import (
	"context"
	"time"
)

// ClaimJudging is one judging of a claim as a store keeps it: the verdict of
// every period at a data version. Definition fingerprints the claim as judged,
// so that a claim whose text, metric, test or periods were edited starts a new
// baseline instead of reporting every period as changed.
type ClaimJudging struct {
	Claim       string             `json:"claim"`
	Definition  string             `json:"definition"`
	DataVersion int64              `json:"data_version"`
	Verdicts    map[Period]Verdict `json:"verdicts"`
	At          time.Time          `json:"at"`
}

// ClaimChange is a recorded change of one period's verdict between two data
// versions. Old or New is empty when the period was not judged before (its
// figures arrived) or after (a rollback removed them).
type ClaimChange struct {
	ID          int64     `json:"id"`
	Claim       string    `json:"claim"`
	Period      Period    `json:"period"`
	Old         Verdict   `json:"old"`
	New         Verdict   `json:"new"`
	DataVersion int64     `json:"data_version"`
	At          time.Time `json:"at"`
}

// ClaimRecording is what recording a judging did. Baseline: the claim had no
// judging (or another definition), so nothing was compared and no change was
// recorded. Stale: a judging at this data version or a later one was already
// recorded (by another process or replica), so nothing was written.
type ClaimRecording struct {
	Changes  []ClaimChange `json:"changes"`
	Baseline bool          `json:"baseline"`
	Stale    bool          `json:"stale"`
}

// UserClaim is a claim added through the dashboard's form, with who added it.
type UserClaim struct {
	Claim     Claim     `json:"claim"`
	Who       string    `json:"who"`
	CreatedAt time.Time `json:"created_at"`
}

// ClaimStore keeps the judgings of claims, their verdict changes, the claims
// users add, and the point up to which changes were checked. Every method runs
// in one transaction.
type ClaimStore interface {
	// RecordJudging compares j with the claim's last judging and records each
	// period whose verdict changed, under the store's write lock, so that of
	// several processes judging one data version only the first records changes.
	RecordJudging(ctx context.Context, j ClaimJudging) (ClaimRecording, error)
	// ClaimJudgings returns the last judging of every claim, by claim id.
	ClaimJudgings(ctx context.Context) (map[string]ClaimJudging, error)
	// ClaimChanges returns the recorded changes of a claim ("" for every claim)
	// with an id above after, newest first; limit <= 0 means all.
	ClaimChanges(ctx context.Context, claim string, after int64, limit int) ([]ClaimChange, error)
	// SaveUserClaim stores a claim added by a user; ECONFLICT if the id is taken.
	SaveUserClaim(ctx context.Context, c UserClaim) error
	// UserClaims returns the claims users added, oldest first.
	UserClaims(ctx context.Context) ([]UserClaim, error)
}

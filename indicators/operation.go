package indicators

import "time"

// States of an ImportOperation.
const (
	OperationQueued  = "queued"  // admitted, waiting for an import slot
	OperationRunning = "running" // importing
	OperationDone    = "done"    // finished; Result is the answer (a version, or a dry run's report)
	OperationFailed  = "failed"  // refused or failed; Result is the error and report
)

// ImportOperation is an upload's import tracked under an id, kept in the store so
// that any replica can report it and a retry with the same idempotency key finds
// it instead of importing the file again.
type ImportOperation struct {
	ID    string
	Owner string // who may see it: "token" or the session's owner id
	// IdempotencyKey is the client's Idempotency-Key ("" for none); unique per owner.
	IdempotencyKey string
	// Fingerprint identifies what was sent (file hash and form), so a key reused
	// for something else is told apart from a retry.
	Fingerprint string
	State       string
	// Status and Result are the HTTP status and JSON body of the finished
	// operation's answer (0 and empty until then).
	Status  int
	Result  []byte
	Created time.Time
	Updated time.Time
	Expires time.Time
}

// Finished reports whether the operation is done or failed.
func (o ImportOperation) Finished() bool {
	return o.State == OperationDone || o.State == OperationFailed
}

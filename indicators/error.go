package indicators

import (
	"errors"
	"fmt"
	"time"
)

// Error codes shared by every layer; the HTTP layer maps them to status codes in one
// place and the CLI maps them to exit statuses.
const (
	EINVALID      = "invalid"      // bad input: parameter, file content, usage
	ENOTFOUND     = "not_found"    // unknown chart, dataset, version, job
	ECONFLICT     = "conflict"     // state does not allow the operation
	EUNAUTHORIZED = "unauthorized" // missing or wrong credentials
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed (e.g. CSRF)
	ETOOLARGE     = "too_large"    // over a configured size limit
	EUNSUPPORTED  = "unsupported"  // a file type Clout does not read
	EBUSY         = "busy"         // a bound on work in progress is reached (another writer holds the store, a queue is full); retry after Error.RetryAfter when set
	EINTERNAL     = "internal"     // a bug or an infrastructure failure
)

// Error is an application error with a machine-readable code, a message safe to
// show to users, and optional details (e.g. every error of a rejected import).
type Error struct {
	Code    string
	Message string
	Details []ImportProblem
	// RetryAfter is how long to wait before trying again (EBUSY); 0 if unknown.
	RetryAfter time.Duration
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the user-facing message of the first *Error in err's chain,
// or a generic text for internal errors, whose details must not leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorDetails returns the details of the first *Error in err's chain.
func ErrorDetails(err error) []ImportProblem {
	var e *Error
	if errors.As(err, &e) {
		return e.Details
	}
	return nil
}

// ErrorRetryAfter returns how long the first *Error in err's chain says to wait
// before trying again, 0 if it says nothing.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

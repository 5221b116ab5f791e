package dashboard

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/indicators"
)

// statusByCode maps indicators' error codes to HTTP status codes: the one place
// where that mapping lives.
var statusByCode = map[string]int{
	indicators.EINVALID:      http.StatusBadRequest,
	indicators.ENOTFOUND:     http.StatusNotFound,
	indicators.ECONFLICT:     http.StatusConflict,
	indicators.EUNAUTHORIZED: http.StatusUnauthorized,
	indicators.EFORBIDDEN:    http.StatusForbidden,
	indicators.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	indicators.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	ETOOMANY:                 http.StatusTooManyRequests,
	ETIMEOUT:                 http.StatusRequestTimeout,
	indicators.EBUSY:         http.StatusServiceUnavailable,
	indicators.EINTERNAL:     http.StatusInternalServerError,
}

// codeByStatus maps Echo's own errors (404 for an unknown route, 405, 413 from the
// body limit...) back to codes.
var codeByStatus = map[int]string{
	http.StatusBadRequest:            indicators.EINVALID,
	http.StatusNotFound:              indicators.ENOTFOUND,
	http.StatusMethodNotAllowed:      indicators.EINVALID,
	http.StatusConflict:              indicators.ECONFLICT,
	http.StatusUnauthorized:          indicators.EUNAUTHORIZED,
	http.StatusForbidden:             indicators.EFORBIDDEN,
	http.StatusRequestEntityTooLarge: indicators.ETOOLARGE,
	http.StatusUnsupportedMediaType:  indicators.EUNSUPPORTED,
	http.StatusUnprocessableEntity:   indicators.EINVALID,
	http.StatusTooManyRequests:       ETOOMANY,
	http.StatusRequestTimeout:        ETIMEOUT,
	http.StatusServiceUnavailable:    indicators.EBUSY,
}

// busyRetryAfter is the Retry-After of a 503 that sets none.
const busyRetryAfter = 10 * time.Second

// ErrorResponse is the JSON body of every API error.
type ErrorResponse struct {
	Error   string                     `json:"error"`
	Details []indicators.ImportProblem `json:"details,omitempty"`
	// RetryAfter is the Retry-After of a 503, in seconds: an import operation
	// keeps its answer as this body, and answers again with the header from it.
	RetryAfter int `json:"retry_after,omitempty"`
}

// appError is an error resolved to what the client sees.
type appError struct {
	status     int
	code       string
	message    string
	details    []indicators.ImportProblem
	retryAfter time.Duration // sent as Retry-After (EBUSY)
}

// resolveError turns any error into its status, code and safe message. Internal
// errors get a generic message; their text is only logged.
func resolveError(err error) appError {
	var he *echo.HTTPError
	var ie *indicators.Error
	if !errors.As(err, &ie) && errors.As(err, &he) {
		code, ok := codeByStatus[he.Code]
		if !ok {
			code = indicators.EINTERNAL
		}
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			msg = m
		}
		if code == indicators.EINTERNAL {
			msg = "internal error"
		}
		return appError{status: he.Code, code: code, message: msg}
	}
	code := indicators.ErrorCode(err)
	status, ok := statusByCode[code]
	if !ok {
		status, code = http.StatusInternalServerError, indicators.EINTERNAL
	}
	return appError{
		status:     status,
		code:       code,
		message:    indicators.ErrorMessage(err),
		details:    indicators.ErrorDetails(err),
		retryAfter: indicators.ErrorRetryAfter(err),
	}
}

// handleError is Echo's HTTPErrorHandler: JSON for /api, an HTML page otherwise.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	ae := resolveError(err)
	if w := ae.wait(); w > 0 && (ae.retryAfter > 0 || c.Response().Header().Get("Retry-After") == "") {
		c.Response().Header().Set("Retry-After", retryAfterSeconds(w))
	}
	if ae.code == indicators.EBUSY {
		s.log.Warn("request refused: the server is busy", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	} else if ae.status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(ae.status)
	case wantsJSON(c):
		werr = c.JSON(ae.status, ae.response())
	default:
		werr = s.renderErrorPage(c, ae)
	}
	if werr != nil {
		s.log.Error("writing error response", "err", werr)
	}
}

// wait is how long the client should wait before trying again: the error's own
// wait, else busyRetryAfter for a 503 (0: no advice). A handler's own
// Retry-After header wins over busyRetryAfter.
func (ae appError) wait() time.Duration {
	switch {
	case ae.retryAfter > 0:
		return ae.retryAfter
	case ae.status == http.StatusServiceUnavailable:
		return busyRetryAfter
	}
	return 0
}

// response is the error's JSON body.
func (ae appError) response() ErrorResponse {
	out := ErrorResponse{Error: ae.message, Details: ae.details}
	if ae.status == http.StatusServiceUnavailable {
		out.RetryAfter = retrySeconds(ae.wait())
	}
	return out
}

// wantsJSON reports whether an error should be answered in JSON: API routes, and
// clients that ask only for JSON.
func wantsJSON(c echo.Context) bool {
	p := c.Request().URL.Path
	if strings.HasPrefix(p, "/api/") || p == "/api" {
		return true
	}
	accept := c.Request().Header.Get("Accept")
	return strings.HasPrefix(accept, "application/json")
}

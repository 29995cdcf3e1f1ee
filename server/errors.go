package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Error is a ceremony failure with the HTTP status and the stable code the browser gets.
// Message is safe to show to the browser; Cause, if any, is only logged.
//
// An app that answers a failure of its own builds one with the code and message alone:
// WriteError fills in the status the code has in the table of codes (README, "Error codes"),
// so the app's answer and the library's cannot drift apart.
type Error struct {
	// Status is the HTTP status. Zero means the status of Code (500 for a code not in the table).
	Status  int
	Code    string
	Message string
	// Cause is the underlying error, for logs. It is never sent to the browser.
	Cause error
}

// Error returns the message and code, with the cause for logs.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("passkeys: %s (%s): %v", e.Message, e.Code, e.Cause)
	}
	return fmt.Sprintf("passkeys: %s (%s)", e.Message, e.Code)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// newError returns the failure answered with code: its status is the one internal/codes
// gives the code (statusOf), so that no call site names a status of its own.
func newError(code, message string, cause error) *Error {
	status := statusOf(code)
	if status == 0 {
		status = http.StatusInternalServerError // not a code of the table; TestStatusOf forbids it
	}
	return &Error{Status: status, Code: code, Message: message, Cause: cause}
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// WriteError writes err as a JSON error answer: an *Error with its status and code, any
// other error as 500 internal_error with a generic message (the details belong in logs).
// An *Error whose Status is zero is answered with its code's status.
func WriteError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = newError(CodeInternal, "Internal error.", err)
	}
	status := e.Status
	if status == 0 {
		if status = statusOf(e.Code); status == 0 {
			status = http.StatusInternalServerError
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "1")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: e.Message, Code: e.Code})
}

// WriteJSON writes v as a 200 JSON answer that no cache keeps.
func WriteJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(append(b, '\n'))
	return err
}

func errorf(format string, args ...any) error { return fmt.Errorf("passkeys: "+format, args...) }

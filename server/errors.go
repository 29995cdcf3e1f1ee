package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Error is a ceremony failure with the HTTP status and the stable code the browser gets.
// Message is safe to show to the browser; Cause, if any, is only logged.
type Error struct {
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

func newError(status int, code, message string, cause error) *Error {
	return &Error{Status: status, Code: code, Message: message, Cause: cause}
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// WriteError writes err as a JSON error answer: an *Error with its status and code, any
// other error as 500 internal_error with a generic message (the details belong in logs).
func WriteError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = newError(http.StatusInternalServerError, CodeInternal, "Internal error.", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if e.Status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "1")
	}
	w.WriteHeader(e.Status)
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

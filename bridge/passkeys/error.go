// Package passkeys is the Go door to the browser bridge window.chirp.passkeys, for Go
// front ends compiled to WebAssembly (GOOS=js GOARCH=wasm). The injected bridge is the
// one implementation; this package calls it through syscall/js and turns its
// PasskeyError into a typed *Error:
//
//	res, err := passkeys.RegisterWith(ctx, passkeys.With{
//		Begin:  "/auth/passkey/register/begin",
//		Finish: "/auth/passkey/register/finish",
//	})
//	switch {
//	case errors.Is(err, passkeys.ErrCancelled): // say nothing
//	case errors.Is(err, passkeys.ErrDuplicate): // "this device is already registered"
//	}
//
// Cancelling ctx aborts the ceremony (an AbortSignal underneath). The functions exist
// only under js/wasm; the Error type, the sentinels and the Reason*, Code* and
// ServerCode* constants (generated from internal/codes) build everywhere, so server
// code and tests can use them.
package passkeys

import (
	"errors"
	"fmt"
	"time"
)

// Reason is the coarse reason of a failure: one of the five Reason* constants.
type Reason string

// Code is the bridge's finer, stable error code: one of the Code* constants.
type Code string

// Ceremony names what failed: a WebAuthn ceremony, or a signal.
type Ceremony string

// The two ceremonies, and the signals (the bridge's signalUnknown, signalAccepted and
// signalUser, which reject with CodeSignalRefused).
const (
	CeremonyRegister     Ceremony = "register"
	CeremonyAuthenticate Ceremony = "authenticate"
	CeremonySignal       Ceremony = "signal"
)

// Error is every failure of a ceremony, the Go side of the bridge's PasskeyError.
// Match a reason with errors.Is(err, ErrCancelled) (one sentinel per reason), or get the
// details with errors.As(err, &e).
type Error struct {
	Reason    Reason
	Code      Code
	Ceremony  Ceremony
	Retryable bool
	// Status, ServerCode and ServerMessage are set with CodeServerRejected: the HTTP
	// status and the "code" and "error" members of the server's JSON body.
	Status        int
	ServerCode    string
	ServerMessage string
	// Message is the JavaScript error's message; Cause is the bridge's cause as a string
	// (the DOMException, TypeError or server body behind it), for logs.
	Message, Cause string

	sentinel bool
}

// NewError returns the *Error of code with its reason and retryable flag, as the bridge
// would build it.
func NewError(code Code, ceremony Ceremony) *Error {
	info, ok := codeInfo[code]
	if !ok {
		info = codeInfo[CodeUnknown]
	}
	return &Error{Reason: info.reason, Code: code, Ceremony: ceremony, Retryable: info.retryable, Message: string(code)}
}

// Error describes the failure: ceremony, reason and code (and the server's answer).
func (e *Error) Error() string {
	if e.sentinel {
		return "passkeys: " + string(e.Reason)
	}
	s := fmt.Sprintf("passkeys: %s: %s (%s)", e.Ceremony, e.Reason, e.Code)
	if e.Code == CodeServerRejected {
		s += fmt.Sprintf(": %d %s", e.Status, e.ServerCode)
		if e.ServerMessage != "" {
			s += ": " + e.ServerMessage
		}
	} else if e.Cause != "" {
		s += ": " + e.Cause
	}
	return s
}

// Is reports whether target is the sentinel of e's reason (ErrCancelled...), or an
// *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t.sentinel {
		return e.Reason == t.Reason
	}
	return t.Code != "" && t.Code == e.Code
}

// ErrNoBridge is returned when window.chirp.passkeys is missing from the page: the
// injector middleware (or the bridge script) is not in front of it.
var ErrNoBridge = errors.New("passkeys: window.chirp.passkeys is missing (serve the page behind the injector, or load the bridge script)")

// Option tunes Register and Authenticate.
type Option func(*ceremonyOpts)

type ceremonyOpts struct {
	conditional bool
	timeout     time.Duration
}

// Conditional uses mediation "conditional": autofill sign-in for Authenticate, automatic
// passkey upgrade for Register (ReasonUnsupported / CodeConditionalUnavailable where the
// browser lacks it).
func Conditional() Option { return func(o *ceremonyOpts) { o.conditional = true } }

// Timeout sets the bridge's deadline, also sent to the browser (ReasonCancelled / CodeTimeout).
func Timeout(d time.Duration) Option { return func(o *ceremonyOpts) { o.timeout = d } }

// With is the whole loop of RegisterWith and AuthenticateWith: POST Begin, the ceremony,
// POST Finish.
type With struct {
	// Begin and Finish are the URLs of the endpoints (required).
	Begin, Finish string
	// Body is the JSON body of the begin request (default {}).
	Body any
	// CSRFToken is sent in CSRFHeader with both requests; default: the content of
	// <meta name=CSRFMeta>.
	CSRFToken string
	// CSRFHeader defaults to X-CSRF-Token, CSRFMeta to csrf-token.
	CSRFHeader, CSRFMeta string
	// Conditional and Timeout as the options of the same names.
	Conditional bool
	Timeout     time.Duration
}

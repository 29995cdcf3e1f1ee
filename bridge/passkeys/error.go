package passkeys

import (
	"errors"
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
// An unknown code gets the reason and flag of CodeUnknown.
func NewError(code Code, ceremony Ceremony) *Error {
	e := &Error{Reason: ReasonFailed, Code: code, Ceremony: ceremony, Retryable: true, Message: string(code)}
	for _, c := range codeTable {
		if c.code == code {
			e.Reason, e.Retryable = c.reason, c.retryable
			break
		}
	}
	return e
}

// Error describes the failure: ceremony, reason and code (and the server's answer).
// It is built by concatenation: the package does not import fmt (see the package doc).
func (e *Error) Error() string {
	if e.sentinel {
		return "passkeys: " + string(e.Reason)
	}
	s := "passkeys: " + string(e.Ceremony) + ": " + string(e.Reason) + " (" + string(e.Code) + ")"
	if e.Code == CodeServerRejected {
		s += ": " + itoa(e.Status) + " " + e.ServerCode
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

// itoa is strconv.Itoa, without strconv.
func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	u := uint64(n)
	if n < 0 {
		u = uint64(-n)
	}
	for ; u > 0; u /= 10 {
		i--
		b[i] = byte('0' + u%10)
	}
	if n < 0 {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// ErrNoBridge is returned when window.chirp.passkeys is missing from the page: the
// injector middleware (or the bridge script) is not in front of it.
var ErrNoBridge = errors.New("passkeys: window.chirp.passkeys is missing (serve the page behind the injector, or load the bridge script)")

// Result is what a ceremony gives back. It is a struct so that what the bridge may add
// to a result beside its JSON can be added as fields.
type Result struct {
	// JSON is, for Register and Authenticate, the credential JSON to POST to the finish
	// endpoint; for RegisterWith and AuthenticateWith, the finish endpoint's JSON answer
	// ("null" when it answered none). The browser wrote it (JSON.stringify).
	JSON []byte
	// PRFFirst and PRFSecond are the PRF extension's outputs (32 bytes each), when the
	// options asked the authenticator to evaluate its PRF (server.AuthenticationOptions.PRF)
	// and it did; nil otherwise. They are secrets of the user's device: the bridge keeps
	// them out of what it sends the server.
	PRFFirst, PRFSecond []byte
}

// Option tunes Register and Authenticate.
type Option func(*ceremonyOpts)

type ceremonyOpts struct {
	conditional bool
	timeout     time.Duration
}

// Conditional uses mediation "conditional": autofill sign-in for Authenticate, and for
// Register a conditional create (automatic passkey upgrade: the browser creates the
// passkey without a dialog, typically right after a password sign-in, and the call stays
// pending until it does). Where the browser lacks it: ReasonUnsupported /
// CodeConditionalUnavailable; ClientCapabilities tells beforehand
// (CapabilityConditionalGet, CapabilityConditionalCreate).
func Conditional() Option { return func(o *ceremonyOpts) { o.conditional = true } }

// Timeout sets the bridge's deadline, also sent to the browser (ReasonCancelled / CodeTimeout).
func Timeout(d time.Duration) Option { return func(o *ceremonyOpts) { o.timeout = d } }

// With is the whole loop of RegisterWith and AuthenticateWith: POST Begin, the ceremony,
// POST Finish.
type With struct {
	// Begin and Finish are the URLs of the endpoints (required).
	Begin, Finish string
	// Body is the JSON body of the begin request, e.g. []byte(`{"username":"ada"}`)
	// (default {}). Not valid JSON: ReasonMisconfigured / CodeBadOptions. The browser
	// quotes a string for it: js.Global().Get("JSON").Call("stringify", username).String().
	Body []byte
	// CSRFToken is sent in CSRFHeader with both requests; default: the content of
	// <meta name=CSRFMeta>.
	CSRFToken string
	// CSRFHeader defaults to X-CSRF-Token, CSRFMeta to csrf-token.
	CSRFHeader, CSRFMeta string
	// Conditional and Timeout as the options of the same names.
	Conditional bool
	Timeout     time.Duration
}

// Capability is the name of a client capability, as WebAuthn's getClientCapabilities()
// reports it: one of the Capability* constants, or Extension(name).
type Capability string

// The client capabilities of WebAuthn Level 3 (§5.1.7).
const (
	CapabilityConditionalCreate                  Capability = "conditionalCreate"
	CapabilityConditionalGet                     Capability = "conditionalGet"
	CapabilityHybridTransport                    Capability = "hybridTransport"
	CapabilityPasskeyPlatformAuthenticator       Capability = "passkeyPlatformAuthenticator"
	CapabilityUserVerifyingPlatformAuthenticator Capability = "userVerifyingPlatformAuthenticator"
	CapabilityRelatedOrigins                     Capability = "relatedOrigins"
	CapabilitySignalAllAcceptedCredentials       Capability = "signalAllAcceptedCredentials"
	CapabilitySignalCurrentUserDetails           Capability = "signalCurrentUserDetails"
	CapabilitySignalUnknownCredential            Capability = "signalUnknownCredential"
)

// Extension is the capability of a WebAuthn extension: Extension("prf") is
// "extension:prf".
func Extension(name string) Capability { return Capability("extension:" + name) }

// Capabilities is what ClientCapabilities reports: true for what the browser can do.
// A capability it does not mention is absent (false).
type Capabilities map[Capability]bool

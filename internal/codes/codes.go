// Package codes is the one source of truth for the passkey failure reasons, the bridge's
// error codes and the server's error codes with their HTTP statuses. go generate (./gen)
// writes from it:
//
//	bridge/ts/error.ts            PasskeyReason, PasskeyErrorCode and the CODES table, between
//	                              the lines // codes:begin and // codes:end
//	bridge/passkeys/codes_gen.go  Reason*, Code* and ServerCode* constants of the Go (wasm) client
//	server/codes_gen.go           the server's Code* constants and statusOf, the status of each
//	README.md, bridge/README.md   the tables between <!-- codes:begin --> and <!-- codes:end -->
//
// Edit this file, then run go generate ./internal/codes; make codes-check fails when a
// generated file is stale.
package codes

//go:generate go run ./gen

// Reason is one of the five coarse failure reasons.
type Reason struct {
	Name string // wire value
	Go   string // Go identifier suffix (ReasonCancelled, ErrCancelled)
	Doc  string // what a UI should do
}

// BridgeCode is a finer bridge error code.
type BridgeCode struct {
	Name      string // wire value
	Go        string // Go identifier suffix (CodeUserCancelled)
	Reason    string // a Reason's Name
	Retryable bool
	Doc       string // TypeScript doc comment of the CODES entry
	When      string // the "when" column of bridge/README.md
}

// ServerCode is a code of the server's JSON error bodies.
type ServerCode struct {
	Name    string // wire value
	Go      string // Go identifier suffix (server.CodeBadRequest, passkeys.ServerCodeBadRequest)
	Status  int    // the HTTP status of every answer with this code (server.statusOf)
	Doc     string // Go doc comment (lines)
	Meaning string // the "meaning" column of README.md
}

// Reasons, in the order of their index in the bridge's CODES encoding.
var Reasons = []Reason{
	{"cancelled", "Cancelled", "say nothing (the user or the page stopped it)"},
	{"duplicate", "Duplicate", `"this device is already registered"`},
	{"misconfigured", "Misconfigured", "setup error, log it (the site, not the user, must fix it)"},
	{"unsupported", "Unsupported", "hide the passkey UI"},
	{"failed", "Failed", "show an error, offer a retry when `retryable`"},
}

// BridgeCodes, in the order of the PasskeyErrorCode union.
var BridgeCodes = []BridgeCode{
	{"user_cancelled", "UserCancelled", "cancelled", true,
		"The user dismissed the dialog (NotAllowedError before the deadline, or a browser AbortError as Firefox raises).",
		"the user dismissed the dialog (NotAllowedError before the deadline; AbortError the browser raised itself, as Firefox does)"},
	{"timeout", "Timeout", "cancelled", true,
		"The deadline passed (`opts.timeout`, or NotAllowedError after ~`options.timeout`).",
		"the `timeout` option expired, or NotAllowedError after about `options.timeout`"},
	{"aborted", "Aborted", "cancelled", true,
		"Aborted by the caller's `signal` or by `abort()`.",
		"your `signal` aborted, or `abort()` was called"},
	{"superseded", "Superseded", "cancelled", false,
		"A newer ceremony started and replaced this one.",
		"a newer ceremony replaced this one"},
	{"excluded_credential", "ExcludedCredential", "duplicate", false,
		"register: the authenticator already holds a credential from `excludeCredentials` (InvalidStateError).",
		"register: the authenticator already holds one of `excludeCredentials` (InvalidStateError)"},
	{"rp_id_mismatch", "RPIDMismatch", "misconfigured", false,
		"SecurityError and the page's host is neither `rpId` nor a subdomain of it.",
		"SecurityError, and the page's host is neither the rp id nor a subdomain of it"},
	{"invalid_domain", "InvalidDomain", "misconfigured", false,
		"SecurityError otherwise: the browser rejects this origin/domain (IP address, bad related origins...).",
		"other SecurityError (IP address, invalid domain, related origins refused)"},
	{"insecure_context", "InsecureContext", "misconfigured", false,
		"Not a secure context (use https, or http://localhost).",
		"not a secure context: use https (`http://localhost` is fine)"},
	{"no_webauthn", "NoWebAuthn", "unsupported", false,
		"No `PublicKeyCredential` or no `navigator.credentials` in this browser.",
		"no `PublicKeyCredential` or no `navigator.credentials`"},
	{"conditional_unavailable", "ConditionalUnavailable", "unsupported", false,
		"`conditional: true` but the browser lacks conditional mediation (get) / conditional create.",
		"`conditional: true` where the browser lacks conditional mediation (get) or conditional create"},
	{"bad_options", "BadOptions", "misconfigured", false,
		"The options are malformed (not an object, bad challenge, missing rp/user, parse TypeError).",
		"options not an object, challenge missing/invalid, register without `rp`/`user`, TypeError from parsing"},
	{"signal_refused", "SignalRefused", "misconfigured", false,
		"A signal (`signalUnknown`, `signalAccepted`, `signalUser`) was refused by the browser: its `rpId` is not this site's, or an ID is not base64url.",
		"a signal's `rpId` is not the page's rp ID (SecurityError) or its JSON is malformed (TypeError); a browser without the signal resolves instead"},
	{"unsupported_algorithm", "UnsupportedAlgorithm", "failed", false,
		"NotSupportedError: on register, none of `pubKeyCredParams` is supported.",
		"NotSupportedError: none of `pubKeyCredParams` is supported"},
	{"busy", "Busy", "failed", true,
		`The browser still has a request pending ("A request is already pending").`,
		`"A request is already pending" (OperationError)`},
	{"authenticator_error", "AuthenticatorError", "failed", true,
		"Any other authenticator/browser failure (DOMException: UnknownError, ConstraintError, ...).",
		"any other DOMException (UnknownError, ConstraintError, InvalidStateError on sign-in...)"},
	{"serialization", "Serialization", "failed", false,
		"The credential could not be turned into JSON.",
		"the credential could not be turned into JSON"},
	{"server_rejected", "ServerRejected", "failed", true,
		"The begin or finish endpoint answered non-2xx: see `status`, `serverCode`, `serverMessage`.",
		"begin or finish answered non-2xx (`status`, `serverCode`, `serverMessage`)"},
	{"network", "Network", "failed", true,
		"fetch to begin or finish threw (offline, DNS, CORS...).",
		"fetch threw (offline, DNS, CORS...)"},
	{"unknown", "Unknown", "failed", true,
		"Anything else.",
		"anything else"},
}

// ServerCodes, in the order of README.md's table.
var ServerCodes = []ServerCode{
	{"bad_request", "BadRequest", 400,
		"CodeBadRequest: the body is not a well-formed WebAuthn response.",
		"not a well-formed WebAuthn response"},
	{"method_not_allowed", "MethodNotAllowed", 405,
		"CodeMethodNotAllowed: the request is not a POST (the answer carries Allow: POST).",
		"not a `POST` (a `GET` of a ceremony route, a verb mounted for another method)"},
	{"unsupported_media_type", "UnsupportedMediaType", 415,
		"CodeUnsupportedMediaType: the request body is not application/json.",
		"body not `application/json`"},
	{"payload_too_large", "PayloadTooLarge", 413,
		"CodePayloadTooLarge: the body exceeds Config.MaxBodyBytes.",
		"body over `Config.MaxBodyBytes` (64 KiB)"},
	{"challenge_missing", "ChallengeMissing", 400,
		"CodeChallengeMissing: no pending ceremony matches this browser and challenge\n(never begun, begun in another browser, or already finished once).",
		"no pending ceremony for this browser and challenge (never begun, other browser, replayed)"},
	{"challenge_expired", "ChallengeExpired", 400,
		"CodeChallengeExpired: the ceremony was begun longer than Config.ChallengeTTL ago.",
		"begun more than `Config.ChallengeTTL` (5 min) ago"},
	{"ceremony_mismatch", "CeremonyMismatch", 400,
		"CodeCeremonyMismatch: a registration was finished as a login or the reverse.",
		"a login challenge used to register, or the reverse"},
	{"verification_failed", "VerificationFailed", 400,
		"CodeVerificationFailed: the response failed WebAuthn verification (signature,\norigin, rp ID hash, user verification, flags).",
		"signature, origin, rp ID hash, user verification or flags wrong"},
	{"unknown_credential", "UnknownCredential", 400,
		"CodeUnknownCredential: the app has no credential with this ID.",
		"the app has no credential with this ID"},
	{"user_mismatch", "UserMismatch", 400,
		"CodeUserMismatch: the response's user handle is not the stored credential's user\n(or, in Routes, a registration begun for one account is finished by another).",
		"the user handle is not the credential's user; `Routes`: a registration finished by another account than began it"},
	{"sign_count_regressed", "SignCountRegressed", 400,
		"CodeSignCountRegressed: the authenticator's signature counter went backwards,\na sign of a cloned authenticator (see SignCountPolicy).",
		"the signature counter went back (cloned authenticator?); `SignCountFlag` lets it through flagged"},
	{"credential_exists", "CredentialExists", 400,
		"CodeCredentialExists: a registration whose credential ID is already registered (to this\nuser or another); nothing is stored.",
		"`Routes`: the credential ID is already registered (the spec's step: refuse it)"},
	{"last_credential", "LastCredential", 409,
		"CodeLastCredential: Routes refuses to delete the user's last passkey while the user has no\nother way to sign in (Routes.HasOtherSignIn).",
		"`Routes`: deleting the last passkey of an account with no other way to sign in"},
	{"login_required", "LoginRequired", 401,
		"CodeLoginRequired is answered (401) by the register routes when nobody is signed in.",
		"`Routes`: registering without a signed-in user"},
	{"rate_limited", "RateLimited", 429,
		"CodeRateLimited: this client began too many ceremonies too fast (Config.ClientLimit);\nthe answer's Retry-After says when to try again.",
		"too many begins from this client (`Config.ClientLimit`); `Retry-After` says when to retry"},
	{"store_unavailable", "StoreUnavailable", 503,
		"CodeStoreUnavailable: the ceremony store is full or unreachable (503).",
		"ceremony store full (memory store capacity) or unreachable (Redis down)"},
	{"internal_error", "Internal", 500,
		"CodeInternal: an error of the app or the server, details logged (500).",
		"the app's or the server's fault; details in the log"},
}

// ReasonIndex returns the index of the reason named name, or -1.
func ReasonIndex(name string) int {
	for i, r := range Reasons {
		if r.Name == name {
			return i
		}
	}
	return -1
}

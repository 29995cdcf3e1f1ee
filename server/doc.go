// Package server holds the WebAuthn ceremony verbs of chirpkit/passkeys, on top of
// github.com/go-webauthn/webauthn.
//
// The library owns the verb; the app owns the row. A Server begins and finishes
// registration and authentication ceremonies: it makes the options the browser needs,
// keeps each challenge server side in a CeremonyStore, bound to the browser that began it
// by an HttpOnly cookie, takes it back exactly once when the browser finishes, and verifies
// the answer. What to persist (the credential row, the user, the login session) is the
// app's: FinishRegistration returns a RegisteredCredential to store, and
// FinishAuthentication asks the app for the stored row through a lookup function and
// returns what changed.
//
// Every verb answers a bad request itself with a JSON body {"error": message, "code": code}
// and a 4xx status (see Error and the Code constants), and returns the same *Error so the
// app can log or count it. Details meant for developers (go-webauthn's DevInfo) go to the
// configured slog.Logger, never to the browser.
//
// The four routes a browser calls are, by convention:
//
//	POST /auth/passkey/register/begin    -> BeginRegistration
//	POST /auth/passkey/register/finish   -> FinishRegistration
//	POST /auth/passkey/login/begin       -> BeginAuthentication
//	POST /auth/passkey/login/finish      -> FinishAuthentication
package server

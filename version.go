// Package passkeys is the root of chirpkit passkeys: passkeys (WebAuthn) for any Go web
// app, with one middleware and four handlers.
//
//   - [github.com/chirpkit/passkeys/server]: the ceremony verbs (begin and finish
//     registration and sign-in), single-use challenges bound to the browser, the ready
//     routes and the deploy check.
//   - [github.com/chirpkit/passkeys/injector]: net/http middleware that serves the
//     browser bridge and adds its script tag to HTML pages.
//   - [github.com/chirpkit/passkeys/bridge]: the embedded browser bridge
//     (window.chirp.passkeys); [github.com/chirpkit/passkeys/bridge/passkeys] is the same
//     for Go compiled to WebAssembly.
//
// Stores and adapters are modules of their own, so that this one needs nothing beyond
// go-webauthn and golang.org/x: github.com/chirpkit/passkeys/redisstore (the Redis
// ceremony store) and github.com/chirpkit/passkeys/ginpasskeys (gin). Browser tests live
// in github.com/chirpkit/passkeys/e2e.
package passkeys

// Version is the release of this module, of the browser bridge (window.chirp.passkeys.version)
// and of the npm package @chirpkit/passkeys. It is defined here once; the bundle and
// package.json are checked against it.
const Version = "0.2.0"

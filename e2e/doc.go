// Package e2e proves the passkey loop of chirpkit/passkeys in a real browser: Chromium,
// driven over CDP by chromedp, with a virtual authenticator, against the example app's
// handlers on localhost. The helper package virtualauth, beside it, is for other
// projects' headless CI too, and package passkeytest runs these scenarios against any
// app in one call.
//
// Run with go test ./e2e/...; without Chromium the suite fails with instructions, unless
// E2E=skip is set.
package e2e

// Package chromecheck holds a smoke test of the injected bridge script in a real
// headless Chromium with a CDP virtual authenticator. It is behind the build tag
// "chrome" so that go test ./... never compiles chromedp by default:
//
//	go test -tags chrome ./bridge/internal/chromecheck/
//
// It needs /usr/bin/chromium (or CHROMIUM=/path). The full server round trips are
// covered by the e2e tests; this only checks the bridge against the real browser APIs.
package chromecheck

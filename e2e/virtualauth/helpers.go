package virtualauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// JSError is the error of Eval when the script throws or its promise
// rejects. For a DOMException such as a failed WebAuthn ceremony, Name is
// its name: "NotAllowedError", "InvalidStateError", "SecurityError", ...
type JSError struct {
	Name    string // the error's name, such as "NotAllowedError"; may be empty
	Message string // the error's message
	Err     *chromedp.ExceptionError
}

// Error returns "javascript: Name: message".
func (e *JSError) Error() string {
	if e.Name != "" {
		return "javascript: " + e.Name + ": " + e.Message
	}
	return "javascript: " + e.Message
}

// Unwrap returns the chromedp exception.
func (e *JSError) Unwrap() error { return e.Err }

// ErrorName returns the JavaScript error name (such as "NotAllowedError")
// of an error from Eval, or "" when err is not a JavaScript error.
func ErrorName(err error) string {
	var je *JSError
	if errors.As(err, &je) {
		return je.Name
	}
	return ""
}

// Eval evaluates the JavaScript expression js in the tab's page, waits for
// it if it is a promise, and decodes its JSON value into out (which may be
// nil to drop it; an undefined result leaves it unchanged). A value that JSON cannot hold, such as an ArrayBuffer, must
// be converted in js (for example with PublicKeyCredential.toJSON()).
//
// A thrown error or a rejected promise gives a *JSError; ErrorName reads its
// name. A ceremony that never settles ends at the tab's deadline.
func Eval(tab context.Context, js string, out any) error {
	raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err != nil {
		var ee *chromedp.ExceptionError
		if errors.As(err, &ee) {
			return newJSError(ee)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("virtualauth: eval: %w (a WebAuthn ceremony that never settles usually means: no authenticator in this tab, presence simulation off, or rp.id not matching the page host; use localhost, not 127.0.0.1)", err)
		}
		return fmt.Errorf("virtualauth: eval: %w", err)
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("virtualauth: eval: decoding %.200s: %w", raw, err)
	}
	return nil
}

func newJSError(ee *chromedp.ExceptionError) *JSError {
	je := &JSError{Err: ee}
	d := ee.ExceptionDetails
	if d == nil {
		return je
	}
	je.Message = d.Text
	if obj := d.Exception; obj != nil {
		desc := obj.Description
		if desc == "" && len(obj.Value) > 0 {
			// A rejected promise with a plain value, such as a string.
			var s string
			if json.Unmarshal(obj.Value, &s) == nil {
				desc = s
			} else {
				desc = string(obj.Value)
			}
		}
		// The description is "Name: message\n    at stack...".
		first, _, _ := strings.Cut(desc, "\n    at ")
		if name, msg, ok := strings.Cut(first, ": "); ok && isIdent(name) {
			je.Name, je.Message = name, msg
		} else if isIdent(first) && obj.ClassName != "" {
			je.Name, je.Message = first, ""
		} else if first != "" {
			je.Message = first
		}
	}
	return je
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '$' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// Navigate loads url in the tab and waits for the page to load.
func Navigate(tab context.Context, url string) error {
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		return fmt.Errorf("virtualauth: navigating to %s: %w", url, err)
	}
	return nil
}

// LogConsole copies the tab's console messages and uncaught exceptions to
// t.Logf, prefixed with "browser: ", until the tab or the test ends.
func LogConsole(t testing.TB, tab context.Context) {
	var mu sync.Mutex
	done := false
	t.Cleanup(func() {
		mu.Lock()
		done = true
		mu.Unlock()
	})
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			if done {
				mu.Unlock()
				return
			}
			if m.URL != "" {
				t.Logf("browser %s (%s:%d)", m, m.URL, m.Line+1)
			} else {
				t.Logf("browser %s", m)
			}
			mu.Unlock()
		}
	}()
}

// Localhost returns rawURL with an IP loopback host (127.0.0.1, [::1])
// replaced by "localhost", keeping the port. WebAuthn needs a domain as the
// RP ID, and Chromium rejects an IP address ("This is an invalid domain").
func Localhost(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return rawURL
	}
	if port := u.Port(); port != "" {
		u.Host = "localhost:" + port
	} else {
		u.Host = "localhost"
	}
	return u.String()
}

// NewServer starts an httptest server on a loopback port and sets its URL to
// http://localhost:PORT, the origin WebAuthn accepts (RP ID "localhost").
// The server closes when the test ends.
func NewServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	srv.URL = Localhost(srv.URL)
	t.Cleanup(srv.Close)
	return srv
}

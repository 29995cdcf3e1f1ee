package rig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/chirpkit/passkeys/internal/softauth"
)

// Browser is one visitor: a cookie jar shared by every instance (cookies ignore ports,
// so a cookie set by one instance is sent to the other, as behind one origin), the CSRF
// token of its session, and a software authenticator.
type Browser struct {
	Client *http.Client
	Auth   *softauth.Authenticator
	CSRF   string
	// Timeout bounds each request; zero means 30 s.
	Timeout time.Duration
}

// NewBrowser returns a browser with an empty jar on transport (nil: a new one).
func NewBrowser(transport http.RoundTripper) *Browser {
	jar, _ := cookiejar.New(nil)
	if transport == nil {
		transport = NewTransport()
	}
	return &Browser{
		Client: &http.Client{Jar: jar, Transport: transport,
			// The app answers form posts with 303 See Other; the caller looks at that.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Auth: softauth.New(),
	}
}

// NewTransport returns a transport that keeps enough idle connections for many
// concurrent browsers.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 512
	return t
}

// Response is a status and a body.
type Response struct {
	Status int
	Body   []byte
}

// Code returns the "code" of a JSON error answer.
func (r Response) Code() string {
	var e struct{ Code string }
	_ = json.Unmarshal(r.Body, &e)
	return e.Code
}

func (r Response) String() string { return fmt.Sprintf("%d %s", r.Status, trim(r.Body)) }

// Do sends a request to base+path with the headers a same-origin page sends.
func (b *Browser) Do(method, base, path, contentType string, body string) (Response, error) {
	timeout := b.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return Response{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if method == http.MethodPost && b.CSRF != "" {
		req.Header.Set("X-CSRF-Token", b.CSRF)
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return Response{resp.StatusCode, out}, err
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// Page GETs a page and takes the CSRF token of the session from it.
func (b *Browser) Page(base, path string) error {
	r, err := b.Do(http.MethodGet, base, path, "", "")
	if err != nil {
		return err
	}
	m := csrfMeta.FindSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil {
		return fmt.Errorf("GET %s: %d, no CSRF token", path, r.Status)
	}
	b.CSRF = string(m[1])
	return nil
}

// Signup signs up with a password on base and then takes the CSRF token of the new,
// signed-in session from the dashboard. It fails unless the app answers 303 to /dashboard.
func (b *Browser) Signup(base, name, password string) error {
	if err := b.Page(base, "/signup"); err != nil {
		return err
	}
	r, err := b.Do(http.MethodPost, base, "/signup", "application/x-www-form-urlencoded",
		url.Values{"username": {name}, "password": {password}, "csrf_token": {b.CSRF}}.Encode())
	if err != nil {
		return err
	}
	if r.Status != http.StatusSeeOther {
		return fmt.Errorf("signup %s: %s", name, r)
	}
	return b.Page(base, "/dashboard")
}

// PostJSON posts body as JSON with the CSRF token.
func (b *Browser) PostJSON(base, path, body string) (Response, error) {
	return b.Do(http.MethodPost, base, path, "application/json", body)
}

// ErrStatus is an answer other than the one wanted.
type ErrStatus struct {
	Verb string
	Response
}

func (e *ErrStatus) Error() string { return fmt.Sprintf("%s: %s", e.Verb, e.Response) }

// Verb posts body to one of the four passkey routes (verb "register/begin",
// "login/finish", ...) and returns the answer, an *ErrStatus unless it is 200.
func (b *Browser) Verb(base, verb, body string) (Response, error) {
	r, err := b.PostJSON(base, "/auth/passkey/"+verb, body)
	if err != nil {
		return r, err
	}
	if r.Status != http.StatusOK {
		return r, &ErrStatus{verb, r}
	}
	return r, nil
}

// StatusOf returns the *ErrStatus in err, or nil.
func StatusOf(err error) *ErrStatus {
	var e *ErrStatus
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Create answers registration options with the browser's authenticator, for Origin.
func (b *Browser) Create(options []byte) (string, error) {
	resp, _, err := b.Auth.Create(options, Origin, softauth.Tamper{})
	return string(resp), err
}

// Get answers request options with the browser's authenticator, for Origin.
func (b *Browser) Get(options []byte) (string, error) {
	resp, err := b.Auth.Get(options, Origin, softauth.Tamper{})
	return string(resp), err
}

// Register runs a whole registration: begin on begin, finish on finish.
func (b *Browser) Register(begin, finish string) error {
	r, err := b.Verb(begin, "register/begin", "{}")
	if err != nil {
		return err
	}
	resp, err := b.Create(r.Body)
	if err != nil {
		return err
	}
	_, err = b.Verb(finish, "register/finish", resp)
	return err
}

// Login runs a whole usernameless sign-in (begin on begin, finish on finish) and takes
// the CSRF token of the new session from the dashboard on finish.
func (b *Browser) Login(begin, finish string) error {
	r, err := b.Verb(begin, "login/begin", "{}")
	if err != nil {
		return err
	}
	resp, err := b.Get(r.Body)
	if err != nil {
		return err
	}
	if _, err := b.Verb(finish, "login/finish", resp); err != nil {
		return err
	}
	return b.Page(finish, "/dashboard")
}

package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chirpkit/passkeys/internal/softauth"
)

func relatedConfig(c *Config) {
	c.RPID = "example.com"
	c.Origins = []string{"https://example.com"}
	c.RelatedOrigins = []string{"https://example.co.uk", "https://shop.example-store.de"}
}

func TestRelatedOriginsValidated(t *testing.T) {
	base := Config{RPID: "example.com", Origins: []string{"https://example.com"}}
	ok := base
	relatedConfig(&ok)
	if _, err := New(ok); err != nil {
		t.Fatalf("valid related origins refused: %v", err)
	}
	for _, tc := range []struct {
		related []string
		want    string
	}{
		{[]string{"http://example.co.uk"}, "http is allowed only on localhost"},
		{[]string{"http://localhost:9000"}, "not https"},
		{[]string{"https://example.co.uk/"}, "trailing slash"},
		{[]string{"https://Example.co.uk"}, "lower case"},
		{[]string{"https://login.example.com"}, "list it in Origins"},
		{[]string{"https://example.com"}, "list it in Origins"},
		{[]string{"https://co.uk"}, "public suffix"},
		{[]string{"https://github.io"}, "public suffix"},
		{[]string{"https://a.com", "https://b.com", "https://c.com", "https://d.com", "https://e.com", "https://f.com"}, "6 registrable-domain labels"},
	} {
		cfg := base
		cfg.RelatedOrigins = tc.related
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error saying %q", tc.related, err, tc.want)
		}
	}
	// Five labels, several origins per label: fine.
	cfg := base
	cfg.RelatedOrigins = []string{"https://a.com", "https://www.a.com", "https://a.de", "https://b.com", "https://c.com", "https://d.com", "https://e.com"}
	if _, err := New(cfg); err != nil {
		t.Errorf("five labels refused: %v", err)
	}
}

// TestRelatedOriginCeremonies: a registration and a sign-in from a related origin verify;
// an origin that is neither configured nor related is refused, and so is a related origin
// written otherwise than configured.
func TestRelatedOriginCeremonies(t *testing.T) {
	p := newInproc(t, relatedConfig)
	a := softauth.New()
	opts, c := p.begin(t, p.beginRegister, nil)
	resp, _, err := a.Create(opts, "https://example.co.uk", softauth.Tamper{})
	if err != nil {
		t.Fatal(err)
	}
	if w := call(p.finishRegister, "/register/finish", resp, c); w.Code != http.StatusOK {
		t.Fatalf("registration from the related origin: %d %s", w.Code, w.Body)
	}
	for origin, want := range map[string]int{
		"https://shop.example-store.de": 200,
		"https://example.com":           200,
		"https://example.org":           400,
		"https://EXAMPLE.co.uk":         400,
		"https://example.co.uk:443":     400,
	} {
		opts, c := p.begin(t, p.beginLogin, nil)
		var o struct{ Challenge string }
		_ = json.Unmarshal(opts, &o)
		resp, err := a.Sign(a.Creds[0], o.Challenge, "example.com", origin, softauth.Tamper{})
		if err != nil {
			t.Fatal(err)
		}
		w := call(p.finishLogin, "/login/finish", resp, c)
		if w.Code != want {
			t.Errorf("sign-in from %s: %d %s, want %d", origin, w.Code, w.Body, want)
		}
		if want == 400 {
			wantCode(t, w.Code, w.Body.Bytes(), 400, CodeVerificationFailed)
		}
	}
}

// TestWellKnown: the well-known file over HTTP, from Server.WellKnown, Routes.Mount and
// Routes as a handler at the root; a Server without related origins mounts none.
func TestWellKnown(t *testing.T) {
	p := newInproc(t, relatedConfig)
	rt := &Routes{Server: p.srv, Credentials: newCredTable(), CurrentUser: func(*http.Request) (*User, error) { return nil, nil },
		Login: func(http.ResponseWriter, *http.Request, []byte) (string, error) { return "", nil }}
	mux := http.NewServeMux()
	rt.Mount(mux)
	for name, h := range map[string]http.Handler{"WellKnown": p.srv.WellKnown(), "Mount": mux, "Routes": rt} {
		ts := httptest.NewServer(h)
		resp, err := http.Get(ts.URL + WellKnownPath)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ts.Close()
		var body struct{ Origins []string }
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &body) != nil ||
			strings.Join(body.Origins, " ") != "https://example.co.uk https://shop.example-store.de" {
			t.Errorf("%s: %d %q %s", name, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
	w := httptest.NewRecorder()
	p.srv.WellKnown().ServeHTTP(w, httptest.NewRequest(http.MethodPost, WellKnownPath, nil))
	wantCode(t, w.Code, w.Body.Bytes(), 405, CodeMethodNotAllowed)

	plain := newInproc(t, nil)
	rt = &Routes{Server: plain.srv, Credentials: newCredTable(), CurrentUser: func(*http.Request) (*User, error) { return nil, nil },
		Login: func(http.ResponseWriter, *http.Request, []byte) (string, error) { return "", nil }}
	mux = http.NewServeMux()
	rt.Mount(mux)
	for name, h := range map[string]http.Handler{"Mount": mux, "Routes": rt} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, WellKnownPath, nil))
		if w.Code != 404 {
			t.Errorf("%s without related origins: %d", name, w.Code)
		}
	}
}

// TestCheckRelatedOrigins: the deploy check reports a related origin the served file does
// not list, and a file that is not served.
func TestCheckRelatedOrigins(t *testing.T) {
	cfg := Config{Logger: slog.New(slog.DiscardHandler)}
	relatedConfig(&cfg)
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(h http.Handler) []string {
		var out []string
		for _, f := range Check(s, CheckOptions{Handler: h}) {
			if strings.Contains(f.ID, "related") || strings.Contains(f.ID, "well_known") {
				out = append(out, f.ID+" "+f.Message)
			}
		}
		return out
	}
	if got := ids(s.WellKnown()); len(got) != 0 {
		t.Errorf("served file: %v", got)
	}
	stale := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"origins":["https://example.co.uk"]}`)
	})
	if got := ids(stale); len(got) != 1 || !strings.Contains(got[0], "passkeys.related_origin_unlisted") || !strings.Contains(got[0], "shop.example-store.de") {
		t.Errorf("stale file: %v", got)
	}
	if got := ids(http.NotFoundHandler()); len(got) != 1 || !strings.Contains(got[0], "passkeys.well_known_missing") {
		t.Errorf("no file: %v", got)
	}
}

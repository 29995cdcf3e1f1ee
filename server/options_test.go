package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chirpkit/passkeys/internal/softauth"
)

// beginJSON runs a begin verb and decodes its options.
func beginJSON(t *testing.T, run func(w http.ResponseWriter, r *http.Request) error) (int, map[string]any) {
	t.Helper()
	w := httptest.NewRecorder()
	_ = run(w, httptestRequest(http.MethodPost, "/begin", ""))
	var o map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &o)
	return w.Code, o
}

// TestOptionsHintsPRFCredProps: hints and the PRF extension reach the options the browser
// gets; every registration asks for credProps; a hint outside the spec's three, or PRF
// without a first salt, is the app's error (500).
func TestOptionsHintsPRFCredProps(t *testing.T) {
	srv, _, _ := limitedServer(t, ClientLimit{Off: true})
	user := User{ID: []byte{1}, Name: "ada"}
	st, o := beginJSON(t, func(w http.ResponseWriter, r *http.Request) error {
		return srv.BeginRegistration(w, r, user, RegistrationOptions{Hints: []string{"security-key", "hybrid"}, PRF: true})
	})
	ext, _ := o["extensions"].(map[string]any)
	if st != 200 || !equalJSON(o["hints"], []any{"security-key", "hybrid"}) || ext["credProps"] != true || !equalJSON(ext["prf"], map[string]any{}) {
		t.Fatalf("registration options: %d hints %v extensions %v", st, o["hints"], o["extensions"])
	}
	st, o = beginJSON(t, func(w http.ResponseWriter, r *http.Request) error {
		return srv.BeginRegistration(w, r, user, RegistrationOptions{})
	})
	ext, _ = o["extensions"].(map[string]any)
	if st != 200 || o["hints"] != nil || ext["credProps"] != true || ext["prf"] != nil {
		t.Fatalf("plain registration options: %d hints %v extensions %v", st, o["hints"], o["extensions"])
	}

	salt := []byte("a salt of the app, 32 bytes long")
	st, o = beginJSON(t, func(w http.ResponseWriter, r *http.Request) error {
		return srv.BeginAuthentication(w, r, AuthenticationOptions{Hints: []string{"client-device"}, PRF: &PRFSalts{First: salt}})
	})
	want := map[string]any{"prf": map[string]any{"eval": map[string]any{"first": base64.RawURLEncoding.EncodeToString(salt)}}}
	if st != 200 || !equalJSON(o["hints"], []any{"client-device"}) || !equalJSON(o["extensions"], want) {
		t.Fatalf("sign-in options: %d hints %v extensions %v", st, o["hints"], o["extensions"])
	}

	for name, run := range map[string]func(w http.ResponseWriter, r *http.Request) error{
		"registration hint": func(w http.ResponseWriter, r *http.Request) error {
			return srv.BeginRegistration(w, r, user, RegistrationOptions{Hints: []string{"usb"}})
		},
		"sign-in hint": func(w http.ResponseWriter, r *http.Request) error {
			return srv.BeginAuthentication(w, r, AuthenticationOptions{Hints: []string{"Hybrid"}})
		},
		"empty salt": func(w http.ResponseWriter, r *http.Request) error {
			return srv.BeginAuthentication(w, r, AuthenticationOptions{PRF: &PRFSalts{}})
		},
	} {
		if st, _ := beginJSON(t, run); st != 500 {
			t.Errorf("%s: %d, want 500", name, st)
		}
	}
}

// TestRegisteredDiscoverableAndPRF: the credProps and prf outputs of the browser are
// recorded on the RegisteredCredential.
func TestRegisteredDiscoverableAndPRF(t *testing.T) {
	for _, tc := range []struct {
		ext          map[string]any
		discoverable *bool
		prf          bool
	}{
		{map[string]any{}, nil, false},
		{map[string]any{"credProps": map[string]any{"rk": true}, "prf": map[string]any{"enabled": true}}, ptr(true), true},
		{map[string]any{"credProps": map[string]any{"rk": false}, "prf": map[string]any{"enabled": false}}, ptr(false), false},
	} {
		p := newInproc(t, nil)
		opts, c := p.begin(t, func(w http.ResponseWriter, r *http.Request) {
			_ = p.srv.BeginRegistration(w, r, User{ID: alice.ID, Name: alice.Name}, RegistrationOptions{PRF: true})
		}, nil)
		resp, _, err := softauth.New().Create(opts, testOrigin, softauth.Tamper{Extensions: tc.ext})
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		got, err := p.srv.FinishRegistration(w, request("/register/finish", resp, c))
		if err != nil {
			t.Fatalf("%v: %v %s", tc.ext, err, w.Body)
		}
		if (got.Discoverable == nil) != (tc.discoverable == nil) || (got.Discoverable != nil && *got.Discoverable != *tc.discoverable) || got.PRFEnabled != tc.prf {
			t.Errorf("%v: Discoverable %v PRFEnabled %v", tc.ext, got.Discoverable, got.PRFEnabled)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

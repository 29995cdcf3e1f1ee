package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/softauth"
)

// finishCodes are the codes a finish verb may answer (never internal_error: our lookup
// does not fail, and the memory store neither).
var finishCodes = map[string]int{
	CodeBadRequest: 400, CodeUnsupportedMediaType: 415, CodePayloadTooLarge: 413,
	CodeChallengeMissing: 400, CodeChallengeExpired: 400, CodeCeremonyMismatch: 400,
	CodeVerificationFailed: 400, CodeUnknownCredential: 400, CodeUserMismatch: 400,
	CodeSignCountRegressed: 400,
}

// fuzzRig is a browser with pending ceremonies on an in-process app, restored before every
// input so that each iteration sees the same state.
type fuzzRig struct {
	p       *inproc
	store   *MemoryStore
	cookies []*http.Cookie    // the pending ceremonies' cookies
	pending map[string][]byte // store key -> record
	auth    []byte            // options of a pending sign-in
	reg     []byte            // options of a pending registration
	a       *softauth.Authenticator
	cred    *RegisteredCredential
}

func newFuzzRig(tb testing.TB) *fuzzRig {
	tb.Helper()
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	store := NewMemoryStore(MemoryStoreOptions{Clock: clock.Now})
	p := newInproc(tb, func(c *Config) { c.Store = store; c.Clock = clock.Now })
	g := &fuzzRig{p: p, store: store, a: softauth.New(), pending: map[string][]byte{}}
	g.a.Counting = false // the same assertion must verify on every iteration
	_, g.cred = p.register(tb, g.a)
	var challenges []string
	for _, h := range []http.HandlerFunc{p.beginLogin, p.beginLogin, p.beginRegister} {
		opts, c := p.begin(tb, h, nil)
		g.cookies = append(g.cookies, c)
		var o struct {
			Challenge string `json:"challenge"`
		}
		if err := json.Unmarshal(opts, &o); err != nil || o.Challenge == "" {
			tb.Fatalf("options %s: %v", opts, err)
		}
		challenges = append(challenges, o.Challenge)
		if g.auth == nil {
			g.auth = opts
		} else if bytes.Contains(opts, []byte(`"pubKeyCredParams"`)) {
			g.reg = opts
		}
	}
	for i, c := range challenges {
		key := ceremonyKey(g.cookies[i].Value, c)
		v, ok, err := store.Take(context.Background(), key)
		if err != nil || !ok {
			tb.Fatalf("pending ceremony %s not in the store", c)
		}
		g.pending[key] = v
	}
	g.restore(tb)
	return g
}

// restore puts the pending ceremonies back as they were begun, and drops the credentials
// registered since.
func (g *fuzzRig) restore(tb testing.TB) {
	g.p.creds.mu.Lock()
	for id := range g.p.creds.rows {
		if id != string(g.cred.ID) {
			delete(g.p.creds.rows, id) // a registration of an earlier input
		}
	}
	g.p.creds.mu.Unlock()
	for k, v := range g.pending {
		if err := g.store.Put(context.Background(), k, v, time.Hour); err != nil {
			tb.Fatal(err)
		}
	}
}

// checkFailure checks an error answer: a 4xx with a JSON body holding a documented code,
// with the status internal/codes gives it.
func checkFailure(t *testing.T, w *httptest.ResponseRecorder, err error, input []byte) {
	t.Helper()
	var body struct{ Error, Code string }
	if jerr := json.Unmarshal(w.Body.Bytes(), &body); jerr != nil {
		t.Fatalf("error answer is not JSON (%v): %d %q for input %q", jerr, w.Code, w.Body, input)
	}
	want, ok := finishCodes[body.Code]
	if !ok || want != w.Code || w.Code != tableStatus(body.Code) || body.Error == "" {
		t.Fatalf("answer %d %s (err %v) for input %q", w.Code, w.Body, err, input)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
}

// deletesCookie reports whether the answer deletes exactly one cookie (the finished
// ceremony's) and sets no other header.
func deletesCookie(w *httptest.ResponseRecorder) bool {
	cs := w.Result().Cookies()
	return len(w.Header()["Set-Cookie"]) == 1 && len(cs) == 1 && cs[0].MaxAge < 0
}

// notSlow fails an input that took more than two seconds (a verification takes well under
// a millisecond), so that a slow path shows up as a crasher rather than as a stalled run.
func notSlow(t *testing.T, start time.Time, input []byte) {
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("input took %v: %q", d, input)
	}
}

func mutateJSON(tb testing.TB, valid []byte, edit func(m map[string]any, resp map[string]any)) []byte {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(valid, &m); err != nil {
		tb.Fatal(err)
	}
	edit(m, m["response"].(map[string]any))
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// addGenericSeeds adds the inputs that are not valid for any ceremony.
func addGenericSeeds(f *testing.F, valid []byte) {
	for _, s := range []string{"", "null", "[]", "{}", `""`, "0", "1e999999", "-0", `{"id":1e999999}`,
		`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":123456789012345678901234567890123456789}}`,
		`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"!!!not base64!!!","authenticatorData":"====","signature":"*"}}`,
		`{"response":{"clientDataJSON":"eyJ9"}}`, `{"response":null}`, `{"rawId":[],"response":[]}`,
		"{\"id\":\"\xff\xfe\"}", `{"id":"A","id":"B"}`,
	} {
		f.Add([]byte(s))
	}
	for _, n := range []int{1, 10, len(valid) / 2, len(valid) - 2, len(valid) - 1} {
		f.Add(bytes.Clone(valid[:n]))
	}
	f.Add(append(bytes.Clone(valid), " trailing"...))
	f.Add(bytes.Repeat([]byte("["), 10000))
	f.Add(bytes.ReplaceAll(valid, []byte(`"`), []byte(`'`)))
}

func b64s(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func FuzzFinishAuthentication(f *testing.F) {
	g := newFuzzRig(f)
	valid, err := g.a.Get(g.auth, testOrigin, softauth.Tamper{})
	if err != nil {
		f.Fatal(err)
	}
	regValid, _, err := softauth.New().Create(g.reg, testOrigin, softauth.Tamper{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(regValid) // ceremony_mismatch (or bad_request)
	addGenericSeeds(f, valid)
	// The clientDataJSON of a pending ceremony, garbage elsewhere.
	for _, edit := range []func(m, r map[string]any){
		func(_, r map[string]any) { r["authenticatorData"] = b64s("garbage") },
		func(_, r map[string]any) { r["authenticatorData"] = "" },
		func(_, r map[string]any) { r["signature"] = b64s("\x30\x06\x02\x01\x01\x02\x01\x01") },
		func(_, r map[string]any) { r["signature"] = "%%%" },
		func(_, r map[string]any) { r["userHandle"] = b64s("mallory") },
		func(_, r map[string]any) { delete(r, "userHandle") },
		func(m, _ map[string]any) { m["id"], m["rawId"] = b64s("unknown"), b64s("unknown") },
		func(m, _ map[string]any) { m["rawId"] = b64s("other") },
		func(m, _ map[string]any) { m["type"] = "password" },
		func(m, _ map[string]any) { m["clientExtensionResults"] = map[string]any{"appid": true, "x": 1e300} },
		func(m, _ map[string]any) { m["authenticatorAttachment"] = 7 },
	} {
		f.Add(mutateJSON(f, valid, edit))
	}
	for _, t := range []softauth.Tamper{{BogusSig: true}, {Origin: "http://evil.localhost"}, {RPID: "evil"}, {Type: "webauthn.create"}, {Challenge: "x"}, {UserHandle: []byte{}}} {
		b, err := g.a.Get(g.auth, testOrigin, t)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		g.restore(t)
		w := httptest.NewRecorder()
		r := request("/login/finish", body, g.cookies...)
		defer notSlow(t, time.Now(), body)
		a, err := g.p.srv.FinishAuthentication(w, r, g.p.creds.lookup)
		if err == nil {
			if a == nil || !bytes.Equal(a.UserID, alice.ID) || !bytes.Equal(a.CredentialID, g.cred.ID) {
				t.Fatalf("signed in as %+v with %q", a, body)
			}
			if w.Body.Len() != 0 || len(w.Header()) != 1 || !deletesCookie(w) {
				t.Fatalf("success wrote an answer: %d %s", w.Code, w.Body)
			}
			return
		}
		if a != nil {
			t.Fatalf("failure (%v) returned a credential %+v", err, a)
		}
		checkFailure(t, w, err, body)
	})
}

func FuzzFinishRegistration(f *testing.F) {
	g := newFuzzRig(f)
	valid, _, err := softauth.New().Create(g.reg, testOrigin, softauth.Tamper{})
	if err != nil {
		f.Fatal(err)
	}
	authValid, err := g.a.Get(g.auth, testOrigin, softauth.Tamper{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(authValid) // ceremony_mismatch
	addGenericSeeds(f, valid)
	for _, edit := range []func(m, r map[string]any){
		func(_, r map[string]any) { r["attestationObject"] = b64s("garbage") },
		func(_, r map[string]any) { r["attestationObject"] = b64s("\xa3cfmtdnonegattStmt\xa0hauthData\x40") },
		func(_, r map[string]any) { r["attestationObject"] = "!!" },
		func(_, r map[string]any) { r["transports"] = []any{1, nil, "usb", "internal"} },
		func(_, r map[string]any) { delete(r, "attestationObject") },
		func(m, _ map[string]any) { m["id"] = b64s("another") },
		func(m, _ map[string]any) { m["type"] = "" },
		func(m, _ map[string]any) {
			m["clientExtensionResults"] = map[string]any{"credProps": map[string]any{"rk": "yes"}}
		},
	} {
		f.Add(mutateJSON(f, valid, edit))
	}
	for _, t := range []softauth.Tamper{{Origin: "http://evil.localhost"}, {RPID: "evil"}, {Type: "webauthn.get"}, {Challenge: "x"}} {
		b, _, err := softauth.New().Create(g.reg, testOrigin, t)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		g.restore(t)
		before := g.p.creds.len()
		w := httptest.NewRecorder()
		defer notSlow(t, time.Now(), body)
		g.p.finishRegister(w, request("/register/finish", body, g.cookies...))
		if w.Code == http.StatusOK && bytes.Equal(w.Body.Bytes(), []byte("{\"ok\":true}\n")) {
			g.p.creds.mu.Lock()
			defer g.p.creds.mu.Unlock()
			for id, c := range g.p.creds.rows {
				if id == "" || !bytes.Equal(c.UserID, alice.ID) || len(c.PublicKey) == 0 {
					t.Fatalf("registered %+v from %q", c, body)
				}
				if !bytes.Equal(c.ID, g.cred.ID) {
					delete(g.p.creds.rows, id) // keep the table at its starting state
				}
			}
			return
		}
		if g.p.creds.len() != before {
			t.Fatalf("a credential was stored on failure %d %s", w.Code, w.Body)
		}
		checkFailure(t, w, nil, body)
	})
}

// FuzzDecodeRecord feeds the store-value decoder arbitrary bytes: a shared store such as
// Redis may hand back anything. It must not panic, and what it accepts must encode again.
func FuzzDecodeRecord(f *testing.F) {
	g := newFuzzRig(f)
	for _, v := range g.pending {
		f.Add(v)
		f.Add(v[:len(v)/2])
		f.Add(append(bytes.Clone(v), 0))
		w := bytes.Clone(v)
		w[0] = 2
		f.Add(w)
	}
	zero := record{kind: kindAuthentication}
	zb, err := zero.encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(zb)
	f.Add([]byte{})
	f.Add([]byte{recordVersion})
	f.Add(make([]byte, 10))
	f.Add([]byte{recordVersion, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x80})
	f.Add([]byte{recordVersion, 9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodeRecord(b)
		if err != nil {
			if rec != nil {
				t.Fatal("record and error")
			}
			return
		}
		again, err := rec.encode()
		if err != nil {
			t.Fatalf("decoded %q, encode again: %v", b, err)
		}
		if _, err := decodeRecord(again); err != nil {
			t.Fatalf("decoded %q, encoded %q, which does not decode: %v", b, again, err)
		}
	})
}

// TestDecodeRecordBoundsAllocation shows that a store value of a few dozen bytes makes
// decodeRecord allocate memory in proportion to a length it claims, not to its size:
// go-webauthn's generated MessagePack decoder (SessionData.UnmarshalMsg) sizes
// AllowedCredentialIDs ("allow", array32) and Extensions.Extra ("exts"/"extra", map32) from
// the header before reading an element. With lengths near 2^32 one value allocates
// ~100 GB (the map's eagerly, touching the memory), a fatal out-of-memory that no recover
// catches. decodeRecord now refuses an array or map header claiming more elements than bytes
// remain (msgpBounded). The lengths here are small enough to be safe to run even without.
func TestDecodeRecordBoundsAllocation(t *testing.T) {
	head := []byte{recordVersion, byte(kindAuthentication), 0x7f, 0, 0, 0, 0, 0, 0, 0}
	cases := map[string][]byte{
		// {"allow": array32 of 2^22 elements}
		"allow": append(append(bytes.Clone(head), "\x81\xa5allow\xdd"...), 0x00, 0x40, 0x00, 0x00),
		// {"exts": {"extra": map32 of 2^18 entries}}
		"extra": append(append(bytes.Clone(head), "\x81\xa4exts\x81\xa5extra\xdf"...), 0x00, 0x04, 0x00, 0x00),
	}
	for name, b := range cases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := decodeRecord(b)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: a truncated record decoded", name)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("%s: decoding %d bytes allocated %d bytes", name, len(b), alloc)
		}
	}
}

// TestFuzzRigSeedsVerify checks that the fuzz targets' valid seeds reach the success path,
// and that they do so again after restore (the same input, the same outcome).
func TestFuzzRigSeedsVerify(t *testing.T) {
	g := newFuzzRig(t)
	login, err := g.a.Get(g.auth, testOrigin, softauth.Tamper{})
	if err != nil {
		t.Fatal(err)
	}
	reg, _, err := softauth.New().Create(g.reg, testOrigin, softauth.Tamper{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		g.restore(t)
		if w := call(g.p.finishLogin, "/login/finish", login, g.cookies...); w.Code != http.StatusOK {
			t.Fatalf("login %d: %d %s", i, w.Code, w.Body)
		}
		if w := call(g.p.finishRegister, "/register/finish", reg, g.cookies...); w.Code != http.StatusOK {
			t.Fatalf("registration %d: %d %s", i, w.Code, w.Body)
		}
		// Both ceremonies are used up now.
		w := call(g.p.finishLogin, "/login/finish", login, g.cookies...)
		wantCode(t, w.Code, w.Body.Bytes(), http.StatusBadRequest, CodeChallengeMissing)
	}
}

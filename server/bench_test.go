package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/softauth"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// inproc is an app on the verbs called in-process (no network): the handlers are plain
// methods, called with an httptest.ResponseRecorder and a pre-built request, over the
// same credential table as the other rigs.
type inproc struct {
	srv   *Server
	creds *credTable
}

// newInproc returns an app whose Server logs nothing and has mutate applied to its Config.
func newInproc(tb testing.TB, mutate func(*Config)) *inproc {
	tb.Helper()
	// one client address for every request: the per-client limit is off (limit_test.go)
	cfg := Config{RPID: "localhost", Origins: []string{testOrigin}, Logger: slog.New(slog.DiscardHandler), ClientLimit: ClientLimit{Off: true}}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return &inproc{srv: srv, creds: newCredTable()}
}

type okAnswer struct {
	OK   bool   `json:"ok"`
	User string `json:"user,omitempty"`
}

func (p *inproc) beginLogin(w http.ResponseWriter, r *http.Request) {
	_ = p.srv.BeginAuthentication(w, r, AuthenticationOptions{})
}

func (p *inproc) beginRegister(w http.ResponseWriter, r *http.Request) {
	_ = p.srv.BeginRegistration(w, r, alice, RegistrationOptions{})
}

// finishLogin is what an app writes on FinishAuthentication: store the new sign count and
// answer a small JSON.
func (p *inproc) finishLogin(w http.ResponseWriter, r *http.Request) {
	a, err := p.srv.FinishAuthentication(w, r, p.creds.lookup)
	if err != nil {
		return
	}
	if err := p.creds.UpdateCredential(r.Context(), a); err != nil {
		WriteError(w, err)
		return
	}
	_ = WriteJSON(w, okAnswer{OK: true, User: base64.RawURLEncoding.EncodeToString(a.UserID)})
}

func (p *inproc) finishRegister(w http.ResponseWriter, r *http.Request) {
	c, err := p.srv.FinishRegistration(w, r)
	if err != nil {
		return
	}
	if err := p.creds.AddCredential(r.Context(), c.UserID, c); err != nil {
		WriteError(w, err)
		return
	}
	_ = WriteJSON(w, okAnswer{OK: true})
}

// request builds a POST of body (JSON) carrying the binding cookies cs.
func request(path string, body []byte, cs ...*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for _, c := range cs {
		if c != nil {
			r.AddCookie(c)
		}
	}
	return r
}

// call runs handler h on a request and returns the recorder.
func call(h http.HandlerFunc, path string, body []byte, cs ...*http.Cookie) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h(w, request(path, body, cs...))
	return w
}

// bindingCookie returns the ceremony cookie a begin answer set.
func (p *inproc) bindingCookie(tb testing.TB, w *httptest.ResponseRecorder) *http.Cookie {
	tb.Helper()
	for _, c := range w.Result().Cookies() {
		if strings.HasPrefix(c.Name, p.srv.cookiePrefix+"-") && c.MaxAge > 0 {
			return &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	tb.Fatalf("begin set no binding cookie: %d %s", w.Code, w.Body)
	return nil
}

// begin runs a begin handler for the browser with cookie c (nil: a new browser) and
// returns the options and the new ceremony's cookie.
func (p *inproc) begin(tb testing.TB, h http.HandlerFunc, c *http.Cookie) ([]byte, *http.Cookie) {
	tb.Helper()
	w := call(h, "/begin", nil, c)
	if w.Code != http.StatusOK {
		tb.Fatalf("begin: %d %s", w.Code, w.Body)
	}
	return w.Body.Bytes(), p.bindingCookie(tb, w)
}

// register registers a new credential of a through the handlers.
func (p *inproc) register(tb testing.TB, a *softauth.Authenticator) (*http.Cookie, *RegisteredCredential) {
	tb.Helper()
	opts, c := p.begin(tb, p.beginRegister, nil)
	resp, cred, err := a.Create(opts, testOrigin, softauth.Tamper{})
	if err != nil {
		tb.Fatal(err)
	}
	if w := call(p.finishRegister, "/register/finish", resp, c); w.Code != http.StatusOK {
		tb.Fatalf("register finish: %d %s", w.Code, w.Body)
	}
	return c, p.creds.row(cred.ID)
}

// BenchmarkFinishAuthentication compares a sign-in finished through FinishAuthentication
// with the handler one writes by hand on go-webauthn alone. Each iteration finishes a
// fresh ceremony, begun and signed (P-256, ES256) before the timer starts.
func BenchmarkFinishAuthentication(b *testing.B) {
	b.Run("chirp-memory", func(b *testing.B) {
		benchChirpFinish(b, NewMemoryStore(MemoryStoreOptions{Capacity: max(b.N+16, DefaultMemoryStoreCapacity)}))
	})
	b.Run("handwritten", benchHandwrittenFinish)
}

func benchChirpFinish(b *testing.B, store CeremonyStore) {
	p := newInproc(b, func(c *Config) { c.Store = store })
	a := softauth.New()
	p.register(b, a)
	reqs := make([]*http.Request, b.N)
	for i := range reqs {
		opts, c := p.begin(b, p.beginLogin, nil) // one browser per sign-in
		resp, err := a.Get(opts, testOrigin, softauth.Tamper{})
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = request("/login/finish", resp, c)
	}
	timeFinishes(b, reqs, p.finishLogin)
}

type cpuMeter struct {
	b     *testing.B
	start time.Duration
	ok    bool
}

// startCPU resets the timer and starts measuring the process's CPU time, which report
// gives per op as cpu-ns/op (this process only: not redis-server's).
func startCPU(b *testing.B) cpuMeter {
	runtime.GC()
	start, ok := processCPU()
	b.ResetTimer()
	return cpuMeter{b, start, ok}
}

func (m cpuMeter) report() {
	m.b.StopTimer()
	if end, ok := processCPU(); ok && m.ok {
		m.b.ReportMetric(float64(end-m.start)/float64(m.b.N), "cpu-ns/op")
	}
}

// hwApp is the sign-in a user writes by hand with go-webauthn: sessions in a map under a
// mutex keyed by a cookie, users and credentials in a map.
type hwApp struct {
	wa       *webauthn.WebAuthn
	mu       sync.Mutex
	sessions map[string]webauthn.SessionData
	users    map[string]*hwUser // by user handle
}

type hwUser struct {
	id    []byte
	name  string
	creds []webauthn.Credential
}

func (u *hwUser) WebAuthnID() []byte                         { return u.id }
func (u *hwUser) WebAuthnName() string                       { return u.name }
func (u *hwUser) WebAuthnDisplayName() string                { return u.name }
func (u *hwUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

const hwCookie = "session"

func (h *hwApp) beginLogin(w http.ResponseWriter, _ *http.Request) {
	assertion, session, err := h.wa.BeginDiscoverableLogin()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	id := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	h.mu.Lock()
	h.sessions[id] = *session
	h.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: hwCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(assertion.Response)
}

func hwError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (h *hwApp) finishLogin(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(hwCookie)
	if err != nil {
		hwError(w, http.StatusBadRequest, "no session")
		return
	}
	h.mu.Lock()
	session, ok := h.sessions[c.Value]
	delete(h.sessions, c.Value)
	h.mu.Unlock()
	if !ok {
		hwError(w, http.StatusBadRequest, "no session")
		return
	}
	user, cred, err := h.wa.FinishPasskeyLogin(func(rawID, userHandle []byte) (webauthn.User, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		u, ok := h.users[string(userHandle)]
		if !ok {
			return nil, protocol.ErrBadRequest.WithDetails("unknown user")
		}
		return u, nil
	}, session, r)
	if err != nil {
		hwError(w, http.StatusBadRequest, "could not verify")
		return
	}
	if cred.Authenticator.CloneWarning {
		hwError(w, http.StatusBadRequest, "cloned authenticator")
		return
	}
	u := user.(*hwUser)
	h.mu.Lock()
	for i := range u.creds {
		if bytes.Equal(u.creds[i].ID, cred.ID) {
			u.creds[i].Authenticator.SignCount = cred.Authenticator.SignCount
		}
	}
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(okAnswer{OK: true, User: base64.RawURLEncoding.EncodeToString(u.id)})
}

func benchHandwrittenFinish(b *testing.B) {
	// The credential is registered through the verbs, then handed to the hand-written app.
	p := newInproc(b, nil)
	a := softauth.New()
	_, rc := p.register(b, a)
	wa, err := webauthn.New(&webauthn.Config{RPID: "localhost", RPDisplayName: "localhost", RPOrigins: []string{testOrigin}})
	if err != nil {
		b.Fatal(err)
	}
	h := &hwApp{wa: wa, sessions: map[string]webauthn.SessionData{}, users: map[string]*hwUser{
		string(alice.ID): {id: alice.ID, name: alice.Name, creds: []webauthn.Credential{{
			ID: rc.ID, PublicKey: rc.PublicKey, AttestationType: "none",
			Authenticator: webauthn.Authenticator{SignCount: rc.SignCount},
			Flags:         webauthn.CredentialFlags{UserPresent: true, UserVerified: rc.UserVerified, BackupEligible: rc.BackupEligible, BackupState: rc.BackupState},
		}}},
	}}
	reqs := make([]*http.Request, b.N)
	for i := range reqs {
		w := call(h.beginLogin, "/login/begin", nil, nil)
		var c *http.Cookie
		for _, x := range w.Result().Cookies() {
			c = &http.Cookie{Name: x.Name, Value: x.Value}
		}
		resp, err := a.Get(w.Body.Bytes(), testOrigin, softauth.Tamper{})
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = request("/login/finish", resp, c)
	}
	timeFinishes(b, reqs, h.finishLogin)
}

// timeFinishes is the timed part of both finish benchmarks: one prepared request each.
func timeFinishes(b *testing.B, reqs []*http.Request, finish http.HandlerFunc) {
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		finish(w, reqs[i])
		if w.Code != http.StatusOK {
			b.Fatalf("finish %d: %d %s", i, w.Code, w.Body)
		}
	}
	cpu.report()
}

// ceremonyMemory begins n ceremonies of one kind, each from a new browser, into a fresh
// MemoryStore and returns the heap they hold, per ceremony. When b is not nil, only its
// first b.N begins are timed.
func ceremonyMemory(tb testing.TB, b *testing.B, kind ceremonyKind, n int) float64 {
	tb.Helper()
	store := NewMemoryStore(MemoryStoreOptions{Capacity: n + 1})
	p := newInproc(tb, func(c *Config) { c.Store = store })
	h := p.beginLogin
	if kind == kindRegistration {
		h = p.beginRegister
	}
	r := httptest.NewRequest(http.MethodPost, "/begin", nil)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	if b != nil {
		b.ResetTimer()
	}
	for i := range n {
		if b != nil && i == b.N {
			b.StopTimer()
		}
		w := httptest.NewRecorder()
		h(w, r)
		if w.Code != http.StatusOK {
			tb.Fatalf("begin %d: %d %s", i, w.Code, w.Body)
		}
	}
	if b != nil {
		b.StopTimer()
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if store.Len() != n {
		tb.Fatalf("store holds %d ceremonies, want %d", store.Len(), n)
	}
	runtime.KeepAlive(store)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

const ceremonyBudget = 1024 // bytes of heap per pending ceremony in a MemoryStore

// BenchmarkCeremonyMemory reports the heap a pending ceremony holds in a MemoryStore
// (B/ceremony) and the cost of a begin (ns/op).
func BenchmarkCeremonyMemory(b *testing.B) {
	for _, kind := range []ceremonyKind{kindAuthentication, kindRegistration} {
		b.Run(kind.String(), func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(ceremonyMemory(b, b, kind, max(b.N, 10_000)), "B/ceremony")
		})
	}
}

func TestCeremonyMemoryBudget(t *testing.T) {
	for _, kind := range []ceremonyKind{kindAuthentication, kindRegistration} {
		perCeremony := ceremonyMemory(t, nil, kind, 10_000)
		t.Logf("%s: %.0f B per pending ceremony", kind, perCeremony)
		if perCeremony > ceremonyBudget {
			t.Errorf("%s: a pending ceremony holds %.0f B of heap, over the budget of %d B", kind, perCeremony, ceremonyBudget)
		}
	}
}

// TestBeginFloodIsBounded begins a million sign-ins, each from a new browser, against the
// default MemoryStore: it fills to its capacity, then answers 503 store_unavailable, and
// the heap stays bounded by the capacity. It takes about 8 s of CPU (more wall time on a
// busy machine) and is skipped in -short mode.
func TestBeginFloodIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("a million begins: skipped in -short mode")
	}
	const floods = 1_000_000
	store := NewMemoryStore(MemoryStoreOptions{})
	p := newInproc(t, func(c *Config) { c.Store = store })
	r := httptest.NewRequest(http.MethodPost, "/login/begin", nil)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	cpuStart, _ := processCPU()
	var ok, full int
	unavailable := []byte(`"code":"store_unavailable"`)
	w := &resettableWriter{h: http.Header{}}
	for i := range floods {
		w.reset()
		p.beginLogin(w, r)
		switch {
		case w.code == http.StatusOK:
			ok++
		case w.code == http.StatusServiceUnavailable && bytes.Contains(w.body.Bytes(), unavailable) && w.h.Get("Retry-After") != "":
			full++
		default:
			t.Fatalf("begin %d: %d %s", i, w.code, w.body.Bytes())
		}
	}
	elapsed := time.Since(start)
	cpuEnd, _ := processCPU()
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d begins in %v (CPU %v): %d stored, %d answered 503; store Len %d; heap %+.1f MiB (%.0f B per stored ceremony); HeapSys %.1f MiB",
		floods, elapsed.Round(time.Millisecond), (cpuEnd - cpuStart).Round(time.Millisecond), ok, full, store.Len(), float64(heap)/(1<<20), float64(heap)/float64(ok), float64(after.HeapSys)/(1<<20))
	if ok != DefaultMemoryStoreCapacity || full != floods-DefaultMemoryStoreCapacity || store.Len() != DefaultMemoryStoreCapacity {
		t.Errorf("stored %d, refused %d, Len %d: want %d stored and the rest refused", ok, full, store.Len(), DefaultMemoryStoreCapacity)
	}
	if limit := int64(DefaultMemoryStoreCapacity*ceremonyBudget + 16<<20); heap > limit {
		t.Errorf("heap grew by %d B after the flood, over %d B", heap, limit)
	}
	runtime.KeepAlive(store)
}

// resettableWriter is a ResponseWriter reused across calls, to keep the flood cheap.
type resettableWriter struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (w *resettableWriter) reset()              { clear(w.h); w.code = 0; w.body.Reset() }
func (w *resettableWriter) Header() http.Header { return w.h }
func (w *resettableWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *resettableWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.body.Write(b)
}

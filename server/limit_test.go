package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// limitedServer is a Server with the per-client limit l, a memory store and a fake clock.
func limitedServer(t *testing.T, l ClientLimit) (*Server, *MemoryStore, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	store := NewMemoryStore(MemoryStoreOptions{Clock: clock.Now})
	srv, err := New(Config{RPID: "localhost", Origins: []string{testOrigin}, Clock: clock.Now, Store: store,
		ClientLimit: l, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return srv, store, clock
}

// beginFrom begins a sign-in (or a registration) from the client at addr.
func beginFrom(srv *Server, addr string, register bool) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	r := httptestRequest(http.MethodPost, "/login/begin", "")
	r.RemoteAddr = addr
	if register {
		_ = srv.BeginRegistration(w, r, User{ID: []byte{1}, Name: "a"}, RegistrationOptions{})
	} else {
		_ = srv.BeginAuthentication(w, r, AuthenticationOptions{})
	}
	return w
}

// TestClientLimit: a client gets Burst begins, then 429 rate_limited with Retry-After and
// nothing stored; the bucket refills at Rate; another client is not affected; both verbs
// draw from the one bucket.
func TestClientLimit(t *testing.T) {
	srv, store, clock := limitedServer(t, ClientLimit{Rate: 0.5, Burst: 3})
	for i := range 3 {
		if w := beginFrom(srv, "203.0.113.7:4000", i == 1); w.Code != 200 {
			t.Fatalf("begin %d: %d %s", i, w.Code, w.Body)
		}
	}
	for _, register := range []bool{false, true} {
		w := beginFrom(srv, "203.0.113.7:4001", register)
		wantCode(t, w.Code, w.Body.Bytes(), http.StatusTooManyRequests, CodeRateLimited)
		if got := w.Header().Get("Retry-After"); got != "2" {
			t.Errorf("Retry-After %q, want 2 (one token at 0.5/s)", got)
		}
		if len(w.Result().Cookies()) != 0 {
			t.Errorf("a refused begin set cookies: %v", w.Result().Cookies())
		}
	}
	if n := store.Len(); n != 3 {
		t.Fatalf("%d ceremonies stored, want the 3 admitted", n)
	}
	if w := beginFrom(srv, "198.51.100.1:4000", false); w.Code != 200 {
		t.Fatalf("another client: %d %s", w.Code, w.Body)
	}
	clock.Add(1900 * time.Millisecond)
	if w := beginFrom(srv, "203.0.113.7:4000", false); w.Code != 429 || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("after 1.9 s: %d, Retry-After %q; want 429 and 1", w.Code, w.Header().Get("Retry-After"))
	}
	clock.Add(100 * time.Millisecond)
	if w := beginFrom(srv, "203.0.113.7:4000", false); w.Code != 200 {
		t.Fatalf("after 2 s: %d %s", w.Code, w.Body)
	}
}

// TestFloodFromOneClient: a flood of concurrent begins from one client stores at most its
// burst, and a begin from another client still succeeds (without the limit, 100,010 begins
// from one client filled the store and everyone got 503).
func TestFloodFromOneClient(t *testing.T) {
	srv, store, _ := limitedServer(t, ClientLimit{})
	var ok, limited atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				switch w := beginFrom(srv, fmt.Sprintf("[2001:db8:1:2:%x::1]:443", g*1000+i), false); w.Code {
				case 200:
					ok.Add(1)
				case 429:
					limited.Add(1)
				default:
					t.Errorf("flood: %d %s", w.Code, w.Body)
				}
			}
		})
	}
	wg.Wait()
	if ok.Load() > defaultClientBurst+1 || limited.Load() < 4000-defaultClientBurst-1 || int64(store.Len()) != ok.Load() {
		t.Fatalf("flood of 4000 from one /64: %d admitted, %d limited, %d stored", ok.Load(), limited.Load(), store.Len())
	}
	if w := beginFrom(srv, "[2001:db8:1:3::1]:443", false); w.Code != 200 {
		t.Fatalf("a begin from another client after the flood: %d %s", w.Code, w.Body)
	}
}

// TestClientTableBounded: the table of clients keeps at most Clients entries, forgetting
// the least recently seen.
func TestClientTableBounded(t *testing.T) {
	srv, _, _ := limitedServer(t, ClientLimit{Burst: 1, Clients: 100})
	for i := range 1000 {
		beginFrom(srv, fmt.Sprintf("10.0.%d.%d:1", i/256, i%256), false)
	}
	srv.limit.mu.Lock()
	n, m := srv.limit.order.Len(), len(srv.limit.clients)
	srv.limit.mu.Unlock()
	if n != 100 || m != 100 {
		t.Fatalf("table holds %d (map %d), want 100", n, m)
	}
	// The most recent client is remembered (its bucket is empty), the first forgotten.
	if w := beginFrom(srv, "10.0.3.231:1", false); w.Code != 429 {
		t.Fatalf("most recent client: %d", w.Code)
	}
	if w := beginFrom(srv, "10.0.0.0:1", false); w.Code != 200 {
		t.Fatalf("forgotten client: %d", w.Code)
	}
}

// TestClientLimitKeyAndOff: a custom Key decides who is who; Off admits everything.
func TestClientLimitKeyAndOff(t *testing.T) {
	srv, _, _ := limitedServer(t, ClientLimit{Burst: 1, Key: func(r *http.Request) string { return r.Header.Get("X-Client") }})
	begin := func(client string) int {
		w := httptest.NewRecorder()
		r := httptestRequest(http.MethodPost, "/login/begin", "")
		r.Header.Set("X-Client", client)
		_ = srv.BeginAuthentication(w, r, AuthenticationOptions{})
		return w.Code
	}
	if a, a2, b := begin("a"), begin("a"), begin("b"); a != 200 || a2 != 429 || b != 200 {
		t.Fatalf("keyed by header: a %d, a again %d, b %d", a, a2, b)
	}
	srv, _, _ = limitedServer(t, ClientLimit{Off: true, Burst: 1})
	if srv.limit != nil {
		t.Fatal("Off: a limiter was made")
	}
	for i := range 100 {
		if w := beginFrom(srv, "192.0.2.1:1", false); w.Code != 200 {
			t.Fatalf("Off, begin %d: %d", i, w.Code)
		}
	}
}

func TestClientAddr(t *testing.T) {
	for _, tc := range []struct{ remote, want string }{
		{"192.0.2.1:1234", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:1234", "192.0.2.1"},
		{"[2001:db8:aa:bb:1:2:3:4]:443", "2001:db8:aa:bb::/64"},
		{"[fe80::1%eth0]:443", "fe80::/64"},
		{"192.0.2.1", "192.0.2.1"},
		{"@", "@"},
		{"", ""},
	} {
		if got := ClientAddr(&http.Request{RemoteAddr: tc.remote}); got != tc.want {
			t.Errorf("ClientAddr(%q) = %q, want %q", tc.remote, got, tc.want)
		}
	}
}

func TestClientLimitValidated(t *testing.T) {
	for _, l := range []ClientLimit{{Rate: -1}, {Burst: -1}, {Clients: -1}} {
		if _, err := New(Config{RPID: "localhost", Origins: []string{testOrigin}, ClientLimit: l}); err == nil {
			t.Errorf("%+v accepted", l)
		}
	}
}

// stuckStore never answers, whatever its context says: a frozen Redis behind a client
// that does not honour deadlines.
type stuckStore struct{ release chan struct{} }

func (s stuckStore) Put(context.Context, string, []byte, time.Duration) error {
	<-s.release
	return nil
}

func (s stuckStore) Take(context.Context, string) ([]byte, bool, error) {
	<-s.release
	return nil, false, nil
}

// TestStoreTimeout: a store that does not answer gets a begin answered 503
// store_unavailable after Config.StoreTimeout, not when the store gets round to it.
func TestStoreTimeout(t *testing.T) {
	st := stuckStore{release: make(chan struct{})}
	defer close(st.release)
	srv, err := New(Config{RPID: "localhost", Origins: []string{testOrigin}, Store: st, StoreTimeout: 100 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	w := beginFrom(srv, "192.0.2.1:1", false)
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Fatalf("answered after %v, want about 100ms", d)
	}
	wantCode(t, w.Code, w.Body.Bytes(), http.StatusServiceUnavailable, CodeStoreUnavailable)
	if srv.Config().StoreTimeout != 100*time.Millisecond {
		t.Fatal("StoreTimeout not kept")
	}
	if _, err := New(Config{RPID: "localhost", Origins: []string{testOrigin}, StoreTimeout: -1}); err == nil {
		t.Fatal("a negative StoreTimeout was accepted")
	}
}

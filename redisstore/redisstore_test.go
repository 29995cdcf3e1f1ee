package redisstore_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/redistest"
	"github.com/chirpkit/passkeys/internal/softauth"
	"github.com/chirpkit/passkeys/internal/testapp"
	"github.com/chirpkit/passkeys/redisstore"
	"github.com/chirpkit/passkeys/server"
	"github.com/redis/go-redis/v9"
)

// quietRedis drops go-redis's own log lines (dial failures while the server is stopped
// on purpose); the verbs' answers are what the tests check.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedis{}) }

func newRedis(t *testing.T) (*redistest.Server, *redis.Client, *redisstore.Store) {
	rs := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: rs.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { client.Close() })
	return rs, client, redisstore.New(client, redisstore.Options{Prefix: rs.Prefix})
}

func TestTakeOnceAndTTL(t *testing.T) {
	rs, client, s := newRedis(t)
	ctx := t.Context()
	if err := s.Put(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := s.Take(ctx, "k"); err != nil || !ok || string(v) != "v" {
		t.Fatalf("take: %q %v %v", v, ok, err)
	}
	if _, ok, err := s.Take(ctx, "k"); err != nil || ok {
		t.Fatalf("second take: %v %v", ok, err)
	}
	if n := client.Exists(ctx, "{"+rs.Prefix+"}k").Val(); n != 0 {
		t.Fatalf("key left behind")
	}
	if err := s.Put(ctx, "short", []byte("v"), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if ttl := client.PTTL(ctx, "{"+rs.Prefix+"}short").Val(); ttl <= 0 || ttl > 50*time.Millisecond {
		t.Fatalf("ttl in redis: %v", ttl)
	}
	time.Sleep(80 * time.Millisecond)
	if _, ok, _ := s.Take(ctx, "short"); ok {
		t.Fatal("an expired ceremony was taken")
	}
	if err := s.Put(ctx, "never", []byte("v"), 0); err == nil {
		t.Fatal("a put without a TTL was accepted")
	}
	if n := client.Exists(ctx, "{"+rs.Prefix+"}never").Val(); n != 0 {
		t.Fatal("a refused put stored its key")
	}
}

// TestTakeIsAtomic races many takes of one key: exactly one gets it.
func TestTakeIsAtomic(t *testing.T) {
	_, _, s := newRedis(t)
	for round := range 20 {
		if err := s.Put(t.Context(), "race", []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 16 {
			wg.Go(func() {
				if _, ok, err := s.Take(context.Background(), "race"); err == nil && ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("round %d: %d takes won, want 1", round, wins)
		}
	}
}

// TestThroughTheVerbs runs whole ceremonies on the store, stops Redis mid-test (503
// store_unavailable, no panic, no 500), and recovers when it is back.
func TestThroughTheVerbs(t *testing.T) {
	rs, client, store := newRedis(t)
	srv, err := server.New(testapp.Config(store))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	testapp.Routes(srv, testapp.NewCredentials()).Mount(mux)
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	b := testapp.NewBrowser(app.URL)
	a := softauth.New()
	if _, err := b.Register("/auth/passkey", a); err != nil {
		t.Fatal(err)
	}
	signIn := func(opts []byte) (int, []byte) {
		t.Helper()
		resp, err := a.Get(opts, testapp.Origin, softauth.Tamper{})
		if err != nil {
			t.Fatal(err)
		}
		st, body, err := b.Post("/auth/passkey/login/finish", resp)
		if err != nil {
			t.Fatal(err)
		}
		return st, body
	}
	opts, err := b.Begin("/auth/passkey/login/begin")
	if err != nil {
		t.Fatal(err)
	}
	if st, body := signIn(opts); st != 200 {
		t.Fatalf("sign-in with redis: %d %s", st, body)
	}

	pending, err := b.Begin("/auth/passkey/login/begin") // pending in Redis when it dies
	if err != nil {
		t.Fatal(err)
	}
	rs.RequireOwned(t) // the outage below stops the server
	rs.Stop()
	st, body, err := b.Post("/auth/passkey/login/begin", nil)
	if err != nil || st != 503 || testapp.Code(body) != server.CodeStoreUnavailable {
		t.Fatalf("begin with redis down: %d %s %v", st, body, err)
	}
	if st, body := signIn(pending); st != 503 || testapp.Code(body) != server.CodeStoreUnavailable {
		t.Fatalf("finish with redis down: %d %s", st, body)
	}

	rs.Restart(t)
	deadline := time.Now().Add(5 * time.Second)
	for client.Ping(t.Context()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("redis did not come back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	opts, err = b.Begin("/auth/passkey/login/begin")
	if err != nil {
		t.Fatal(err)
	}
	if st, body := signIn(opts); st != 200 {
		t.Fatalf("after redis came back: %d %s", st, body)
	}
}

// BenchmarkFinishAuthentication times a sign-in finish with the ceremony in Redis over
// loopback (SET at begin, GETDEL at finish); each finish is begun and signed before the
// timer starts.
func BenchmarkFinishAuthentication(b *testing.B) {
	rs := redistest.Start(b)
	client := redis.NewClient(&redis.Options{Addr: rs.Addr})
	b.Cleanup(func() { client.Close() })
	srv, err := server.New(testapp.Config(redisstore.New(client, redisstore.Options{Prefix: rs.Prefix})))
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	testapp.Routes(srv, testapp.NewCredentials()).Mount(mux)
	app := httptest.NewServer(mux)
	b.Cleanup(app.Close)
	a := softauth.New()
	if _, err := testapp.NewBrowser(app.URL).Register("/auth/passkey", a); err != nil {
		b.Fatal(err)
	}
	reqs := make([]*http.Request, b.N)
	for i := range reqs {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/auth/passkey/login/begin", nil))
		resp, err := a.Get(w.Body.Bytes(), testapp.Origin, softauth.Tamper{})
		if err != nil {
			b.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/auth/passkey/login/finish", bytes.NewReader(resp))
		r.Header.Set("Content-Type", "application/json")
		for _, c := range w.Result().Cookies() {
			r.AddCookie(c)
		}
		reqs[i] = r
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, reqs[i])
		if w.Code != http.StatusOK {
			b.Fatalf("finish: %d %s", w.Code, w.Body)
		}
	}
}

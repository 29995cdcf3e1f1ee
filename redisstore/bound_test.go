package redisstore_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/redistest"
	"github.com/chirpkit/passkeys/redisstore"
	"github.com/chirpkit/passkeys/server"
	"github.com/redis/go-redis/v9"
)

func newBounded(t *testing.T, max int) (*redistest.Server, *redis.Client, *redisstore.Store) {
	rs := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: rs.Addr})
	t.Cleanup(func() { client.Close() })
	return rs, client, redisstore.New(client, redisstore.Options{Prefix: rs.Prefix, MaxPending: max})
}

// TestBound: past MaxPending, Put fails with server.ErrStoreFull and stores nothing; a
// Take, or an expiry, makes room again.
func TestBound(t *testing.T) {
	rs, client, s := newBounded(t, 5)
	ctx := t.Context()
	for i := range 5 {
		if err := s.Put(ctx, fmt.Sprint(i), []byte("v"), time.Minute); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	err := s.Put(ctx, "full", []byte("v"), time.Minute)
	if !errors.Is(err, server.ErrStoreFull) {
		t.Fatalf("put past the bound: %v, want ErrStoreFull", err)
	}
	if n := client.Exists(ctx, "{"+rs.Prefix+"}full").Val(); n != 0 {
		t.Fatal("a refused put stored its key")
	}
	if _, ok, err := s.Take(ctx, "0"); !ok || err != nil {
		t.Fatalf("take: %v %v", ok, err)
	}
	if n, _ := s.Len(ctx); n != 4 {
		t.Fatalf("Len after a take = %d, want 4", n)
	}
	if err := s.Put(ctx, "after-take", []byte("v"), 50*time.Millisecond); err != nil {
		t.Fatalf("put after a take: %v", err)
	}
	if err := s.Put(ctx, "full", []byte("v"), time.Minute); !errors.Is(err, server.ErrStoreFull) {
		t.Fatalf("put past the bound again: %v", err)
	}
	time.Sleep(80 * time.Millisecond) // "after-take" expires: its index entry goes at the next put
	if err := s.Put(ctx, "after-expiry", []byte("v"), time.Minute); err != nil {
		t.Fatalf("put after an expiry: %v", err)
	}
	if n, _ := s.Len(ctx); n != 5 {
		t.Fatalf("Len = %d, want 5", n)
	}
}

// TestBoundConcurrent: of 200 concurrent puts into a store bounded at 50, exactly 50 are
// stored.
func TestBoundConcurrent(t *testing.T) {
	_, _, s := newBounded(t, 50)
	var stored, full atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			switch err := s.Put(t.Context(), fmt.Sprint("k", i), []byte("v"), time.Minute); {
			case err == nil:
				stored.Add(1)
			case errors.Is(err, server.ErrStoreFull):
				full.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if stored.Load() != 50 || full.Load() != 150 {
		t.Fatalf("%d stored, %d refused; want 50 and 150", stored.Load(), full.Load())
	}
}

// TestUnbounded: MaxPending < 0 keeps one plain key per ceremony, no index.
func TestUnbounded(t *testing.T) {
	rs, client, s := newBounded(t, -1)
	ctx := t.Context()
	for i := range 20 {
		if err := s.Put(ctx, fmt.Sprint(i), []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	keys := client.Keys(ctx, rs.Prefix+"*").Val()
	if len(keys) != 20 || strings.Contains(strings.Join(keys, ""), "{") {
		t.Fatalf("keys %v", keys)
	}
	if v, ok, err := s.Take(ctx, "3"); string(v) != "v" || !ok || err != nil {
		t.Fatalf("take: %q %v %v", v, ok, err)
	}
	if n, _ := s.Len(ctx); n != 0 {
		t.Fatalf("Len without a bound = %d", n)
	}
}

// TestFloodFromOneClient: with the server's default per-client limit, a flood of begins
// from one client leaves at most its burst in Redis, and a begin from another client
// still succeeds.
func TestFloodFromOneClient(t *testing.T) {
	_, _, store := newBounded(t, 0)
	srv, err := server.New(server.Config{RPID: "localhost", Origins: []string{"http://localhost"}, Store: store,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	begin := func(addr string) int {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/login/begin", nil)
		r.RemoteAddr = addr
		_ = srv.BeginAuthentication(w, r, server.AuthenticationOptions{})
		return w.Code
	}
	var ok, limited atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 250 {
				switch begin("203.0.113.9:5000") {
				case 200:
					ok.Add(1)
				case 429:
					limited.Add(1)
				default:
					t.Error("flood: neither 200 nor 429")
				}
			}
		})
	}
	wg.Wait()
	n, err := store.Len(t.Context())
	if err != nil || ok.Load() > 31 || n != ok.Load() || limited.Load() < 1969 {
		t.Fatalf("flood of 2000: %d admitted, %d limited, %d in Redis (%v)", ok.Load(), limited.Load(), n, err)
	}
	if st := begin("198.51.100.20:5000"); st != 200 {
		t.Fatalf("another client after the flood: %d", st)
	}
}

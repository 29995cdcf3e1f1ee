package server

import (
	"context"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/redistest"
	"github.com/chirpkit/passkeys/internal/softauth"
	"github.com/redis/go-redis/v9"
)

// quietRedis drops go-redis's own log lines (dial failures while the server is stopped
// on purpose); the verbs' answers are what the tests check.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedis{}) }

func newRedis(t *testing.T) (*redistest.Server, *RedisStore) {
	rs := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: rs.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { client.Close() })
	return rs, NewRedisStore(client, RedisStoreOptions{Prefix: "test:"})
}

func TestRedisStoreTakeOnceAndTTL(t *testing.T) {
	_, s := newRedis(t)
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
	if ttl := s.client.TTL(ctx, "test:k").Val(); ttl != -2*time.Nanosecond {
		t.Fatalf("key left behind: ttl %v", ttl)
	}
	if err := s.Put(ctx, "short", []byte("v"), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if ttl := s.client.PTTL(ctx, "test:short").Val(); ttl <= 0 || ttl > 50*time.Millisecond {
		t.Fatalf("ttl in redis: %v", ttl)
	}
	time.Sleep(80 * time.Millisecond)
	if _, ok, _ := s.Take(ctx, "short"); ok {
		t.Fatal("an expired ceremony was taken")
	}
}

// TestRedisStoreThroughTheVerbs runs the loop with Redis, stops Redis mid-test (503
// store_unavailable, no panic), and recovers when it is back.
func TestRedisStoreThroughTheVerbs(t *testing.T) {
	rs, store := newRedis(t)
	g := newRig(t, func(c *Config) { c.Store = store })
	b := g.browser()
	a := softauth.New()
	g.register(b, a)
	resp, _ := a.Get(g.begin(b, "/login/begin"), testOrigin, softauth.Tamper{})
	if st, body := g.post(b, "/login/finish", resp); st != 200 {
		t.Fatalf("login with redis: %d %s", st, body)
	}

	opts := g.begin(b, "/login/begin") // pending in Redis when it dies
	rs.Stop()
	st, body := g.post(b, "/login/begin", nil)
	wantCode(t, st, body, 503, CodeStoreUnavailable)
	resp, _ = a.Get(opts, testOrigin, softauth.Tamper{})
	st, body = g.post(b, "/login/finish", resp)
	wantCode(t, st, body, 503, CodeStoreUnavailable)

	rs.Restart(t)
	waitRedis(t, store)
	resp, _ = a.Get(g.begin(b, "/login/begin"), testOrigin, softauth.Tamper{})
	if st, body := g.post(b, "/login/finish", resp); st != 200 {
		t.Fatalf("after redis came back: %d %s", st, body)
	}
}

func waitRedis(t *testing.T, s *RedisStore) {
	deadline := time.Now().Add(5 * time.Second)
	for s.client.Ping(t.Context()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("redis did not come back")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

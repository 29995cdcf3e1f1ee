// Package redisstore is a [server.CeremonyStore] in Redis, on go-redis v9, for apps that
// run several instances behind a load balancer: a ceremony begun on one instance can be
// finished on another.
//
// Each ceremony is one key: Put is SET with PX (Redis's own expiry, so nothing lingers)
// and Take is GETDEL, atomic in Redis (6.2 or newer): of two finishes racing for one
// challenge, exactly one gets it. When Redis cannot be reached, the verbs answer 503
// store_unavailable, and a finish may be retried once Redis is back. A Redis that does not
// answer at all (frozen) is answered 503 after server.Config.StoreTimeout (2 s); give the
// client ContextTimeoutEnabled: true as well, so that go-redis itself gives up then.
//
// The store is bounded: it holds at most Options.MaxPending ceremonies (100,000 by
// default, some 30 MB), and past that Put fails with server.ErrStoreFull, answered 503
// store_unavailable, so that a flood of begins cannot take Redis's memory from the rest of
// the app. With the per-client limit of the server (server.Config.ClientLimit), one client
// cannot take more than its share of that bound. An index of pending keys by expiry (a
// sorted set) counts them: Put and Take are each one Lua script, atomic in Redis.
//
// The store takes a redis.UniversalClient, so a single node, Sentinel
// (redis.NewFailoverClient) and Cluster (redis.NewClusterClient) all work:
//   - Cluster: a script touches the ceremony's key and the index, so all of this store's
//     keys share one hash tag ({prefix}) and live in one slot, on one node. A ceremony is
//     a few hundred bytes; 100,000 of them fit any node. With MaxPending < 0 (no bound)
//     each ceremony is one key in any slot, with SET PX and GETDEL.
//   - Sentinel, and Cluster failover: replication is asynchronous, so a ceremony begun
//     just before a failover may be lost with the old primary; its finish is answered
//     challenge_missing and the user starts again. A failover can also bring back a
//     ceremony already taken; it is still bound to its browser's cookie, which the
//     finish deleted, and it expires with its TTL.
//   - Give Redis a maxmemory and the volatile-ttl or volatile-lru policy (or
//     allkeys-lru when it holds only caches): a full Redis then drops the ceremonies
//     nearest their expiry rather than refusing writes (a ceremony dropped so is answered
//     challenge_missing; its index entry goes at its expiry). With noeviction, a full
//     Redis refuses begins with 503 store_unavailable. MaxPending keeps this store far
//     below either.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chirpkit/passkeys/server"
	"github.com/redis/go-redis/v9"
)

// DefaultPrefix is put before every key when Options.Prefix is empty.
const DefaultPrefix = "chirp:passkeys:"

// DefaultMaxPending is the number of pending ceremonies a Store holds when
// Options.MaxPending is zero.
const DefaultMaxPending = 100_000

// Options configures New.
type Options struct {
	// Prefix is put before every key, to share a Redis database with other data.
	// Zero means DefaultPrefix.
	Prefix string

	// MaxPending bounds the number of pending ceremonies: past it, Put fails with
	// server.ErrStoreFull (503 store_unavailable). Zero means DefaultMaxPending; a
	// negative value means no bound (one key per ceremony in any Cluster slot).
	MaxPending int
}

// Store is a server.CeremonyStore in Redis. It is safe for concurrent use.
type Store struct {
	client redis.UniversalClient
	prefix string // of every key; with a bound, "{" + Options.Prefix + "}"
	index  string // the sorted set of pending keys by expiry (ms), with a bound
	max    int    // 0: no bound
}

// putScript stores a ceremony unless the store is full. KEYS: index, key. ARGV: value,
// ttl (ms), bound. It drops the index entries that expired, counts the rest, and adds
// the key with its expiry in Redis's own clock. Returns 1 when stored, 0 when full.
var putScript = redis.NewScript(`
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ttl)
redis.call('ZADD', KEYS[1], now + ttl, KEYS[2])
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
`)

// takeScript gets and deletes a ceremony and its index entry. KEYS: index, key.
var takeScript = redis.NewScript(`
local v = redis.call('GETDEL', KEYS[2])
redis.call('ZREM', KEYS[1], KEYS[2])
return v
`)

var _ server.CeremonyStore = (*Store)(nil)

// New returns a store on client, which the caller owns (and closes).
func New(client redis.UniversalClient, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.MaxPending < 0 {
		return &Store{client: client, prefix: opts.Prefix}
	}
	if opts.MaxPending == 0 {
		opts.MaxPending = DefaultMaxPending
	}
	tag := "{" + opts.Prefix + "}"
	return &Store{client: client, prefix: tag, index: tag + "pending", max: opts.MaxPending}
}

// Len returns the number of pending ceremonies in the index (0 without a bound). Expired
// ones still count until the next Put drops them.
func (s *Store) Len(ctx context.Context) (int64, error) {
	if s.max == 0 {
		return 0, nil
	}
	return s.client.ZCard(ctx, s.index).Result()
}

// Put implements server.CeremonyStore: SET key value PX ttl, and the key in the index,
// unless the store holds MaxPending ceremonies.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redisstore: put: ttl %v is not positive", ttl)
	}
	if s.max == 0 {
		if err := s.client.Set(ctx, s.prefix+key, value, ttl).Err(); err != nil {
			return fmt.Errorf("redisstore: put: %w", err)
		}
		return nil
	}
	ms := max(ttl.Milliseconds(), 1)
	stored, err := putScript.Run(ctx, s.client, []string{s.index, s.prefix + key}, value, ms, s.max).Int()
	if err != nil {
		return fmt.Errorf("redisstore: put: %w", err)
	}
	if stored == 0 {
		return fmt.Errorf("redisstore: %w (%d pending ceremonies)", server.ErrStoreFull, s.max)
	}
	return nil
}

// Take implements server.CeremonyStore: GETDEL key, and the key out of the index.
func (s *Store) Take(ctx context.Context, key string) ([]byte, bool, error) {
	var v []byte
	var err error
	if s.max == 0 {
		v, err = s.client.GetDel(ctx, s.prefix+key).Bytes()
	} else {
		var str string
		str, err = takeScript.Run(ctx, s.client, []string{s.index, s.prefix + key}).Text()
		v = []byte(str)
	}
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: take: %w", err)
	}
	return v, true, nil
}

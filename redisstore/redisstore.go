// Package redisstore is a [server.CeremonyStore] in Redis, on go-redis v9, for apps that
// run several instances behind a load balancer: a ceremony begun on one instance can be
// finished on another.
//
// Each ceremony is one key: Put is SET with PX (Redis's own expiry, so nothing lingers)
// and Take is GETDEL, atomic in Redis (6.2 or newer): of two finishes racing for one
// challenge, exactly one gets it. When Redis cannot be reached, the verbs answer 503
// store_unavailable, and a finish may be retried once Redis is back.
//
// The store takes a redis.UniversalClient, so a single node, Sentinel
// (redis.NewFailoverClient) and Cluster (redis.NewClusterClient) all work:
//   - Cluster: every command touches one key, so keys may live in any slot; nothing
//     needs hash tags.
//   - Sentinel, and Cluster failover: replication is asynchronous, so a ceremony begun
//     just before a failover may be lost with the old primary; its finish is answered
//     challenge_missing and the user starts again. A failover can also bring back a
//     ceremony already taken; it is still bound to its browser's cookie, which the
//     finish deleted, and it expires with its TTL.
//   - Give Redis a maxmemory and the volatile-ttl or volatile-lru policy (or
//     allkeys-lru when it holds only caches): a full Redis then drops the oldest
//     ceremonies rather than refusing writes. With noeviction, a full Redis refuses
//     begins with 503 store_unavailable.
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

// Options configures New.
type Options struct {
	// Prefix is put before every key, to share a Redis database with other data.
	// Zero means DefaultPrefix.
	Prefix string
}

// Store is a server.CeremonyStore in Redis. It is safe for concurrent use.
type Store struct {
	client redis.UniversalClient
	prefix string
}

var _ server.CeremonyStore = (*Store)(nil)

// New returns a store on client, which the caller owns (and closes).
func New(client redis.UniversalClient, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	return &Store{client: client, prefix: opts.Prefix}
}

// Put implements server.CeremonyStore: SET key value PX ttl.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redisstore: put: ttl %v is not positive", ttl)
	}
	if err := s.client.Set(ctx, s.prefix+key, value, ttl).Err(); err != nil {
		return fmt.Errorf("redisstore: put: %w", err)
	}
	return nil
}

// Take implements server.CeremonyStore: GETDEL key.
func (s *Store) Take(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := s.client.GetDel(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: take: %w", err)
	}
	return v, true, nil
}

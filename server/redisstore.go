package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisStoreOptions configures NewRedisStore.
type RedisStoreOptions struct {
	// Prefix is put before every key, to share a Redis database with other data.
	// Zero means "chirp:passkeys:".
	Prefix string
}

// RedisStore is a CeremonyStore in Redis, for apps that run several instances behind a
// load balancer: a ceremony begun on one instance can be finished on another. The TTL is
// Redis's own (SET with PX), so nothing lingers, and Take is GETDEL, atomic in Redis
// (6.2 or newer). When Redis cannot be reached, the verbs answer 503 store_unavailable.
type RedisStore struct {
	client redis.UniversalClient
	prefix string
}

// NewRedisStore returns a store on client, which the caller owns (and closes).
func NewRedisStore(client redis.UniversalClient, opts RedisStoreOptions) *RedisStore {
	if opts.Prefix == "" {
		opts.Prefix = "chirp:passkeys:"
	}
	return &RedisStore{client: client, prefix: opts.Prefix}
}

// Put implements CeremonyStore.
func (s *RedisStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.client.Set(ctx, s.prefix+key, value, ttl).Err(); err != nil {
		return fmt.Errorf("passkeys: redis put: %w", err)
	}
	return nil
}

// Take implements CeremonyStore.
func (s *RedisStore) Take(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := s.client.GetDel(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("passkeys: redis take: %w", err)
	}
	return v, true, nil
}

package server

import (
	"context"
	"errors"
	"time"
)

// CeremonyStore keeps pending ceremonies between begin and finish. Keys are opaque,
// unguessable strings; values are small (a few hundred bytes).
//
// Implementations must be safe for concurrent use. Take must be atomic: of two Takes of
// one key racing, at most one gets the value. That is what makes a challenge single-use.
type CeremonyStore interface {
	// Put stores value under key until ttl passes. A store at capacity returns an
	// error wrapping ErrStoreFull.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error

	// Take returns the value under key and deletes it, in one atomic step. found is
	// false when there is no such key or it has expired.
	Take(ctx context.Context, key string) (value []byte, found bool, err error)
}

// ErrStoreFull is returned (wrapped) by CeremonyStore.Put when the store holds as many
// pending ceremonies as it may. The verbs answer it with 503 store_unavailable.
var ErrStoreFull = errors.New("passkeys: ceremony store is full")

package server

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultMemoryStoreCapacity is the number of pending ceremonies a MemoryStore holds when
// MemoryStoreOptions.Capacity is zero.
const DefaultMemoryStoreCapacity = 100_000

// MemoryStoreOptions configures NewMemoryStore.
type MemoryStoreOptions struct {
	// Capacity bounds the number of pending ceremonies. When full, expired ceremonies are
	// dropped first; if none has expired, Put fails with ErrStoreFull and the begin verbs
	// answer 503, so a flood of begins cannot grow memory past this bound.
	// Zero means DefaultMemoryStoreCapacity.
	Capacity int

	// Clock returns the current time. Zero means time.Now.
	Clock func() time.Time
}

// MemoryStore is a CeremonyStore in this process's memory: the default, right for an app
// that runs as one instance. It is safe for concurrent use, expires entries, and is
// bounded. It starts no goroutine: expired entries are dropped as new ones arrive.
type MemoryStore struct {
	mu       sync.Mutex
	entries  map[string]*memEntry
	head     *memEntry // oldest
	tail     *memEntry // newest
	capacity int
	now      func() time.Time
}

// memEntry is one pending ceremony, linked in insertion order so that the oldest
// (first to expire, since the TTL is the same for every ceremony) is dropped first.
type memEntry struct {
	key        string
	value      []byte
	expires    time.Time
	prev, next *memEntry
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryStoreOptions) *MemoryStore {
	if opts.Capacity <= 0 {
		opts.Capacity = DefaultMemoryStoreCapacity
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &MemoryStore{entries: make(map[string]*memEntry), capacity: opts.Capacity, now: opts.Clock}
}

// Put implements CeremonyStore.
func (s *MemoryStore) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.entries[key]; ok {
		s.unlink(old)
	}
	if len(s.entries) >= s.capacity {
		s.dropExpired(now)
		if len(s.entries) >= s.capacity {
			return fmt.Errorf("%w (%d pending ceremonies)", ErrStoreFull, s.capacity)
		}
	}
	e := &memEntry{key: key, value: value, expires: now.Add(ttl), prev: s.tail}
	if s.tail != nil {
		s.tail.next = e
	} else {
		s.head = e
	}
	s.tail = e
	s.entries[key] = e
	return nil
}

// Take implements CeremonyStore.
func (s *MemoryStore) Take(_ context.Context, key string) ([]byte, bool, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if !ok {
		return nil, false, nil
	}
	s.unlink(e)
	if !now.Before(e.expires) {
		return nil, false, nil
	}
	return e.value, true, nil
}

// Len returns the number of entries held, expired or not.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// dropExpired removes expired entries from the oldest end. Callers hold mu.
func (s *MemoryStore) dropExpired(now time.Time) {
	for s.head != nil && !now.Before(s.head.expires) {
		s.unlink(s.head)
	}
}

// unlink removes e from the map and the list. Callers hold mu.
func (s *MemoryStore) unlink(e *memEntry) {
	delete(s.entries, e.key)
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		s.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

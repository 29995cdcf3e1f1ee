// Package throttle is the examples' table of token buckets, for password sign-in
// attempts per client and per username: bounded, and hard to wipe by flooding it.
package throttle

import (
	"sync"
	"time"
)

// Limiter is a table of token buckets, one per key (a client address, a username): each
// holds up to burst tokens and gains one every `every`; an attempt takes one.
//
// The table is bounded: a new key finds room among at most max buckets, after dropping
// those that have refilled (a full bucket says nothing the table has to remember). When
// every bucket still holds a debt, new keys share one overflow bucket instead of pushing
// out a bucket in debt: whoever floods the table with keys throttles only the newcomers,
// and cannot wipe the debt of the key they are guessing at.
type Limiter struct {
	every time.Duration
	burst float64
	max   int

	mu        sync.Mutex
	buckets   map[string]*Bucket
	overflow  Bucket
	lastSweep time.Time
}

// Bucket is one key's bucket, as Take returns it for Give.
type Bucket struct {
	tokens float64
	at     time.Time
}

// New returns a table of at most max buckets of burst tokens, each gaining one every
// every.
func New(burst int, every time.Duration, max int) *Limiter {
	return &Limiter{every: every, burst: float64(burst), max: max, buckets: map[string]*Bucket{},
		overflow: Bucket{tokens: float64(burst)}}
}

// refill brings b up to date at now.
func (l *Limiter) refill(b *Bucket, now time.Time) {
	if b.at.IsZero() {
		b.at = now
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.burst, b.tokens+float64(d)/float64(l.every))
		b.at = now
	}
}

// Take takes a token of key's bucket. It returns the bucket (for Give) or, when the
// bucket is empty, nil and how long until it holds a token again.
func (l *Limiter) Take(key string, now time.Time) (*Bucket, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.max && now.Sub(l.lastSweep) >= l.every {
			// At most one sweep per token interval: a flood of new keys costs O(1) each.
			l.lastSweep = now
			for k, x := range l.buckets {
				if l.refill(x, now); x.tokens >= l.burst {
					delete(l.buckets, k)
				}
			}
		}
		if len(l.buckets) < l.max {
			b = &Bucket{tokens: l.burst, at: now}
			l.buckets[key] = b
		} else {
			b = &l.overflow
		}
	}
	l.refill(b, now)
	if b.tokens < 1 {
		return nil, time.Duration((1 - b.tokens) * float64(l.every))
	}
	b.tokens--
	return b, 0
}

// Give returns a token taken from b (an attempt that turned out not to count).
func (l *Limiter) Give(b *Bucket) {
	if b == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b.tokens = min(l.burst, b.tokens+1)
}

// Len is the number of buckets in the table.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

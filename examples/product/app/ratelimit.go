package app

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// limiter is a table of token buckets, one per key (a client address, a username): each
// holds up to burst tokens and gains one every `every`; an attempt takes one.
//
// The table is bounded: a new key finds room among at most max buckets, after dropping
// those that have refilled (a full bucket says nothing the table has to remember). When
// every bucket still holds a debt, new keys share one overflow bucket instead of pushing
// out a bucket in debt: whoever floods the table with keys throttles only the newcomers,
// and cannot wipe the debt of the key they are guessing at.
type limiter struct {
	every time.Duration
	burst float64
	max   int

	mu        sync.Mutex
	buckets   map[string]*bucket
	overflow  bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(burst int, every time.Duration, max int) *limiter {
	return &limiter{every: every, burst: float64(burst), max: max, buckets: map[string]*bucket{},
		overflow: bucket{tokens: float64(burst)}}
}

// refill brings b up to date at now.
func (l *limiter) refill(b *bucket, now time.Time) {
	if b.at.IsZero() {
		b.at = now
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.burst, b.tokens+float64(d)/float64(l.every))
		b.at = now
	}
}

// take takes a token of key's bucket. It returns the bucket (for give) or, when the
// bucket is empty, nil and how long until it holds a token again.
func (l *limiter) take(key string, now time.Time) (*bucket, time.Duration) {
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
			b = &bucket{tokens: l.burst, at: now}
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

// give returns a token taken from b (an attempt that turned out not to count).
func (l *limiter) give(b *bucket) {
	if b == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b.tokens = min(l.burst, b.tokens+1)
}

// len is the number of buckets in the table.
func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// clientKey is the key of the client that sent r: its IP address, or its /64 for IPv6,
// where one subscriber commonly holds the whole prefix. It is the peer's address: behind
// a reverse proxy every client has the proxy's, and the proxy's forwarded header (from a
// proxy the app trusts) must be used instead.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip4 := ip.To4(); ip4 != nil {
		return ip4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

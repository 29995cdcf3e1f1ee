package server

import (
	"container/list"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ClientLimit bounds how fast one client may begin ceremonies, so that one client cannot
// fill the ceremony store and deny passkeys to everyone else. Each client has a token
// bucket of Burst begins that refills at Rate per second; a begin with an empty bucket is
// answered 429 rate_limited with Retry-After (seconds until a token is back), and nothing
// is stored. So one client holds at most Burst + Rate × ChallengeTTL pending ceremonies
// (330 with the defaults). Finishes are not limited: they only take what a begin stored.
//
// Behind a reverse proxy the remote address is the proxy's, so every user would share one
// bucket: set Key to the client address the proxy reports (and trust that header only
// from the proxy), or limit at the proxy and set Off.
type ClientLimit struct {
	// Rate is how many begins per second a client may make, sustained. Zero means 1.
	Rate float64

	// Burst is how many begins a client may make at once. Zero means 30.
	Burst int

	// Clients bounds the table of clients remembered: past it, the client seen least
	// recently is forgotten (and starts again with a full bucket). Zero means 10,000,
	// about 2 MiB.
	Clients int

	// Key names the client of a request. Zero means ClientAddr: the remote address, with
	// an IPv6 address taken as its /64 (a host usually has a whole /64 to pick from).
	Key func(r *http.Request) string

	// Off turns the limit off, for an app that limits begins elsewhere (a proxy, its own
	// middleware) or a load test.
	Off bool
}

const (
	defaultClientRate    = 1
	defaultClientBurst   = 30
	defaultClientEntries = 10_000
)

// ClientAddr returns the address of the client that sent r, for ClientLimit.Key: the IPv4
// address, or the /64 prefix of an IPv6 address, of r.RemoteAddr. A RemoteAddr that does
// not parse is returned as it is.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

// limiter is the bounded table of per-client token buckets, least recently seen first
// out.
type limiter struct {
	rate    rate.Limit
	burst   int
	max     int
	key     func(*http.Request) string
	mu      sync.Mutex
	clients map[string]*list.Element // of *client
	order   *list.List               // front: most recently seen
}

type client struct {
	key string
	lim *rate.Limiter
}

// newLimiter returns the limiter of l with its defaults filled in, or nil when l is Off.
func newLimiter(l ClientLimit) *limiter {
	if l.Off {
		return nil
	}
	lt := &limiter{rate: rate.Limit(l.Rate), burst: l.Burst, max: l.Clients, key: l.Key,
		clients: make(map[string]*list.Element), order: list.New()}
	if lt.rate == 0 {
		lt.rate = defaultClientRate
	}
	if lt.burst == 0 {
		lt.burst = defaultClientBurst
	}
	if lt.max == 0 {
		lt.max = defaultClientEntries
	}
	if lt.key == nil {
		lt.key = ClientAddr
	}
	return lt
}

// allow takes a token from the bucket of r's client at now. When the bucket is empty it
// returns false and how long until a token is back.
func (lt *limiter) allow(r *http.Request, now time.Time) (bool, time.Duration) {
	key := lt.key(r)
	lt.mu.Lock()
	defer lt.mu.Unlock()
	var c *client
	if e, ok := lt.clients[key]; ok {
		lt.order.MoveToFront(e)
		c = e.Value.(*client)
	} else {
		if lt.order.Len() >= lt.max {
			old := lt.order.Back()
			lt.order.Remove(old)
			delete(lt.clients, old.Value.(*client).key)
		}
		c = &client{key: key, lim: rate.NewLimiter(lt.rate, lt.burst)}
		lt.clients[key] = lt.order.PushFront(c)
	}
	res := c.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// admit answers 429 rate_limited, with Retry-After, when r's client has begun too many
// ceremonies too fast.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) *Error {
	if s.limit == nil {
		return nil
	}
	ok, wait := s.limit.allow(r, s.cfg.Clock())
	if ok {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return newError(CodeRateLimited, "Too many passkey requests from this client; try again shortly.", nil)
}

package injector

import (
	"net/http"
	"sync"
)

// RouterWriter is the response writer of routers, such as gin, that keep their own
// writer in a request context, record the status given to WriteHeader and send the
// headers at the first body write (or at WriteHeaderNow). gin.ResponseWriter has exactly
// this method set, so a RouterWriter is assignable to it and back.
type RouterWriter interface {
	http.ResponseWriter
	http.Hijacker
	http.Flusher
	http.CloseNotifier //nolint:staticcheck // part of gin.ResponseWriter

	// Status returns the status given to WriteHeader so far.
	Status() int
	// Size returns the number of body bytes written.
	Size() int
	// WriteString writes s as body bytes.
	WriteString(s string) (int, error)
	// Written reports whether the headers (or body bytes) were written.
	Written() bool
	// WriteHeaderNow sends the headers at once.
	WriteHeaderNow()
	// Pusher returns the HTTP/2 pusher, if any.
	Pusher() http.Pusher
}

// Adapter is the engine of [Middleware] for adapters to routers whose middleware
// swaps a RouterWriter in a request context (github.com/chirpkit/passkeys/ginpasskeys
// is one). Apps use Middleware or an adapter, not this.
type Adapter struct{ c *config }

// NewAdapter returns an adapter with opts, as Middleware(opts) would use them.
func NewAdapter(opts Options) *Adapter { return &Adapter{c: newConfig(opts)} }

// ServeScript serves the bridge script and reports true when r asks for it (its path
// is Options.Path); otherwise it does nothing and reports false.
func (a *Adapter) ServeScript(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != a.c.path {
		return false
	}
	a.c.serve(w, r)
	return true
}

// Wrap returns the injecting writer over rw for the response to r, and finish, which
// the middleware must call once the handlers have returned (after restoring rw in its
// context, so that the router's own 404/405 bodies go to rw). The writer must not be
// used after finish. When no response to r can be injected (HEAD, an htmx partial) Wrap
// returns rw itself and a finish that does nothing.
func (a *Adapter) Wrap(rw RouterWriter, r *http.Request) (w RouterWriter, finish func()) {
	if !a.c.mayInject(r) {
		return rw, func() {}
	}
	rwr := routerWriterPool.Get().(*routerWriter)
	rwr.reset(rw, r, a.c)
	rwr.gw = rw
	rwr.g = rw
	return rwr, rwr.done
}

// routerWriter is the writer as a RouterWriter.
type routerWriter struct {
	writer
	g RouterWriter
	// done is finishAndPut bound to this writer, made once with it: a closure made
	// by every Wrap would cost an allocation per request.
	done func()
}

var routerWriterPool sync.Pool

func init() {
	// Set here: finishAndPut refers to the pool.
	routerWriterPool.New = func() any {
		w := new(routerWriter)
		w.done = w.finishAndPut
		return w
	}
}

// finishAndPut finishes the response and returns the writer to the pool.
func (w *routerWriter) finishAndPut() {
	w.finish()
	done := w.done
	*w = routerWriter{done: done}
	routerWriterPool.Put(w)
}

var _ RouterWriter = (*routerWriter)(nil)

// Status implements RouterWriter.
func (w *routerWriter) Status() int { return w.g.Status() }

// Size implements RouterWriter: the bytes written to the wrapped writer.
func (w *routerWriter) Size() int { return w.g.Size() }

// Written implements RouterWriter; bytes held back count as written.
func (w *routerWriter) Written() bool { return w.g.Written() || w.nheld > 0 }

// WriteHeaderNow implements RouterWriter.
func (w *routerWriter) WriteHeaderNow() {
	if w.state == stNew {
		w.commit(nil, true)
	}
	w.g.WriteHeaderNow()
}

// Pusher implements RouterWriter.
func (w *routerWriter) Pusher() http.Pusher { return w.g.Pusher() }

// CloseNotify implements http.CloseNotifier for RouterWriter.
//
// Deprecated: use the request's context.
func (w *routerWriter) CloseNotify() <-chan bool { return w.g.CloseNotify() }

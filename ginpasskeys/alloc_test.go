package ginpasskeys_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chirpkit/passkeys/ginpasskeys"
	"github.com/chirpkit/passkeys/injector"
	"github.com/gin-gonic/gin"
)

// discard is a ResponseWriter that drops the body.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }

// ginPage returns an HTML page of about size bytes ending in </body></html>.
func ginPage(size int) []byte {
	const row = `<div class="row"><a href="/items">details</a><p>Some text, with <b>bold</b> words.</p></div>` + "\n"
	return []byte("<!doctype html><html><body>" + strings.Repeat(row, size/len(row)) + "</body></html>\n")
}

// ginApp returns an engine serving h at GET /, with the middleware when mw is true.
func ginApp(mw bool, h gin.HandlerFunc) *gin.Engine {
	e := gin.New()
	if mw {
		e.Use(ginpasskeys.Middleware(injector.Options{}))
	}
	e.GET("/", h)
	return e
}

// TestAllocations: under gin as under net/http, the middleware allocates nothing per
// HTML page (its writer and the function finishing it are pooled).
func TestAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	allocs := func(h http.Handler) float64 {
		r := httptest.NewRequest("GET", "/", nil)
		d := &discard{h: http.Header{}}
		return testing.AllocsPerRun(20, func() { clear(d.h); h.ServeHTTP(d, r) })
	}
	for _, size := range []int{4 << 10, 64 << 10, 1 << 20} {
		p := ginPage(size)
		h := func(c *gin.Context) { c.Data(200, "text/html; charset=utf-8", p) }
		if none, with := allocs(ginApp(false, h)), allocs(ginApp(true, h)); with != none {
			t.Errorf("%d bytes: %v allocations with the middleware, %v without", size, with, none)
		}
	}
	json := func(c *gin.Context) { c.Data(200, "application/json", []byte(`{}`)) }
	// Not HTML: mime.ParseMediaType may allocate on the way, as under net/http
	// (package injector's TestAllocations allows the same).
	if none, with := allocs(ginApp(false, json)), allocs(ginApp(true, json)); with > none+2 {
		t.Errorf("JSON: %v allocations with the middleware, %v without", with, none)
	}
}

// BenchmarkMiddleware is the in-process cost of the gin middleware on a 1 MiB page
// written at once to a writer that discards (ns/KiB reported). Package injector's
// benchmarks measure the injector itself; make bench reports them.
func BenchmarkMiddleware(b *testing.B) {
	p := ginPage(1 << 20)
	h := func(c *gin.Context) { c.Data(200, "text/html; charset=utf-8", p) }
	for _, mw := range []bool{false, true} {
		b.Run(fmt.Sprintf("middleware=%v", mw), func(b *testing.B) {
			e := ginApp(mw, h)
			r := httptest.NewRequest("GET", "/", nil)
			d := &discard{h: http.Header{}}
			b.SetBytes(int64(len(p)))
			b.ReportAllocs()
			for b.Loop() {
				clear(d.h)
				e.ServeHTTP(d, r)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(p)>>10), "ns/KiB")
		})
	}
}

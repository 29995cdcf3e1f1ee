package injector_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chirpkit/passkeys/bridge"
	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/internal/injectortest"
)

// countingRW counts the writes that reach the wrapped writer.
type countingRW struct {
	discard
	writes int
	body   strings.Builder
}

func (c *countingRW) Write(p []byte) (int, error) { c.writes++; c.body.Write(p); return len(p), nil }

func TestNoExtraWrites(t *testing.T) {
	p := benchPage(64 << 10)
	h := injector.Middleware(injector.Options{})(htmlHandler(p))
	c := &countingRW{discard: discard{h: http.Header{}}}
	h.ServeHTTP(c, httptest.NewRequest("GET", "/", nil))
	handlerWrites := (len(p) + 4<<10 - 1) / (4 << 10)
	// One write for each of the handler's, the tag joined to the last one.
	if c.writes != handlerWrites {
		t.Errorf("%d writes for %d handler writes", c.writes, handlerWrites)
	}
	if c.body.String() != injectortest.Injected(string(p), injectortest.DefaultTag) {
		t.Error("wrong body")
	}
}

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
		p := benchPage(size)
		// One allocation: the writer, not pooled (TestWriteAfterReturn).
		none, with := allocs(htmlHandler(p)), allocs(injector.Middleware(injector.Options{})(htmlHandler(p)))
		if with != none+1 {
			t.Errorf("%d bytes: %v allocations with the injector, %v without; want one more", size, with, none)
		}
	}
	json := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	})
	if none, with := allocs(json), allocs(injector.Middleware(injector.Options{})(json)); with > none+2 {
		t.Errorf("JSON: %v allocations with the injector, %v without", with, none)
	}
}

func TestTag(t *testing.T) {
	v, integ := bridge.Version(), bridge.Integrity()
	want := `<script src="/_chirp/passkeys.js?v=` + v + `" integrity="` + integ + `" data-chirp="passkeys" defer></script>`
	if got := string(injector.Tag(injector.Options{}, nil)); got != want {
		t.Errorf("Tag\n got %s\nwant %s", got, want)
	}
	got := string(injector.Tag(injector.Options{Path: "/a&b.js", Nonce: func(*http.Request) string { return "n'1" }}, httptest.NewRequest("GET", "/", nil)))
	if !strings.HasPrefix(got, `<script src="/a&amp;b.js?v=`) || !strings.Contains(got, ` nonce="n&#39;1" data-chirp="passkeys" defer>`) {
		t.Errorf("injector.Tag with path and nonce: %s", got)
	}
	inline := string(injector.Tag(injector.Options{Inline: true}, nil))
	if inline != `<script data-chirp="passkeys">`+string(bridge.Script())+`</script>` {
		t.Errorf("inline: %s", inline)
	}
}

func TestEarlyHintsThenPage(t *testing.T) {
	h := injector.Middleware(injector.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</s.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, injectortest.Page)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || string(b) != injectortest.Injected(injectortest.Page, injectortest.DefaultTag) {
		t.Errorf("%d %q", res.StatusCode, b)
	}
}

func TestSniffThroughReadFrom(t *testing.T) {
	h := injector.Middleware(injector.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(w, strings.NewReader(injectortest.Page)) // no Content-Type: sniffed
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Body.String() != injectortest.Injected(injectortest.Page, injectortest.DefaultTag) || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("%v %q", rec.Header(), rec.Body.String())
	}
}

func TestStackedOnce(t *testing.T) {
	h := injector.Middleware(injector.Options{})(injector.Middleware(injector.Options{Inline: true})(htmlHandler([]byte(injectortest.Page))))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if n := strings.Count(rec.Body.String(), injector.Marker); n != 1 {
		t.Errorf("%d tags: %q", n, rec.Body.String())
	}
}

func TestInlineNonce(t *testing.T) {
	got := string(injector.Tag(injector.Options{Inline: true, Nonce: func(*http.Request) string { return "abc" }}, httptest.NewRequest("GET", "/", nil)))
	want := `<script nonce="abc" data-chirp="passkeys">` + string(bridge.Script()) + `</script>`
	if got != want {
		t.Errorf("got %s", got)
	}
}

// TestWriteAfterReturn: a router that writes through the writer after the wrapped handler
// returned (echo.WrapMiddleware writes a handler's error so) reaches its own response,
// passed through, and never another request's: the writer is not reused.
func TestWriteAfterReturn(t *testing.T) {
	var kept []http.ResponseWriter
	mw := injector.Middleware(injector.Options{})
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kept = append(kept, w) // the router keeps it, as echo's Response does
	}))
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest("GET", "/", nil))
	second := httptest.NewRecorder()
	h.ServeHTTP(second, httptest.NewRequest("GET", "/", nil))
	if kept[0] == kept[1] {
		t.Fatal("two requests got the same writer")
	}
	// The router now answers the first request's error, after the middleware returned.
	kept[0].Header().Set("Content-Type", "text/html; charset=utf-8")
	kept[0].WriteHeader(http.StatusNotFound)
	fmt.Fprint(kept[0], "<html><body>Not Found</body></html>")
	if first.Code != http.StatusNotFound || first.Body.String() != "<html><body>Not Found</body></html>" {
		t.Fatalf("late write: %d %q", first.Code, first.Body)
	}
	if second.Body.Len() != 0 {
		t.Fatalf("the late write reached another request: %q", second.Body)
	}
}

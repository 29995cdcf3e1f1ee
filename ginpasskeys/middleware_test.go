package ginpasskeys_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chirpkit/passkeys/bridge"
	"github.com/chirpkit/passkeys/ginpasskeys"
	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/internal/injectortest"
	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// engine returns a gin engine with the middleware (opts) on it and h at GET path.
func engine(opts injector.Options, path string, h http.Handler) *gin.Engine {
	e := gin.New()
	e.Use(ginpasskeys.Middleware(opts))
	if h != nil {
		e.GET(path, gin.WrapH(h))
	}
	return e
}

// TestMiddlewareTable runs the injector's table of response shapes through the gin
// middleware (package injector runs it through the net/http one), but the cases of
// net/http semantics that gin does not share.
func TestMiddlewareTable(t *testing.T) {
	injectortest.Table(t, false, func(tc injectortest.Case) http.Handler {
		e := gin.New()
		e.Use(ginpasskeys.Middleware(tc.Opts))
		e.Handle(tc.Request().Method, "/page", func(c *gin.Context) { tc.Handler(c.Writer, c.Request) })
		return e
	})
}

// TestNotFound: gin's own 404 body goes to the original writer, untouched.
func TestNotFound(t *testing.T) {
	e := engine(injector.Options{}, "/x", http.NotFoundHandler())
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/nope", nil))
	if rec.Code != 404 || rec.Body.String() != "404 page not found" {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}

func TestServesScript(t *testing.T) {
	e := engine(injector.Options{}, "/", http.NotFoundHandler())
	for _, tc := range []struct {
		method, accept string
		code           int
		body           []byte
	}{
		{"GET", "", 200, bridge.Script()},
		{"GET", "gzip", 200, bridge.ScriptGzip()},
		{"HEAD", "", 200, nil},
		{"POST", "", 405, []byte("405 method not allowed\n")},
	} {
		r := httptest.NewRequest(tc.method, injector.DefaultPath+"?v="+bridge.Version(), nil)
		if tc.accept != "" {
			r.Header.Set("Accept-Encoding", tc.accept)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, r)
		if rec.Code != tc.code || rec.Body.String() != string(tc.body) {
			t.Errorf("%s %s: %d %q", tc.method, tc.accept, rec.Code, rec.Body.String())
		}
	}
	r := httptest.NewRequest("GET", injector.DefaultPath, nil)
	r.Header.Set("If-None-Match", `"`+bridge.Version()+`"`)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, r)
	if rec.Code != 304 {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
}

// TestWriterRules: gin's NoRoute, 405, WriteHeaderNow, Status and Written under the
// injecting writer.
func TestWriterRules(t *testing.T) {
	page, tag := injectortest.Page, injectortest.DefaultTag
	t.Run("NoRoute html 404", func(t *testing.T) {
		e := gin.New()
		e.Use(ginpasskeys.Middleware(injector.Options{Statuses: []int{200, 404}}))
		e.NoRoute(func(c *gin.Context) { c.Data(404, "text/html; charset=utf-8", []byte(page)) })
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/missing", nil))
		if rec.Code != 404 || rec.Body.String() != injectortest.Injected(page, tag) {
			t.Errorf("%d %q", rec.Code, rec.Body.String())
		}
	})
	t.Run("405 text", func(t *testing.T) {
		e := gin.New()
		e.HandleMethodNotAllowed = true
		e.Use(ginpasskeys.Middleware(injector.Options{}))
		e.POST("/p", func(c *gin.Context) {})
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/p", nil))
		if rec.Code != 405 || rec.Body.String() != "405 method not allowed" {
			t.Errorf("%d %q", rec.Code, rec.Body.String())
		}
	})
	t.Run("WriteHeaderNow then write", func(t *testing.T) {
		e := gin.New()
		e.Use(ginpasskeys.Middleware(injector.Options{}))
		e.GET("/", func(c *gin.Context) {
			c.Header("Content-Type", "text/html")
			c.Status(200)
			c.Writer.WriteHeaderNow()
			c.Writer.WriteString(page)
		})
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Body.String() != injectortest.Injected(page, tag) {
			t.Errorf("%q", rec.Body.String())
		}
	})
	t.Run("status only", func(t *testing.T) {
		e := gin.New()
		e.Use(ginpasskeys.Middleware(injector.Options{}))
		e.GET("/", func(c *gin.Context) { c.Status(201) })
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != 201 || rec.Body.Len() != 0 {
			t.Errorf("%d %q", rec.Code, rec.Body.String())
		}
	})
	t.Run("held bytes count as written", func(t *testing.T) {
		e := gin.New()
		e.Use(ginpasskeys.Middleware(injector.Options{}))
		e.GET("/", func(c *gin.Context) {
			c.Header("Content-Type", "text/html")
			c.Writer.WriteString("</bo")
			if !c.Writer.Written() {
				t.Error("Written() false after a write")
			}
		})
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Body.String() != "</bo" {
			t.Errorf("%q", rec.Body.String())
		}
	})
}

// TestStreamedFlush: flushed bytes, held ones included, reach the client at once
// through gin's writer.
func TestStreamedFlush(t *testing.T) {
	injectortest.StreamedFlush(t, func(h http.Handler) http.Handler {
		return engine(injector.Options{}, "/", h)
	})
}

// TestFileServer runs the injector around http.FileServerFS as gin's NoRoute handler.
func TestFileServer(t *testing.T) {
	injectortest.FileServer(t, func(fs http.Handler) http.Handler {
		e := engine(injector.Options{}, "", nil)
		e.NoRoute(gin.WrapH(fs))
		return e
	})
}

// FuzzMiddleware fuzzes pages written in pieces through the gin middleware, with the
// oracle and seeds of package injector's FuzzInject.
func FuzzMiddleware(f *testing.F) {
	injectortest.Fuzz(f, func(h http.Handler) http.Handler {
		return engine(injector.Options{}, "/", h)
	})
}

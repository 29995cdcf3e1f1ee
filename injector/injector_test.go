package injector

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chirpkit/passkeys/bridge"
	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.ReleaseMode) }

var defaultTag = string(newConfig(Options{}).tag)

const page = "<!doctype html><html><head><title>t</title></head><body><p>hello</p></body></html>\n"

func injected(s, tag string) string {
	i := strings.Index(strings.ToLower(s), "</body")
	return s[:i] + tag + s[i:]
}

// tcase is one response shape, run through both the net/http and the gin
// middleware.
type tcase struct {
	name    string
	method  string
	reqHdr  map[string]string
	opts    Options
	handler func(w http.ResponseWriter, r *http.Request)
	status  int
	body    string            // expected body
	hdr     map[string]string // expected response headers ("" = absent)
	stdOnly bool              // net/http semantics that gin does not share
}

func htmlH(status int, body string, hdr ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func cases() []tcase {
	json := `{"a":"</body>"}`
	return []tcase{
		{name: "html", handler: htmlH(200, page), status: 200, body: injected(page, defaultTag)},
		{name: "upper BODY", handler: htmlH(200, strings.ToUpper(page)), status: 200,
			body: injected(strings.ToUpper(page), defaultTag)},
		{name: "mixed case", handler: htmlH(200, "<html><body>x</BoDy>"), status: 200,
			body: "<html><body>x" + defaultTag + "</BoDy>"},
		{name: "no body tag", handler: htmlH(200, "<p>hi</p>"), status: 200, body: "<p>hi</p>"},
		{name: "content-length etag accept-ranges dropped",
			handler: htmlH(200, page, "Content-Length", "84", "ETag", `"x"`, "Accept-Ranges", "bytes"),
			status:  200, body: injected(page, defaultTag),
			hdr: map[string]string{"Content-Length": "", "Etag": "", "Accept-Ranges": ""}},
		{name: "sniffed html", handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, page) },
			status: 200, body: injected(page, defaultTag),
			hdr: map[string]string{"Content-Type": "text/html; charset=utf-8"}},
		{name: "sniffed text", handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "plain </body>") },
			status: 200, body: "plain </body>"},
		{name: "json", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, json)
		}, status: 200, body: json},
		{name: "404 not injected by default", handler: htmlH(404, page), status: 404, body: page},
		{name: "404 injected when allowed", opts: Options{Statuses: []int{200, 404}},
			handler: htmlH(404, page), status: 404, body: injected(page, defaultTag)},
		{name: "head", method: "HEAD", handler: htmlH(200, "", "Content-Length", "84"), status: 200, body: "",
			hdr: map[string]string{"Content-Length": "84"}},
		{name: "204", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(204)
		}, opts: Options{Statuses: []int{200, 204}}, status: 204, body: ""},
		{name: "304", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("ETag", `"e"`)
			w.WriteHeader(304)
		}, opts: Options{Statuses: []int{200, 304}}, status: 304, body: "", hdr: map[string]string{"Etag": `"e"`}},
		{name: "206", handler: htmlH(206, page[:20], "Content-Range", "bytes 0-19/84"),
			opts: Options{Statuses: []int{200, 206}}, status: 206, body: page[:20]},
		{name: "content-encoding", handler: htmlH(200, page, "Content-Encoding", "identity-ish"), status: 200, body: page},
		{name: "marker present", handler: htmlH(200, injected(page, `<script data-chirp="passkeys" src="/x.js"></script>`)),
			status: 200, body: injected(page, `<script data-chirp="passkeys" src="/x.js"></script>`)},
		{name: "htmx partial", reqHdr: map[string]string{"HX-Request": "true"}, handler: htmlH(200, page), status: 200, body: page},
		{name: "htmx boosted", reqHdr: map[string]string{"HX-Request": "true", "HX-Boosted": "true"},
			handler: htmlH(200, page), status: 200, body: injected(page, defaultTag)},
		{name: "htmx partial allowed", opts: Options{InjectHTMXPartials: true}, reqHdr: map[string]string{"HX-Request": "true"},
			handler: htmlH(200, page), status: 200, body: injected(page, defaultTag)},
		{name: "nonce escaped", opts: Options{Nonce: func(*http.Request) string { return `a"b<` }},
			handler: htmlH(200, page), status: 200,
			body: injected(page, strings.Replace(defaultTag, ` data-chirp`, ` nonce="a&#34;b&lt;" data-chirp`, 1))},
		{name: "inline", opts: Options{Inline: true}, handler: htmlH(200, page), status: 200,
			body: injected(page, `<script data-chirp="passkeys">`+string(bridge.Script())+`</script>`)},
		{name: "only first body", handler: htmlH(200, "<body>a</body>b</body>"), status: 200,
			body: "<body>a" + defaultTag + "</body>b</body>"},
		{name: "split writes", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for _, s := range []string{"<body>x<", "/", "bo", "DY", ">", "</html>"} {
				io.WriteString(w, s)
			}
		}, status: 200, body: "<body>x" + defaultTag + "</boDY></html>"},
		{name: "sniffing suppressed", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			io.WriteString(w, page)
		}, status: 200, body: page},
		{name: "xhtml is not text/html", handler: htmlH(200, page, "Content-Type", "application/xhtml+xml"),
			status: 200, body: page},
		{name: "content-type with params", handler: htmlH(200, page, "Content-Type", "Text/HTML ; charset=utf-8"),
			status: 200, body: injected(page, defaultTag)},
		{name: "status then sniffed body", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			io.WriteString(w, page)
		}, status: 200, body: injected(page, defaultTag)},
		{name: "second WriteHeader ignored while sniffing", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			w.WriteHeader(500)
			io.WriteString(w, page)
		}, status: 200, body: injected(page, defaultTag), stdOnly: true}, // gin: the last status wins
		{name: "status only, no body", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(202)
		}, status: 202, body: ""},
		{name: "held then flushed", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<p>a</bo")
			w.(http.Flusher).Flush()
			io.WriteString(w, "dy></html>")
		}, status: 200, body: "<p>a</body></html>"},
		{name: "flush before any write", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.(http.Flusher).Flush()
			io.WriteString(w, page)
		}, status: 200, body: injected(page, defaultTag)},
		{name: "marker split across writes", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for _, s := range []string{"<body><script data-ch", `irp="pass`, `keys"></script></body>`} {
				io.WriteString(w, s)
			}
		}, status: 200, body: `<body><script data-chirp="passkeys"></script></body>`},
		{name: "body tag with space and slash", handler: htmlH(200, "<body>x</body >"), status: 200,
			body: "<body>x" + defaultTag + "</body >"},
		{name: "not body", handler: htmlH(200, "<body>x</bodyx></tbody></body-></body>"), status: 200,
			body: "<body>x</bodyx></tbody></body->" + defaultTag + "</body>"},
		{name: "implicit status", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(page))
		}, status: 200, body: injected(page, defaultTag)},
	}
}

func (tc tcase) request() *http.Request {
	m := tc.method
	if m == "" {
		m = "GET"
	}
	r := httptest.NewRequest(m, "/page", nil)
	for k, v := range tc.reqHdr {
		r.Header.Set(k, v)
	}
	return r
}

func (tc tcase) check(t *testing.T, res *http.Response) {
	t.Helper()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != tc.status {
		t.Errorf("status %d, want %d", res.StatusCode, tc.status)
	}
	if string(body) != tc.body {
		t.Errorf("body\n got %q\nwant %q", body, tc.body)
	}
	for k, v := range tc.hdr {
		if got := res.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

func TestMiddlewareTable(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			h := Middleware(tc.opts)(http.HandlerFunc(tc.handler))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tc.request())
			tc.check(t, rec.Result())
		})
	}
}

func TestGinTable(t *testing.T) {
	for _, tc := range cases() {
		if tc.stdOnly {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			e := gin.New()
			e.Use(Gin(tc.opts))
			e.Handle(tc.request().Method, "/page", func(c *gin.Context) { tc.handler(c.Writer, c.Request) })
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, tc.request())
			tc.check(t, rec.Result())
		})
	}
}

func TestGin404(t *testing.T) {
	e := gin.New()
	e.Use(Gin(Options{}))
	e.GET("/x", func(c *gin.Context) {})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/nope", nil))
	if rec.Code != 404 || rec.Body.String() != "404 page not found" {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}

func TestServeScript(t *testing.T) {
	h := Middleware(Options{})(http.NotFoundHandler())
	get := func(method, url string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, url, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	v := bridge.Version()
	rec := get("GET", DefaultPath+"?v="+v)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), bridge.Script()) {
		t.Fatalf("GET: %d %q", rec.Code, rec.Body.String())
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", cc)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" || rec.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("headers %v", rec.Header())
	}
	if rec := get("GET", DefaultPath); rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("unversioned Cache-Control %q", rec.Header().Get("Cache-Control"))
	}
	if rec := get("GET", DefaultPath, "If-None-Match", etag); rec.Code != 304 || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
	rec = get("GET", DefaultPath, "Accept-Encoding", "gzip, deflate")
	if rec.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(rec.Body.Bytes(), bridge.ScriptGzip()) {
		t.Errorf("gzip: %v", rec.Header())
	}
	if rec := get("GET", DefaultPath, "Accept-Encoding", "gzip;q=0"); rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got %q", rec.Header().Get("Content-Encoding"))
	}
	if rec := get("HEAD", DefaultPath); rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d %d", rec.Code, rec.Body.Len())
	}
	if rec := get("POST", DefaultPath); rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", rec.Code, rec.Header())
	}
	if rec := get("GET", DefaultPath+"x"); rec.Code != 404 {
		t.Errorf("other path: %d", rec.Code)
	}
}

// Package injectortest holds the tests of the injector that run through more than one
// middleware: the table of response shapes, a streamed page, a file server and the fuzz
// oracle. Package injector runs them through its net/http middleware, module ginpasskeys
// through its gin middleware, so the two cannot drift apart.
//
// It uses only the injector's exported API, the bridge and the standard library, so that
// modules of their own can import it without pulling in anything else.
package injectortest

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chirpkit/passkeys/bridge"
	"github.com/chirpkit/passkeys/injector"
)

// DefaultTag is the tag injected with the zero Options.
var DefaultTag = string(injector.Tag(injector.Options{}, nil))

// Page is a small HTML page with one "</body>".
const Page = "<!doctype html><html><head><title>t</title></head><body><p>hello</p></body></html>\n"

// Injected returns s with tag before its first "</body" (any case); s must have one.
func Injected(s, tag string) string {
	i := strings.Index(strings.ToLower(s), "</body")
	return s[:i] + tag + s[i:]
}

// HTML returns a handler that writes body as text/html with status and the
// header pairs hdr (set after Content-Type, so they may replace it).
func HTML(status int, body string, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// Case is one response shape, to be run through every middleware.
type Case struct {
	Name      string
	Method    string            // request method ("" = GET)
	ReqHeader map[string]string // request headers
	Opts      injector.Options
	Handler   http.HandlerFunc  // the app's handler, at path /page
	Status    int               // expected status
	Body      string            // expected body
	Header    map[string]string // expected response headers ("" = absent)
	StdOnly   bool              // net/http semantics that gin does not share
}

// Cases returns the table of response shapes.
func Cases() []Case {
	json := `{"a":"</body>"}`
	page, tag := Page, DefaultTag
	return []Case{
		{Name: "html", Handler: HTML(200, page), Status: 200, Body: Injected(page, tag)},
		{Name: "upper BODY", Handler: HTML(200, strings.ToUpper(page)), Status: 200,
			Body: Injected(strings.ToUpper(page), tag)},
		{Name: "mixed case", Handler: HTML(200, "<html><body>x</BoDy>"), Status: 200,
			Body: "<html><body>x" + tag + "</BoDy>"},
		{Name: "no body tag", Handler: HTML(200, "<p>hi</p>"), Status: 200, Body: "<p>hi</p>"},
		{Name: "content-length etag accept-ranges dropped",
			Handler: HTML(200, page, "Content-Length", "84", "ETag", `"x"`, "Accept-Ranges", "bytes"),
			Status:  200, Body: Injected(page, tag),
			Header: map[string]string{"Content-Length": "", "Etag": "", "Accept-Ranges": ""}},
		{Name: "sniffed html", Handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, page) },
			Status: 200, Body: Injected(page, tag),
			Header: map[string]string{"Content-Type": "text/html; charset=utf-8"}},
		{Name: "sniffed text", Handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "plain </body>") },
			Status: 200, Body: "plain </body>"},
		{Name: "json", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, json)
		}, Status: 200, Body: json},
		{Name: "404 not injected by default", Handler: HTML(404, page), Status: 404, Body: page},
		{Name: "404 injected when allowed", Opts: injector.Options{Statuses: []int{200, 404}},
			Handler: HTML(404, page), Status: 404, Body: Injected(page, tag)},
		{Name: "head", Method: "HEAD", Handler: HTML(200, "", "Content-Length", "84"), Status: 200, Body: "",
			Header: map[string]string{"Content-Length": "84"}},
		{Name: "204", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(204)
		}, Opts: injector.Options{Statuses: []int{200, 204}}, Status: 204, Body: ""},
		{Name: "304", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("ETag", `"e"`)
			w.WriteHeader(304)
		}, Opts: injector.Options{Statuses: []int{200, 304}}, Status: 304, Body: "", Header: map[string]string{"Etag": `"e"`}},
		{Name: "206", Handler: HTML(206, page[:20], "Content-Range", "bytes 0-19/84"),
			Opts: injector.Options{Statuses: []int{200, 206}}, Status: 206, Body: page[:20]},
		{Name: "content-encoding", Handler: HTML(200, page, "Content-Encoding", "identity-ish"), Status: 200, Body: page},
		{Name: "marker present", Handler: HTML(200, Injected(page, `<script data-chirp="passkeys" src="/x.js"></script>`)),
			Status: 200, Body: Injected(page, `<script data-chirp="passkeys" src="/x.js"></script>`)},
		{Name: "htmx partial", ReqHeader: map[string]string{"HX-Request": "true"}, Handler: HTML(200, page), Status: 200, Body: page},
		{Name: "htmx boosted", ReqHeader: map[string]string{"HX-Request": "true", "HX-Boosted": "true"},
			Handler: HTML(200, page), Status: 200, Body: Injected(page, tag)},
		{Name: "htmx partial allowed", Opts: injector.Options{InjectHTMXPartials: true}, ReqHeader: map[string]string{"HX-Request": "true"},
			Handler: HTML(200, page), Status: 200, Body: Injected(page, tag)},
		{Name: "nonce escaped", Opts: injector.Options{Nonce: func(*http.Request) string { return `a"b<` }},
			Handler: HTML(200, page), Status: 200,
			Body: Injected(page, strings.Replace(tag, ` data-chirp`, ` nonce="a&#34;b&lt;" data-chirp`, 1))},
		{Name: "inline", Opts: injector.Options{Inline: true}, Handler: HTML(200, page), Status: 200,
			Body: Injected(page, `<script data-chirp="passkeys">`+string(bridge.Script())+`</script>`)},
		{Name: "only first body", Handler: HTML(200, "<body>a</body>b</body>"), Status: 200,
			Body: "<body>a" + tag + "</body>b</body>"},
		{Name: "split writes", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for _, s := range []string{"<body>x<", "/", "bo", "DY", ">", "</html>"} {
				io.WriteString(w, s)
			}
		}, Status: 200, Body: "<body>x" + tag + "</boDY></html>"},
		{Name: "sniffing suppressed", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			io.WriteString(w, page)
		}, Status: 200, Body: page},
		{Name: "xhtml is not text/html", Handler: HTML(200, page, "Content-Type", "application/xhtml+xml"),
			Status: 200, Body: page},
		{Name: "content-type with params", Handler: HTML(200, page, "Content-Type", "Text/HTML ; charset=utf-8"),
			Status: 200, Body: Injected(page, tag)},
		{Name: "status then sniffed body", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			io.WriteString(w, page)
		}, Status: 200, Body: Injected(page, tag)},
		{Name: "second WriteHeader ignored while sniffing", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			w.WriteHeader(500)
			io.WriteString(w, page)
		}, Status: 200, Body: Injected(page, tag), StdOnly: true}, // gin: the last status wins
		{Name: "status only, no body", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(202)
		}, Status: 202, Body: ""},
		{Name: "held then flushed", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<p>a</bo")
			w.(http.Flusher).Flush()
			io.WriteString(w, "dy></html>")
		}, Status: 200, Body: "<p>a</body></html>"},
		{Name: "flush before any write", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.(http.Flusher).Flush()
			io.WriteString(w, page)
		}, Status: 200, Body: Injected(page, tag)},
		{Name: "marker split across writes", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for _, s := range []string{"<body><script data-ch", `irp="pass`, `keys"></script></body>`} {
				io.WriteString(w, s)
			}
		}, Status: 200, Body: `<body><script data-chirp="passkeys"></script></body>`},
		{Name: "body tag with space and slash", Handler: HTML(200, "<body>x</body >"), Status: 200,
			Body: "<body>x" + tag + "</body >"},
		{Name: "not body", Handler: HTML(200, "<body>x</bodyx></tbody></body-></body>"), Status: 200,
			Body: "<body>x</bodyx></tbody></body->" + tag + "</body>"},
		{Name: "implicit status", Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(page))
		}, Status: 200, Body: Injected(page, tag)},
	}
}

// Request returns the request of the case, for path /page.
func (tc Case) Request() *http.Request {
	m := tc.Method
	if m == "" {
		m = "GET"
	}
	r := httptest.NewRequest(m, "/page", nil)
	for k, v := range tc.ReqHeader {
		r.Header.Set(k, v)
	}
	return r
}

// Check reports the differences between res and the expected response.
func (tc Case) Check(t testing.TB, res *http.Response) {
	t.Helper()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != tc.Status {
		t.Errorf("status %d, want %d", res.StatusCode, tc.Status)
	}
	if string(body) != tc.Body {
		t.Errorf("body\n got %q\nwant %q", body, tc.Body)
	}
	for k, v := range tc.Header {
		if got := res.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

// Table runs every case (but the StdOnly ones when std is false) as a subtest: app
// returns the handler answering the case's request, the injecting middleware with
// tc.Opts around tc.Handler at /page.
func Table(t *testing.T, std bool, app func(tc Case) http.Handler) {
	for _, tc := range Cases() {
		if tc.StdOnly && !std {
			continue
		}
		t.Run(tc.Name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			app(tc).ServeHTTP(rec, tc.Request())
			tc.Check(t, rec.Result())
		})
	}
}

// streamedFirst is the first part of the streamed page; it ends with a held "</bo".
const streamedFirst = "<html><body><p>part one</p></bo"

// streamed writes a page in two parts with a Flush between them and waits
// for the client to have read the first part before writing the second.
func streamed(read <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, streamedFirst)
		http.NewResponseController(w).Flush()
		select {
		case <-read:
		case <-time.After(5 * time.Second):
			return
		}
		io.WriteString(w, "<p>part two</p></body></html>")
	}
}

// StreamedFlush checks that the bytes of a page flushed by the handler reach the client
// before the handler goes on, held bytes included. app returns the injecting middleware
// (zero Options) around h, which answers GET /.
func StreamedFlush(t *testing.T, app func(h http.Handler) http.Handler) {
	t.Helper()
	want := streamedFirst + "<p>part two</p>" + DefaultTag + "</body></html>"
	read := make(chan struct{})
	srv := httptest.NewServer(app(streamed(read)))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	first := make([]byte, len(streamedFirst))
	done := make(chan error, 1)
	go func() { _, err := io.ReadFull(br, first); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("flushed bytes did not reach the client")
	}
	close(read)
	rest, _ := io.ReadAll(br)
	if got := string(first) + string(rest); got != want {
		t.Errorf("got %q", got)
	}
}

// FileServer checks the injector around http.FileServerFS: pages injected without
// Content-Length or Accept-Ranges, ranges, HEAD, 304 and JSON untouched. app returns the
// injecting middleware (zero Options) around fs, which answers every path.
func FileServer(t *testing.T, app func(fs http.Handler) http.Handler) {
	t.Helper()
	fsys := fstest.MapFS{
		"index.html": {Data: []byte(Page), ModTime: time.Unix(1e9, 0)},
		"data.json":  {Data: []byte(`{"x":"</body>"}`)},
	}
	srv := httptest.NewServer(app(http.FileServerFS(fsys)))
	defer srv.Close()
	do := func(method, path string, hdr ...string) (*http.Response, string) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	// FileServer redirects /index.html to /.
	res, body := do("GET", "/index.html")
	if res.StatusCode == 301 || strings.HasSuffix(res.Request.URL.Path, "/") {
		res, body = do("GET", "/")
	}
	if body != Injected(Page, DefaultTag) {
		t.Errorf("GET: %d %q", res.StatusCode, body)
	}
	if res.Header.Get("Accept-Ranges") != "" || (res.ContentLength != -1 && res.ContentLength != int64(len(body))) {
		t.Errorf("GET headers: %v, length %d", res.Header, res.ContentLength)
	}
	res, body = do("GET", "/", "Range", "bytes=0-9")
	if res.StatusCode != 206 || body != Page[:10] {
		t.Errorf("Range: %d %q", res.StatusCode, body)
	}
	res, body = do("HEAD", "/")
	if res.StatusCode != 200 || body != "" || res.ContentLength != int64(len(Page)) {
		t.Errorf("HEAD: %d %q %d", res.StatusCode, body, res.ContentLength)
	}
	res, _ = do("GET", "/", "If-Modified-Since", time.Unix(2e9, 0).UTC().Format(http.TimeFormat))
	if res.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d", res.StatusCode)
	}
	res, body = do("GET", "/data.json")
	if body != `{"x":"</body>"}` || res.ContentLength != int64(len(body)) {
		t.Errorf("json: %q %d", body, res.ContentLength)
	}
}

var bodyRE = regexp.MustCompile(`(?i)</body[>/ \t\n\f\r]`)

// Expect is the oracle of the fuzz test: body with the default tag where it belongs.
func Expect(body string) string {
	loc := bodyRE.FindStringIndex(body)
	if loc == nil || strings.Contains(body[:loc[0]], injector.Marker) {
		return body
	}
	return body[:loc[0]] + DefaultTag + body[loc[0]:]
}

type fuzzInput struct{ body, cuts []byte }

type fuzzKey struct{}

// fuzzWrite writes the body of the input in its request's context, in pieces cut at
// the given lengths, alternating Write and io.WriteString.
func fuzzWrite(w http.ResponseWriter, r *http.Request) {
	in := r.Context().Value(fuzzKey{}).(fuzzInput)
	w.Header().Set("Content-Type", "text/html")
	rest := in.body
	for i := 0; len(rest) > 0; i++ {
		n := len(rest)
		if i < len(in.cuts) {
			n = min(n, int(in.cuts[i]))
		}
		if i%2 == 0 {
			w.Write(rest[:n])
		} else {
			io.WriteString(w, string(rest[:n]))
		}
		rest = rest[n:]
	}
}

// Fuzz adds the seed corpus to f and fuzzes pages written in pieces: the body must be
// Expect's. app returns the injecting middleware (zero Options) around h, which answers
// GET /.
func Fuzz(f *testing.F, app func(h http.Handler) http.Handler) {
	f.Add([]byte(Page), []byte{3, 7, 1, 200})
	f.Add([]byte("<body></BODY>"), []byte{1, 1, 1, 1, 1, 1, 1, 1})
	f.Add([]byte("a</bo</body>"), []byte{4, 1})
	f.Add([]byte("<</</b</bo</bod</body</body>"), []byte{2, 3, 1})
	f.Add([]byte(`x data-chirp="passkeys" </body>`), []byte{5, 9})
	f.Add([]byte(`x data-chi<rp="passkeys" </body>`), []byte{10, 1})
	f.Add([]byte("no closing tag at all"), []byte{})
	f.Add([]byte(`<p></BODY> data-chirp="passkeys" </body>`), []byte{})
	f.Add([]byte(`data-chirp="passkeys"</body>`), []byte{20, 1})
	f.Add([]byte("</body\t</body/></body >"), []byte{6, 0, 6})
	h := app(http.HandlerFunc(fuzzWrite))
	f.Fuzz(func(t *testing.T, body []byte, cuts []byte) {
		want := Expect(string(body))
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/", nil)
		r = r.WithContext(context.WithValue(r.Context(), fuzzKey{}, fuzzInput{body, cuts}))
		h.ServeHTTP(rec, r)
		if got := rec.Body.String(); got != want {
			t.Fatalf("body %q cuts %v\n got %q\nwant %q", body, cuts, got, want)
		}
	})
}

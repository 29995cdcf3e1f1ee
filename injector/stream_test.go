package injector

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gin-gonic/gin"
)

// streamed writes a page in two parts with a Flush between them and waits
// for the client to have read the first part before writing the second.
func streamed(read <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body><p>part one</p></bo") // ends with a held "</bo"
		http.NewResponseController(w).Flush()
		select {
		case <-read:
		case <-time.After(5 * time.Second):
			return
		}
		io.WriteString(w, "<p>part two</p></body></html>")
	}
}

func readStreamed(t *testing.T, url string, read chan<- struct{}) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	first := make([]byte, len("<html><body><p>part one</p></bo"))
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
	return string(first) + string(rest)
}

func TestStreamedFlush(t *testing.T) {
	want := "<html><body><p>part one</p></bo<p>part two</p>" + defaultTag + "</body></html>"
	t.Run("net/http", func(t *testing.T) {
		read := make(chan struct{})
		srv := httptest.NewServer(Middleware(Options{})(streamed(read)))
		defer srv.Close()
		if got := readStreamed(t, srv.URL, read); got != want {
			t.Errorf("got %q", got)
		}
	})
	t.Run("gin", func(t *testing.T) {
		read := make(chan struct{})
		e := gin.New()
		e.Use(Gin(Options{}))
		e.GET("/", gin.WrapF(streamed(read)))
		srv := httptest.NewServer(e)
		defer srv.Close()
		if got := readStreamed(t, srv.URL, read); got != want {
			t.Errorf("got %q", got)
		}
	})
}

func TestSSEPassesThrough(t *testing.T) {
	h := Middleware(Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			fmt.Fprintf(w, "data: %d</body>\n\n", i)
			w.(http.Flusher).Flush()
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if want := "data: 0</body>\n\ndata: 1</body>\n\ndata: 2</body>\n\n"; string(b) != want {
		t.Errorf("got %q", b)
	}
}

func TestFileServer(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html": {Data: []byte(page), ModTime: time.Unix(1e9, 0)},
		"data.json":  {Data: []byte(`{"x":"</body>"}`)},
	}
	for _, mode := range []string{"net/http", "gin"} {
		t.Run(mode, func(t *testing.T) {
			var h http.Handler
			if mode == "gin" {
				e := gin.New()
				e.Use(Gin(Options{}))
				e.NoRoute(gin.WrapH(http.FileServerFS(fsys)))
				h = e
			} else {
				h = Middleware(Options{})(http.FileServerFS(fsys))
			}
			srv := httptest.NewServer(h)
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
			// FileServer answers 404 for "/" under gin's NoRoute: it is 200 there too.
			res, body := do("GET", "/index.html")
			if res.StatusCode == 301 || strings.HasSuffix(res.Request.URL.Path, "/") {
				res, body = do("GET", "/")
			}
			if body != injected(page, defaultTag) {
				t.Errorf("GET: %d %q", res.StatusCode, body)
			}
			if res.Header.Get("Accept-Ranges") != "" || (res.ContentLength != -1 && res.ContentLength != int64(len(body))) {
				t.Errorf("GET headers: %v, length %d", res.Header, res.ContentLength)
			}
			res, body = do("GET", "/", "Range", "bytes=0-9")
			if res.StatusCode != 206 || body != page[:10] {
				t.Errorf("Range: %d %q", res.StatusCode, body)
			}
			res, body = do("HEAD", "/")
			if res.StatusCode != 200 || body != "" || res.ContentLength != int64(len(page)) {
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
		})
	}
}

func TestGinWriterRules(t *testing.T) {
	t.Run("NoRoute html 404", func(t *testing.T) {
		e := gin.New()
		e.Use(Gin(Options{Statuses: []int{200, 404}}))
		e.NoRoute(func(c *gin.Context) { c.Data(404, "text/html; charset=utf-8", []byte(page)) })
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/missing", nil))
		if rec.Code != 404 || rec.Body.String() != injected(page, defaultTag) {
			t.Errorf("%d %q", rec.Code, rec.Body.String())
		}
	})
	t.Run("405 text", func(t *testing.T) {
		e := gin.New()
		e.HandleMethodNotAllowed = true
		e.Use(Gin(Options{}))
		e.POST("/p", func(c *gin.Context) {})
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/p", nil))
		if rec.Code != 405 || rec.Body.String() != "405 method not allowed" {
			t.Errorf("%d %q", rec.Code, rec.Body.String())
		}
	})
	t.Run("WriteHeaderNow then write", func(t *testing.T) {
		e := gin.New()
		e.Use(Gin(Options{}))
		e.GET("/", func(c *gin.Context) {
			c.Header("Content-Type", "text/html")
			c.Status(200)
			c.Writer.WriteHeaderNow()
			c.Writer.WriteString(page)
		})
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Body.String() != injected(page, defaultTag) {
			t.Errorf("%q", rec.Body.String())
		}
	})
	t.Run("status only", func(t *testing.T) {
		e := gin.New()
		e.Use(Gin(Options{}))
		e.GET("/", func(c *gin.Context) { c.Status(201) })
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != 201 || rec.Body.Len() != 0 {
			t.Errorf("%d %q", rec.Code, rec.Body.String())
		}
	})
	t.Run("held bytes count as written", func(t *testing.T) {
		e := gin.New()
		e.Use(Gin(Options{}))
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

func TestHijackAndController(t *testing.T) {
	h := Middleware(Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Errorf("SetWriteDeadline through Unwrap: %v", err)
		}
		if r.URL.Path == "/hijack" {
			conn, bw, err := rc.Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			bw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 14\r\nConnection: close\r\n\r\n<body></body>\n")
			bw.Flush()
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, page)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/hijack")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if string(b) != "<body></body>\n" {
		t.Errorf("hijacked: %q", b)
	}
	res, err = http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	if string(b) != injected(page, defaultTag) {
		t.Errorf("page: %q", b)
	}
}

var bodyRE = regexp.MustCompile(`(?i)</body[>/ \t\n\f\r]`)

// expect is the oracle for the fuzz test.
func expect(body string) string {
	loc := bodyRE.FindStringIndex(body)
	if loc == nil || strings.Contains(body[:loc[0]], Marker) {
		return body
	}
	return body[:loc[0]] + defaultTag + body[loc[0]:]
}

func FuzzInject(f *testing.F) {
	f.Add([]byte(page), []byte{3, 7, 1, 200})
	f.Add([]byte("<body></BODY>"), []byte{1, 1, 1, 1, 1, 1, 1, 1})
	f.Add([]byte("a</bo</body>"), []byte{4, 1})
	f.Add([]byte("<</</b</bo</bod</body</body>"), []byte{2, 3, 1})
	f.Add([]byte(`x data-chirp="passkeys" </body>`), []byte{5, 9})
	f.Add([]byte(`x data-chi<rp="passkeys" </body>`), []byte{10, 1})
	f.Add([]byte("no closing tag at all"), []byte{})
	f.Add([]byte(`<p></BODY> data-chirp="passkeys" </body>`), []byte{})
	f.Add([]byte(`data-chirp="passkeys"</body>`), []byte{20, 1})
	f.Add([]byte("</body\t</body/></body >"), []byte{6, 0, 6})
	type input struct{ body, cuts []byte }
	type key struct{}
	write := func(w http.ResponseWriter, r *http.Request) {
		in := r.Context().Value(key{}).(input)
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
	std := Middleware(Options{})(http.HandlerFunc(write))
	e := gin.New()
	e.Use(Gin(Options{}))
	e.GET("/", gin.WrapF(write))
	f.Fuzz(func(t *testing.T, body []byte, cuts []byte) {
		want := expect(string(body))
		for _, h := range []http.Handler{std, e} {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/", nil)
			r = r.WithContext(context.WithValue(r.Context(), key{}, input{body, cuts}))
			h.ServeHTTP(rec, r)
			if got := rec.Body.String(); got != want {
				t.Fatalf("%T: body %q cuts %v\n got %q\nwant %q", h, body, cuts, got, want)
			}
		}
	})
}

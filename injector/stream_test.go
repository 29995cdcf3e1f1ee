package injector_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/internal/injectortest"
)

// TestStreamedFlush: flushed bytes, held ones included, reach the client at once
// (module ginpasskeys runs the same through gin).
func TestStreamedFlush(t *testing.T) {
	injectortest.StreamedFlush(t, injector.Middleware(injector.Options{}))
}

func TestSSEPassesThrough(t *testing.T) {
	h := injector.Middleware(injector.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

// TestFileServer runs the injector around http.FileServerFS (module ginpasskeys runs
// the same as a gin NoRoute handler).
func TestFileServer(t *testing.T) {
	injectortest.FileServer(t, injector.Middleware(injector.Options{}))
}

func TestHijackAndController(t *testing.T) {
	h := injector.Middleware(injector.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		io.WriteString(w, injectortest.Page)
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
	if string(b) != injectortest.Injected(injectortest.Page, injectortest.DefaultTag) {
		t.Errorf("page: %q", b)
	}
}

// FuzzInject fuzzes pages written in pieces through the net/http middleware (module
// ginpasskeys fuzzes the gin middleware with the same oracle and seeds).
func FuzzInject(f *testing.F) {
	injectortest.Fuzz(f, injector.Middleware(injector.Options{}))
}

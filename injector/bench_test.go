package injector_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/internal/injectortest"
)

// benchPage returns an HTML page of about size bytes ending in </body></html>.
func benchPage(size int) []byte {
	var b bytes.Buffer
	b.WriteString("<!doctype html><html><head><title>bench</title><link rel=\"stylesheet\" href=\"/s.css\"></head><body>\n")
	tail := "</main></body></html>\n"
	b.WriteString("<main>\n")
	for i := 0; b.Len() < size-len(tail)-200; i++ {
		fmt.Fprintf(&b, "<div class=\"row\" id=\"r%d\"><span class=\"name\">Item number %d</span> <a href=\"/items/%d\">details</a><p>Some descriptive text for every item, with <b>bold</b> and <i>italic</i> words, ready to display.</p></div>\n", i, i, i)
	}
	for b.Len() < size-len(tail) {
		b.WriteByte(' ')
	}
	b.WriteString(tail)
	return b.Bytes()
}

// pieces writes p in 4 KiB writes.
func pieces(w http.ResponseWriter, p []byte) {
	for len(p) > 0 {
		n := min(len(p), 4<<10)
		w.Write(p[:n])
		p = p[n:]
	}
}

func htmlHandler(p []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		pieces(w, p)
	})
}

// naive is the baseline: buffer the whole body, replace, write it once.
func naive(next http.Handler) http.Handler {
	tag := []byte(injectortest.DefaultTag)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nw := &naiveWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(nw, r)
		body := nw.buf.Bytes()
		if i := bytes.Index(bytes.ToLower(body), []byte("</body>")); i >= 0 {
			out := make([]byte, 0, len(body)+len(tag))
			out = append(append(append(out, body[:i]...), tag...), body[i:]...)
			body = out
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(nw.status)
		w.Write(body)
	})
}

type naiveWriter struct {
	http.ResponseWriter
	buf    bytes.Buffer
	status int
}

func (w *naiveWriter) WriteHeader(code int)        { w.status = code }
func (w *naiveWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }

func benchServe(b *testing.B, h http.Handler) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer client.CloseIdleConnections()
	get := func() {
		res, err := client.Get(srv.URL + "/")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	get()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		get()
	}
}

// BenchmarkServe serves HTML pages written in 4 KiB pieces over loopback:
// no middleware, this injector, and the naive buffer-and-replace baseline.
func BenchmarkServe(b *testing.B) {
	for _, size := range []int{4 << 10, 64 << 10, 1 << 20} {
		p := benchPage(size)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.Run("none", func(b *testing.B) { b.SetBytes(int64(size)); benchServe(b, htmlHandler(p)) })
			b.Run("injector", func(b *testing.B) {
				b.SetBytes(int64(size))
				benchServe(b, injector.Middleware(injector.Options{})(htmlHandler(p)))
			})
			b.Run("naive", func(b *testing.B) { b.SetBytes(int64(size)); benchServe(b, naive(htmlHandler(p))) })
		})
	}
}

// BenchmarkServeInterleaved serves the same page without and with the
// injector in turn, one request each per iteration (alternating which goes
// first), and reports the median time of a request for each and the
// injector's overhead. On a shared, loaded machine this is the fair
// comparison: changes in load hit both. (The naive baseline is left out here:
// its garbage would slow down whichever request follows it.)
func BenchmarkServeInterleaved(b *testing.B) {
	for _, size := range []int{4 << 10, 64 << 10, 1 << 20} {
		p := benchPage(size)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			hs := []http.Handler{htmlHandler(p), injector.Middleware(injector.Options{})(htmlHandler(p))}
			gets := make([]func(), len(hs))
			for i, h := range hs {
				srv := httptest.NewServer(h)
				defer srv.Close()
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
				defer client.CloseIdleConnections()
				gets[i] = func() {
					res, err := client.Get(srv.URL + "/")
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				gets[i]()
			}
			ds := make([][]time.Duration, len(hs))
			n := 0
			for b.Loop() {
				for k := range hs {
					i := (n + k) % len(hs) // rotate the order
					t := time.Now()
					gets[i]()
					ds[i] = append(ds[i], time.Since(t))
				}
				n++
			}
			med := make([]float64, len(hs))
			for i := range ds {
				slices.Sort(ds[i])
				med[i] = float64(ds[i][len(ds[i])/2].Nanoseconds())
			}
			b.ReportMetric(med[0], "none-ns/req")
			b.ReportMetric(med[1], "injector-ns/req")
			b.ReportMetric(100*(med[1]/med[0]-1), "overhead-%")
		})
	}
}

// BenchmarkServeJSON: a non-HTML response, with and without the injector.
func BenchmarkServeJSON(b *testing.B) {
	p := bytes.Repeat([]byte(`{"k":"value </body>"},`), 200)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(p)
	})
	b.Run("none", func(b *testing.B) { benchServe(b, h) })
	b.Run("injector", func(b *testing.B) { benchServe(b, injector.Middleware(injector.Options{})(h)) })
}

// discard is a ResponseWriter that drops the body.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkScan is the in-process cost of the injector on a 1 MiB page
// written in 4 KiB pieces to a writer that discards (ns/KiB reported).
func BenchmarkScan(b *testing.B) {
	p := benchPage(1 << 20)
	for _, mw := range []string{"none", "injector"} {
		b.Run(mw, func(b *testing.B) {
			h := htmlHandler(p)
			if mw == "injector" {
				h = injector.Middleware(injector.Options{})(h)
			}
			r := httptest.NewRequest("GET", "/", nil)
			d := &discard{h: http.Header{}}
			b.SetBytes(int64(len(p)))
			b.ReportAllocs()
			for b.Loop() {
				clear(d.h)
				h.ServeHTTP(d, r)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(p)>>10), "ns/KiB")
		})
	}
}

package injector

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"unsafe"
)

// Writer states.
const (
	stNew  uint8 = iota // headers not committed yet
	stScan              // HTML response: looking for </body>
	stPass              // pass-through (not HTML, injected, marker seen, hijacked)
)

// patLen is len("</body>"): "</body" and one of '>', '/', or HTML whitespace.
const patLen = 7

// markerLen is len(Marker).
const markerLen = len(Marker)

// writer wraps a ResponseWriter and inserts the tag before the first
// "</body" of an HTML response. It holds back at most patLen-1 bytes (a
// possible start of "</body" at the end of a write) and never copies the page.
type writer struct {
	rw    http.ResponseWriter
	req   *http.Request
	cfg   *config
	gw    routerWriterIface // non-nil under a router writer (gin)
	state uint8

	status  int // status given to WriteHeader (0: none yet)
	nheld   uint8
	nrecent uint8
	held    [patLen - 1]byte // a prefix of the pattern, not written yet
	// released is where held bytes go when released with the next write
	// (a local array would escape to the heap).
	released [patLen - 1]byte
	recent   [markerLen - 1]byte
}

// routerWriterIface is the part of RouterWriter the writer needs.
type routerWriterIface interface {
	http.ResponseWriter
	Status() int
	WriteHeaderNow()
}

func (w *writer) reset(rw http.ResponseWriter, r *http.Request, c *config) {
	*w = writer{rw: rw, req: r, cfg: c}
}

// Header implements http.ResponseWriter.
func (w *writer) Header() http.Header { return w.rw.Header() }

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.rw }

// WriteHeader implements http.ResponseWriter. The decision to inject is taken
// here, or at the first Write when Content-Type is unset and the body must be
// sniffed.
func (w *writer) WriteHeader(code int) {
	if w.state != stNew {
		w.rw.WriteHeader(code) // superfluous: let the server say so
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.rw.WriteHeader(code) // informational: headers of the final response follow
		return
	}
	if w.gw != nil {
		w.status = code
		w.rw.WriteHeader(code) // gin records it; headers go at the first write
		return
	}
	if w.status != 0 {
		return // pending (sniffing): the first status stays, as in net/http
	}
	w.status = code
	w.commit(nil, false)
}

// commit decides between injecting and passing through, fixes the headers
// and (net/http) sends them. With an unset Content-Type it needs the first
// bytes p to sniff; when p is empty and final is false it returns false and
// decides later.
func (w *writer) commit(p []byte, final bool) bool {
	status := w.status
	if w.gw != nil {
		status = w.gw.Status()
	} else if status == 0 {
		status = http.StatusOK
	}
	h := w.rw.Header()
	inject := w.cfg.injectStatus(status) && w.req.Method != http.MethodHead &&
		len(h["Content-Encoding"]) == 0 && len(h["Content-Range"]) == 0 &&
		(w.cfg.htmx || !htmxPartial(w.req))
	if inject {
		if ct, ok := h["Content-Type"]; ok {
			inject = len(ct) > 0 && isHTML(ct[0])
		} else if len(p) == 0 {
			if !final {
				return false
			}
			inject = false
		} else {
			sniffed := http.DetectContentType(p[:min(len(p), 512)])
			inject = strings.HasPrefix(sniffed, "text/html")
			if inject {
				h.Set("Content-Type", sniffed)
			}
		}
	}
	if inject {
		// The length changes (or may: "</body>" may never come); the entity
		// tag and byte ranges of the handler's body no longer apply.
		delete(h, "Content-Length")
		delete(h, "Etag")
		delete(h, "Accept-Ranges")
		w.state = stScan
	} else {
		w.state = stPass
	}
	if w.gw == nil {
		w.rw.WriteHeader(status)
	}
	return true
}

// htmxPartial reports an htmx request that is not boosted. The canonical keys
// are used directly: Header.Get would allocate to canonicalize "HX-…".
func htmxPartial(r *http.Request) bool {
	return firstIs(r.Header["Hx-Request"], "true") && !firstIs(r.Header["Hx-Boosted"], "true")
}

func firstIs(v []string, s string) bool { return len(v) > 0 && v[0] == s }

func isHTML(ct string) bool {
	if len(ct) < 9 {
		return false
	}
	if len(ct) == 9 || ct[9] == ';' {
		if strings.EqualFold(ct[:9], "text/html") {
			return true
		}
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "text/html"
}

// Write implements http.ResponseWriter.
func (w *writer) Write(p []byte) (int, error) {
	switch w.state {
	case stPass:
		return w.rw.Write(p)
	case stNew:
		if !w.commit(p, false) {
			return 0, nil
		}
		if w.state == stPass {
			return w.rw.Write(p)
		}
	}
	return w.scan(p)
}

// WriteString implements io.StringWriter without copying s.
func (w *writer) WriteString(s string) (int, error) {
	if w.state == stPass {
		return io.WriteString(w.rw, s)
	}
	return w.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// scan handles p in state stScan. Each call makes one write to the wrapped
// writer, as the handler's did (see join), or none when it holds p back.
func (w *writer) scan(p []byte) (int, error) {
	var pre []byte // held bytes released before p
	if w.nheld > 0 {
		k := int(w.nheld)
		j := 0
		for k+j < patLen && j < len(p) && matchAt(k+j, p[j]) {
			j++
		}
		switch {
		case k+j == patLen: // "</body" completed: the tag goes before the held bytes
			w.state, w.nheld = stPass, 0
			return w.join(p, w.cfg.tagFor(w.req), w.held[:k], p)
		case j == len(p): // still a possible start
			copy(w.held[k:], p)
			w.nheld += uint8(j)
			return len(p), nil
		}
		// Not "</body": release the held bytes with p and scan p from its
		// start (p[:j] holds no '<'). The marker cannot span a '<'.
		pre = w.released[:copy(w.released[:], w.held[:k])]
		w.nheld, w.nrecent = 0, 0
	}
	pos, marker := w.find(p)
	switch {
	case marker:
		w.state = stPass
		return w.join(p, pre, p)
	case pos >= 0:
		w.state = stPass
		return w.join(p, pre, p[:pos], w.cfg.tagFor(w.req), p[pos:])
	}
	// p may end with a possible start of "</body": hold it.
	pos = partialAt(p)
	if pos < 0 {
		return w.join(p, pre, p)
	}
	w.nheld = uint8(copy(w.held[:], p[pos:]))
	w.nrecent = 0 // the marker cannot span the '<'
	if _, err := w.join(p, pre, p[:pos]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// join writes parts (standing for the handler's p) in one write when more
// than one is non-empty and they fit in a pooled buffer: a small write before
// a large one would cost net/http an extra chunk (its 2 KiB buffer splits the
// large write), which is most of the cost of a naive streaming injector. The
// copy happens once per page (at "</body>") and after the rare writes that
// end with a possible start of "</body>".
func (w *writer) join(p []byte, parts ...[]byte) (int, error) {
	total, nonEmpty, last := 0, 0, -1
	for i, q := range parts {
		if len(q) > 0 {
			total += len(q)
			nonEmpty++
			last = i
		}
	}
	switch {
	case nonEmpty == 0:
		return len(p), nil
	case nonEmpty == 1:
		if _, err := w.rw.Write(parts[last]); err != nil {
			return 0, err
		}
		return len(p), nil
	case total <= joinBufSize:
		bp := copyBufPool.Get().(*[]byte)
		b := (*bp)[:0]
		for _, q := range parts {
			b = append(b, q...)
		}
		_, err := w.rw.Write(b)
		copyBufPool.Put(bp)
		if err != nil {
			return 0, err
		}
		return len(p), nil
	}
	for _, q := range parts {
		if len(q) > 0 {
			if _, err := w.rw.Write(q); err != nil {
				return 0, err
			}
		}
	}
	return len(p), nil
}

// joinBufSize is the size of the pooled buffers used by join and ReadFrom.
const joinBufSize = 32 << 10

// find looks in p for the first complete "</body" + delimiter (pos, or -1),
// and for the marker before it (then marker is true). Both contain a 'y', a
// rare byte in HTML: the scan runs bytes.IndexByte for 'y' and 'Y' and checks
// the bytes around each hit, which costs a small fraction of looking at every
// '<'. A "</body" never spans the start of p (its start would have been held
// back); the marker may, and is looked for in the remembered end of the
// previous write.
func (w *writer) find(p []byte) (pos int, marker bool) {
	if w.nrecent > 0 && len(p) > 0 {
		var b [2*markerLen - 2]byte
		n := copy(b[:], w.recent[:w.nrecent])
		n += copy(b[n:], p[:min(len(p), markerLen-1)])
		if markerIn(b[:n]) {
			return -1, true
		}
	}
	pos = -1
	mark := -1
	lim := len(p) - 1 // a match needs the byte after the 'y'
	for i := 0; i < lim; {
		j := bytes.IndexByte(p[i:lim], 'y')
		if j < 0 {
			break
		}
		i += j
		switch p[i+1] { // most hits end here: a 'y' inside a word
		case 's':
			if i >= 18 && i+2 < len(p) && string(p[i-18:i+3]) == Marker {
				mark, lim = i-18, i-18
			}
		case '>', '/', ' ', '\t', '\n', '\f', '\r':
			if i >= 5 && p[i-5] == '<' && isBodyAt(p, i-5) {
				pos, lim = i-5, i-5
			}
		}
		if lim <= i {
			break
		}
		i++
	}
	// "</BODY" and mixed cases; a match found here lies before the one or
	// the marker found above (matches and the marker never overlap).
	for i := 0; i < lim; {
		j := bytes.IndexByte(p[i:lim], 'Y')
		if j < 0 {
			break
		}
		i += j
		if i >= 5 && isBodyAt(p, i-5) {
			pos = i - 5
			break
		}
		i++
	}
	if pos >= 0 {
		return pos, false
	}
	if mark >= 0 {
		return -1, true
	}
	w.remember(p)
	return -1, false
}

// isBodyAt reports whether p[i:i+7] is "</body" (any case) and a delimiter.
func isBodyAt(p []byte, i int) bool {
	return p[i] == '<' && p[i+1] == '/' && p[i+2]|0x20 == 'b' && p[i+3]|0x20 == 'o' &&
		p[i+4]|0x20 == 'd' && p[i+5]|0x20 == 'y' && matchAt(6, p[i+6])
}

// markerIn reports whether b holds the marker, with the y-anchored check.
func markerIn(b []byte) bool {
	for i := 18; i+2 < len(b); i++ {
		if b[i] == 'y' && string(b[i-18:i+3]) == Marker {
			return true
		}
	}
	return false
}

// remember keeps the last markerLen-1 bytes of the stream ending with p.
func (w *writer) remember(p []byte) {
	if len(p) >= markerLen-1 {
		w.nrecent = uint8(copy(w.recent[:], p[len(p)-(markerLen-1):]))
		return
	}
	keep := min(int(w.nrecent), markerLen-1-len(p))
	copy(w.recent[:], w.recent[int(w.nrecent)-keep:w.nrecent])
	copy(w.recent[keep:], p)
	w.nrecent = uint8(keep + len(p))
}

// partialAt returns where p ends with a possible start of "</body>" (a
// prefix of it, up to "</body" itself), or -1.
func partialAt(p []byte) int {
	tail := p[max(0, len(p)-(patLen-1)):]
	j := bytes.LastIndexByte(tail, '<')
	if j < 0 {
		return -1
	}
	for k := 1; j+k < len(tail); k++ {
		if !matchAt(k, tail[j+k]) {
			return -1
		}
	}
	return len(p) - len(tail) + j
}

// matchAt reports whether c can be byte i of "</body>" (any case; the last
// byte may also be '/' or HTML whitespace).
func matchAt(i int, c byte) bool {
	switch i {
	case 0:
		return c == '<'
	case 1:
		return c == '/'
	case 2:
		return c|0x20 == 'b'
	case 3:
		return c|0x20 == 'o'
	case 4:
		return c|0x20 == 'd'
	case 5:
		return c|0x20 == 'y'
	}
	switch c {
	case '>', '/', ' ', '\t', '\n', '\f', '\r':
		return true
	}
	return false
}

// release writes the held bytes.
func (w *writer) release() error {
	if w.nheld == 0 {
		return nil
	}
	k := w.nheld
	w.nheld, w.nrecent = 0, 0
	_, err := w.rw.Write(w.held[:k])
	return err
}

// finish completes the response after the handler returned: commits a
// pending header and writes the held bytes.
func (w *writer) finish() {
	if w.state == stNew {
		if w.status != 0 && w.gw == nil {
			w.commit(nil, true)
		}
	} else {
		w.release()
	}
	w.state, w.nheld = stPass, 0 // a late write (a router's error page) passes through
}

// Flush implements http.Flusher: everything written so far, including bytes
// held back as a possible "</body>", reaches the client.
func (w *writer) Flush() { w.FlushError() }

// FlushError flushes like Flush and returns the error of the wrapped writer
// (http.ResponseController uses it).
func (w *writer) FlushError() error {
	if w.state == stNew {
		w.commit(nil, true)
	}
	if err := w.release(); err != nil {
		return err
	}
	if w.gw != nil {
		w.gw.WriteHeaderNow()
	}
	switch f := w.rw.(type) {
	case interface{ FlushError() error }:
		return f.FlushError()
	case http.Flusher:
		f.Flush()
		return nil
	}
	return http.NewResponseController(w.rw).Flush()
}

// Hijack implements http.Hijacker; the writer steps aside.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.state = stPass
	w.nheld = 0
	if h, ok := w.rw.(http.Hijacker); ok {
		return h.Hijack()
	}
	return http.NewResponseController(w.rw).Hijack()
}

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, joinBufSize); return &b }}

// ReadFrom implements io.ReaderFrom, so that io.Copy keeps the wrapped
// writer's fast path (sendfile) for responses passed through, and goes through
// the scanner for HTML.
func (w *writer) ReadFrom(src io.Reader) (n int64, err error) {
	if w.state == stScan || w.state == stNew {
		bp := copyBufPool.Get().(*[]byte)
		defer copyBufPool.Put(bp)
		buf := *bp
		for w.state != stPass {
			size := len(buf)
			if w.state == stNew {
				size = 512 // enough to sniff, then decide
			}
			nr, rerr := src.Read(buf[:size])
			if nr > 0 {
				nw, werr := w.Write(buf[:nr])
				n += int64(nw)
				if werr != nil {
					return n, werr
				}
			}
			if rerr == io.EOF {
				return n, nil
			}
			if rerr != nil {
				return n, rerr
			}
		}
	}
	if rf, ok := w.rw.(io.ReaderFrom); ok {
		m, err := rf.ReadFrom(src)
		return n + m, err
	}
	m, err := io.Copy(writerOnly{w.rw}, src)
	return n + m, err
}

type writerOnly struct{ io.Writer }

package app

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chirpkit/passkeys/examples/internal/bodylimit"
)

// stream is a body of unknown length (no Content-Length, as a chunked request): prefix,
// then n bytes of filler. It counts what was read of it.
type stream struct {
	prefix io.Reader
	left   int
	filler byte
	read   int
}

func newStream(prefix string, n int, filler byte) *stream {
	return &stream{prefix: strings.NewReader(prefix), left: n, filler: filler}
}

func (s *stream) Read(p []byte) (int, error) {
	n, err := s.prefix.Read(p)
	if err == io.EOF {
		if s.left == 0 {
			return 0, io.EOF
		}
		n = min(len(p), s.left)
		for i := range p[:n] {
			p[i] = s.filler
		}
		s.left -= n
		err = nil
	}
	s.read += n
	return n, err
}

// TestBodiesAreBounded: the JSON of a begin and the forms are read within a few KiB; a
// larger body gets 413 payload_too_large, whether it announces its length or streams
// 32 MiB. (Before: the begin read any body whole, and a form post cost five times its
// size in memory.)
func TestBodiesAreBounded(t *testing.T) {
	a, _ := newApp(t, nil)
	cl := newClient(t, a)
	cl.page("/login")
	const big = 32 << 20
	for _, tc := range []struct {
		name, path, contentType string
		body                    func() (io.Reader, *stream)
	}{
		{"begin JSON with a length", "/auth/passkey/login/begin", "application/json", func() (io.Reader, *stream) {
			return strings.NewReader(`{"username":"` + strings.Repeat("a", 1<<20) + `"}`), nil
		}},
		{"begin JSON streamed", "/auth/passkey/login/begin", "application/json", func() (io.Reader, *stream) {
			s := newStream(`{"username":"`, big, 'a')
			return s, s
		}},
		{"sign-in form streamed", "/login", "application/x-www-form-urlencoded", func() (io.Reader, *stream) {
			s := newStream("csrf_token="+cl.token+"&username=ada&password=", big, 'a')
			return s, s
		}},
		{"sign-up form with a length", "/signup", "application/x-www-form-urlencoded", func() (io.Reader, *stream) {
			return strings.NewReader("csrf_token=" + cl.token + "&username=" + strings.Repeat("a", 1<<20)), nil
		}},
		{"sign-out multipart streamed", "/logout", "multipart/form-data; boundary=x", func() (io.Reader, *stream) {
			s := newStream("--x\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n", big, 'a')
			return s, s
		}},
		{"finish streamed", "/auth/passkey/login/finish", "application/json", func() (io.Reader, *stream) {
			s := newStream(`{"id":"`, big, 'a')
			return s, s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, s := tc.body()
			r := cl.do("POST", tc.path, tc.contentType, body, map[string]string{"X-CSRF-Token": cl.token})
			if r.Code != http.StatusRequestEntityTooLarge || r.json()["code"] != "payload_too_large" {
				t.Errorf("%d %.200s, want 413 payload_too_large", r.Code, r.Body)
			}
			if s != nil && s.read > 2*bodylimit.MaxFinish {
				t.Errorf("read %d bytes of the body", s.read)
			}
		})
	}
	// Bodies of honest size pass.
	if r := cl.post("/auth/passkey/login/begin", `{"username":"ada"}`); r.Code != http.StatusOK {
		t.Errorf("begin with a small body: %d %s", r.Code, r.Body)
	}
	if r := cl.form("/login", map[string][]string{"username": {"ada"}, "password": {"wrong password"}}); r.Code != http.StatusUnauthorized {
		t.Errorf("sign-in form of a small size: %d", r.Code)
	}
}

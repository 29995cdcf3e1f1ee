package server

import (
	"strings"
	"testing"
	"time"
)

func TestNewRejectsMistakes(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		wantErr string // substring; "" means New must succeed
	}{
		{"localhost dev", Config{RPID: "localhost", Origins: []string{"http://localhost:8000"}}, ""},
		{"subdomain origins", Config{RPID: "example.com", Origins: []string{"https://example.com", "https://login.example.com"}}, ""},
		{"no origins", Config{RPID: "example.com"}, "Origins is empty"},
		{"no rp id", Config{Origins: []string{"https://example.com"}}, "RPID is empty"},
		{"trailing slash", Config{RPID: "example.com", Origins: []string{"https://example.com/"}}, "trailing slash"},
		{"path", Config{RPID: "example.com", Origins: []string{"https://example.com/app"}}, "path"},
		{"query", Config{RPID: "example.com", Origins: []string{"https://example.com?x=1"}}, "query"},
		{"no scheme", Config{RPID: "example.com", Origins: []string{"example.com"}}, "scheme://host"},
		{"ftp", Config{RPID: "example.com", Origins: []string{"ftp://example.com"}}, "scheme must be https"},
		{"http off localhost", Config{RPID: "example.com", Origins: []string{"http://example.com"}}, "http is allowed only on localhost"},
		{"ip origin", Config{RPID: "localhost", Origins: []string{"http://127.0.0.1:8000"}}, "use localhost"},
		{"ip rp id", Config{RPID: "127.0.0.1", Origins: []string{"http://localhost:8000"}}, "use localhost"},
		{"rp id not a suffix", Config{RPID: "example.com", Origins: []string{"https://example.org"}}, "neither equal to nor a registrable suffix"},
		{"rp id suffix but not label boundary", Config{RPID: "ample.com", Origins: []string{"https://example.com"}}, "neither equal"},
		{"rp id public suffix", Config{RPID: "com", Origins: []string{"https://example.com"}}, "public suffix"},
		{"rp id private public suffix", Config{RPID: "github.io", Origins: []string{"https://me.github.io"}}, "public suffix"},
		{"rp id with scheme", Config{RPID: "https://example.com", Origins: []string{"https://example.com"}}, "bare domain"},
		{"rp id with port", Config{RPID: "localhost:8000", Origins: []string{"http://localhost:8000"}}, "bare domain"},
		{"upper case origin", Config{RPID: "example.com", Origins: []string{"https://Example.com"}}, "lower case"},
		{"default port", Config{RPID: "example.com", Origins: []string{"https://example.com:443"}}, "default port"},
		{"bad user verification", Config{RPID: "localhost", Origins: []string{"http://localhost"}, UserVerification: "always"}, "UserVerification"},
		{"bad resident key", Config{RPID: "localhost", Origins: []string{"http://localhost"}, ResidentKey: "yes"}, "ResidentKey"},
		{"bad attestation", Config{RPID: "localhost", Origins: []string{"http://localhost"}, Attestation: "all"}, "Attestation"},
		{"ttl shorter than timeout", Config{RPID: "localhost", Origins: []string{"http://localhost"}, Timeout: time.Minute, ChallengeTTL: time.Second}, "shorter than Timeout"},
		{"negative ttl", Config{RPID: "localhost", Origins: []string{"http://localhost"}, ChallengeTTL: -1}, "negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("New accepted %+v", tc.cfg)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error %q does not say %q", err, tc.wantErr)
			}
		})
	}
}

func TestCookieFollowsOrigins(t *testing.T) {
	s, err := New(Config{RPID: "example.com", Origins: []string{"https://example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.cookiePrefix != "__Host-chirp-passkeys" || !s.cookieSecure {
		t.Fatalf("https origins: cookie %q secure=%v", s.cookiePrefix, s.cookieSecure)
	}
	s, _ = New(Config{RPID: "localhost", Origins: []string{"http://localhost:8000"}})
	if s.cookiePrefix != "chirp-passkeys" || s.cookieSecure {
		t.Fatalf("http origin: cookie %q secure=%v", s.cookiePrefix, s.cookieSecure)
	}
}

func TestMemoryStoreBounded(t *testing.T) {
	now := time.Unix(0, 0)
	s := NewMemoryStore(MemoryStoreOptions{Capacity: 3, Clock: func() time.Time { return now }})
	ctx := t.Context()
	for i := range 3 {
		if err := s.Put(ctx, string(rune('a'+i)), []byte{1}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(ctx, "d", []byte{1}, time.Minute); err == nil {
		t.Fatal("a full store accepted a fourth ceremony")
	}
	if v, ok, _ := s.Take(ctx, "b"); !ok || len(v) != 1 {
		t.Fatal("take b")
	}
	if _, ok, _ := s.Take(ctx, "b"); ok {
		t.Fatal("b taken twice")
	}
	if err := s.Put(ctx, "d", []byte{1}, time.Minute); err != nil {
		t.Fatal("a freed slot was not reused:", err)
	}
	now = now.Add(2 * time.Minute) // everything expired: a new Put makes room
	if _, ok, _ := s.Take(ctx, "a"); ok {
		t.Fatal("an expired ceremony was taken")
	}
	for i := range 3 {
		if err := s.Put(ctx, string(rune('x'+i)), []byte{1}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if s.Len() != 3 {
		t.Fatalf("len %d", s.Len())
	}
}

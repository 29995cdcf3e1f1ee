package app

import (
	"slices"
	"strings"
	"testing"
)

func TestOrigin(t *testing.T) {
	for addr, want := range map[string]string{
		"localhost:8000":       "http://localhost:8000",
		"localhost:9000":       "http://localhost:9000",
		"LocalHost:9000":       "http://localhost:9000",
		":9000":                "http://localhost:9000",
		"127.0.0.1:9000":       "http://localhost:9000",
		"[::1]:9000":           "http://localhost:9000",
		"0.0.0.0:9000":         "http://localhost:9000",
		"[::]:9000":            "http://localhost:9000",
		"app.localhost:9000":   "http://app.localhost:9000",
		"localhost:80":         "http://localhost",
		"localhost:443":        "http://localhost:443",
		"[::ffff:127.0.0.1]:1": "http://localhost:1",
	} {
		if got, err := Origin(addr); err != nil || got != want {
			t.Errorf("Origin(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	for _, addr := range []string{"example.com:8000", "192.168.1.5:8000", "localhost", "localhost:", "localhost:0", ""} {
		if got, err := Origin(addr); err == nil {
			t.Errorf("Origin(%q) = %q, want an error", addr, got)
		}
	}
	if _, err := Origin("example.com:8000"); err == nil || !strings.Contains(err.Error(), "PASSKEY_ORIGIN") {
		t.Errorf("Origin of another host: %v, want a hint at PASSKEY_ORIGIN", err)
	}
}

func TestRelyingParty(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	for _, c := range []struct {
		addr    string
		vars    map[string]string
		rpID    string
		origins []string
	}{
		{"localhost:9000", nil, "localhost", []string{"http://localhost:9000"}},
		{":9000", nil, "localhost", []string{"http://localhost:9000"}},
		// PASSKEY_ORIGIN overrides the derived origin (any -addr then), PASSKEY_RP_ID the rp ID.
		{"localhost:9000", map[string]string{"PASSKEY_ORIGIN": "http://localhost:8000"}, "localhost", []string{"http://localhost:8000"}},
		{"10.0.0.2:8443", map[string]string{"PASSKEY_ORIGIN": " https://a.example.com, https://b.example.com ,", "PASSKEY_RP_ID": "example.com"},
			"example.com", []string{"https://a.example.com", "https://b.example.com"}},
	} {
		rpID, origins, err := RelyingParty(c.addr, env(c.vars))
		if err != nil || rpID != c.rpID || !slices.Equal(origins, c.origins) {
			t.Errorf("RelyingParty(%q, %v) = %q, %q, %v; want %q, %q", c.addr, c.vars, rpID, origins, err, c.rpID, c.origins)
		}
	}
	if _, _, err := RelyingParty("example.com:8000", env(nil)); err == nil {
		t.Error("RelyingParty of another host without PASSKEY_ORIGIN: no error")
	}
}

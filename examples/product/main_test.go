package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type urlLog struct {
	slog.Handler
	urls chan string
}

func (urlLog) Enabled(context.Context, slog.Level) bool { return true }

func (h urlLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "url" {
			h.urls <- a.Value.String()
		}
		return true
	})
	return nil
}

// TestRun starts the command as the README does (on a free port instead of 8004) and
// gets the sign-in page, with htmx and the bridge, from the URL it logs.
func TestRun(t *testing.T) {
	t.Setenv("PASSKEY_ORIGIN", "")
	t.Setenv("PASSKEY_RP_ID", "")
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 4)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, "localhost:0", filepath.Join(t.TempDir(), "t.db"), "", slog.New(urlLog{slog.DiscardHandler, urls}))
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatalf("run returned before serving: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no url logged")
	}
	if !strings.HasPrefix(base, "http://localhost:") {
		t.Fatalf("url %q", base)
	}
	for path, want := range map[string]string{"/login": `autocomplete="username webauthn"`, "/static/htmx.min.js": "htmx", "/static/app.js": "chirp.passkeys"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Fatalf("%s: %d, want %q in the body", path, resp.StatusCode, want)
		}
	}
}

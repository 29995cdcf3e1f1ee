package app

import (
	"context"
	"net"
	"net/http"

	"github.com/chirpkit/passkeys/examples/internal/devserver"
)

// Listen listens on addr and returns the listener with the address a browser is sent to
// and the origin is derived from: addr with the port the listener got (addr ":0" picks
// a free one).
func Listen(addr string) (net.Listener, string, error) { return devserver.Listen(addr) }

// Serve runs h on ln until ctx is done, then shuts down gracefully (5 s at most).
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	return devserver.Serve(ctx, ln, h)
}

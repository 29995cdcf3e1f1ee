package devserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Listen listens on addr and returns the listener with the address a browser is sent to
// and the origin is derived from: addr with the port the listener got (addr ":0" picks
// a free one).
func Listen(addr string) (net.Listener, string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", fmt.Errorf("address %q: %w", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return ln, ln.Addr().String(), nil
	}
	return ln, net.JoinHostPort(host, strconv.Itoa(tcp.Port)), nil
}

// Serve runs h on ln until ctx is done, then shuts down gracefully (5 s at most).
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-stopped
	return nil
}

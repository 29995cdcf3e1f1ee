// Command product runs Lucky Cat, the product-shaped example of chirpkit/passkeys:
// sign up with a passkey or a password, sign in by autofill, button or password, the
// passkey upgrade after a password sign-in, and passkey management in Settings →
// Security. net/http only, SQLite, htmx, a strict CSP. See README.md.
//
//	cd examples && go run ./product [-addr localhost:8004] [-db lucky-cat.db] [-redis redis://localhost:6379/0]
//
// PASSKEY_RP_ID (default localhost) and PASSKEY_ORIGIN (a comma-separated list)
// configure the relying party; the origin defaults to http://localhost:PORT for -addr.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/chirpkit/passkeys/examples/internal/devserver"
	"github.com/chirpkit/passkeys/examples/product/app"
	"github.com/chirpkit/passkeys/redisstore"
	"github.com/redis/go-redis/v9"
)

func main() {
	addr := flag.String("addr", "localhost:8004", "listen address")
	db := flag.String("db", "lucky-cat.db", "SQLite database file")
	redisURL := flag.String("redis", "", "Redis URL (redis://host:port/db) for the ceremony store; default: in memory")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *db, *redisURL, log); err != nil {
		log.Error("product", "err", err)
		os.Exit(1)
	}
}

// run serves the app on addr until ctx is done. It logs the URL to open as "url".
func run(ctx context.Context, addr, db, redisURL string, log *slog.Logger) error {
	ln, listening, err := devserver.Listen(addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	rpID, origins, err := devserver.RelyingParty(listening, os.Getenv)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	opts := app.Options{DB: db, RPID: rpID, Origins: origins, Logger: log}
	if redisURL != "" {
		ro, err := redis.ParseURL(redisURL)
		if err != nil {
			return fmt.Errorf("-redis: %w", err)
		}
		client := redis.NewClient(ro)
		defer client.Close()
		opts.Store = redisstore.New(client, redisstore.Options{})
	}
	a, err := app.New(opts)
	if err != nil {
		return err
	}
	defer a.Close()
	log.Info("Lucky Cat", "url", origins[0], "rp_id", rpID, "listen", ln.Addr().String(), "db", db)
	return devserver.Serve(ctx, ln, a.Handler())
}

// Command minimal runs the example app of chirpkit/passkeys: sign up with a password, add
// a passkey on the dashboard, sign in with it.
//
//	cd examples && go run ./minimal [-addr localhost:8000] [-db passkeys-demo.db] [-redis redis://localhost:6379/0] [-client-limit off] [-bcrypt-cost 10]
//
// -client-limit off turns off the library's per-client limit on begins (keyed by the
// remote address by default), for load tests whose clients all come from one address.
// make demo at the repository root runs it with the defaults.
//
// PASSKEY_RP_ID (default localhost) and PASSKEY_ORIGIN (a comma-separated list allowed)
// configure the relying party. The origin defaults to the one a browser opens for -addr:
// http://localhost:PORT for a localhost, loopback or empty host (-addr :9000 too); another
// host needs PASSKEY_ORIGIN, since browsers allow passkeys over http on localhost only.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/chirpkit/passkeys/examples/minimal/app"
	"github.com/chirpkit/passkeys/redisstore"
	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"
)

func main() {
	addr := flag.String("addr", "localhost:8000", "listen address")
	db := flag.String("db", "passkeys-demo.db", "SQLite database file")
	redisURL := flag.String("redis", "", "Redis URL (redis://host:port/db) for the ceremony store; default: in memory")
	clientLimit := flag.String("client-limit", "", `per-client limit on begins: "" for the library's default, "off" for none (load tests from one address)`)
	bcryptCost := flag.Int("bcrypt-cost", bcrypt.DefaultCost, "bcrypt cost of password hashes (tests lower it)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *clientLimit != "" && *clientLimit != "off" {
		log.Error("minimal", "err", fmt.Sprintf("-client-limit %q: want \"\" or \"off\"", *clientLimit))
		os.Exit(2)
	}
	if *bcryptCost < bcrypt.MinCost || *bcryptCost > bcrypt.MaxCost {
		log.Error("minimal", "err", fmt.Sprintf("-bcrypt-cost %d: want %d to %d", *bcryptCost, bcrypt.MinCost, bcrypt.MaxCost))
		os.Exit(2)
	}
	opts := app.Options{DB: *db, Logger: log, ClientLimitOff: *clientLimit == "off", BcryptCost: *bcryptCost}
	if err := run(ctx, *addr, *redisURL, opts); err != nil {
		log.Error("minimal", "err", err)
		os.Exit(1)
	}
}

// run serves the app with opts on addr until ctx is done, its relying party derived from
// the address and the environment. It logs the URL to open as "url" with opts.Logger.
func run(ctx context.Context, addr, redisURL string, opts app.Options) error {
	log := opts.Logger
	ln, listening, err := app.Listen(addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	rpID, origins, err := app.RelyingParty(listening, os.Getenv)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	opts.RPID, opts.Origins = rpID, origins
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
	log.Info("passkeys demo", "url", origins[0], "rp_id", rpID, "listen", ln.Addr().String(), "db", opts.DB)
	return app.Serve(ctx, ln, a.Handler())
}

// Command minimal runs the example app of chirpkit/passkeys: sign up with a password, add
// a passkey on the dashboard, sign in with it.
//
//	go run ./examples/minimal [-addr localhost:8000] [-db passkeys-demo.db] [-redis redis://localhost:6379/0]
//
// PASSKEY_RP_ID (default localhost) and PASSKEY_ORIGIN (default http://localhost:8000, a
// comma-separated list allowed) configure the relying party.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/chirpkit/passkeys/examples/minimal/app"
	"github.com/chirpkit/passkeys/server"
	"github.com/redis/go-redis/v9"
)

func main() {
	addr := flag.String("addr", "localhost:8000", "listen address")
	db := flag.String("db", "passkeys-demo.db", "SQLite database file")
	redisURL := flag.String("redis", "", "Redis URL (redis://host:port/db) for the ceremony store; default: in memory")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *db, *redisURL, log); err != nil {
		log.Error("minimal", "err", err)
		os.Exit(1)
	}
}

func run(addr, db, redisURL string, log *slog.Logger) error {
	rpID := env("PASSKEY_RP_ID", "localhost")
	var origins []string
	for _, o := range strings.Split(env("PASSKEY_ORIGIN", "http://localhost:8000"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	opts := app.Options{DB: db, RPID: rpID, Origins: origins, Logger: log}
	if redisURL != "" {
		ro, err := redis.ParseURL(redisURL)
		if err != nil {
			return fmt.Errorf("-redis: %w", err)
		}
		client := redis.NewClient(ro)
		defer client.Close()
		opts.Store = server.NewRedisStore(client, server.RedisStoreOptions{})
	}
	a, err := app.New(opts)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Info("passkeys demo", "url", origins[0], "rp_id", rpID, "db", db)
	return app.Serve(ctx, addr, a.Handler())
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

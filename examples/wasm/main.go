//go:build !js

// Command wasm runs the example app (examples/minimal/app) with one more page, /wasm,
// whose buttons are wired in Go compiled to WebAssembly (examples/wasm/client, through
// the package bridge/passkeys). The client is built at start (GOOS=js GOARCH=wasm go
// build), so Go must be installed.
//
//	go run ./examples/wasm [-addr localhost:8001] [-db passkeys-wasm.db]
//
// Then open http://localhost:8001/wasm in Chromium. PASSKEY_RP_ID (default localhost)
// and PASSKEY_ORIGIN (default http://ADDR) configure the relying party.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/chirpkit/passkeys/examples/minimal/app"
	"github.com/chirpkit/passkeys/examples/wasm/site"
)

func main() {
	addr := flag.String("addr", "localhost:8001", "listen address")
	db := flag.String("db", "passkeys-wasm.db", "SQLite database file")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *db, log); err != nil {
		log.Error("wasm", "err", err)
		os.Exit(1)
	}
}

func run(addr, db string, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := os.MkdirTemp("", "chirp-passkeys-wasm-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	log.Info("building the client", "goos", "js", "goarch", "wasm")
	files, err := site.Prepare(ctx, dir)
	if err != nil {
		return err
	}
	origin := env("PASSKEY_ORIGIN", "http://"+addr)
	a, err := app.New(app.Options{DB: db, RPID: env("PASSKEY_RP_ID", "localhost"), Origins: []string{origin},
		Logger: log, Routes: site.Routes(files)})
	if err != nil {
		return err
	}
	defer a.Close()
	log.Info("passkeys wasm demo", "url", origin+"/wasm")
	return app.Serve(ctx, addr, a.Handler())
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

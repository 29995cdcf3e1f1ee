//go:build !js

// Command wasm runs the example app (examples/minimal/app) with one more page, /wasm,
// whose buttons are wired in Go compiled to WebAssembly (examples/wasm/client, through
// the package bridge/passkeys): sign up, add a passkey (also by a conditional create),
// sign in, list and delete passkeys, sign out. The client is built at start
// (GOOS=js GOARCH=wasm go build), so Go must be installed, then compressed once (brotli,
// gzip) and served precompressed (site.ServeWasm).
//
//	cd examples && go run ./wasm [-addr localhost:8001] [-db passkeys-wasm.db]
//
// Then open http://localhost:8001/wasm in Chromium. PASSKEY_RP_ID (default localhost)
// and PASSKEY_ORIGIN configure the relying party, as for examples/minimal: the origin
// defaults to http://localhost:PORT for a localhost, loopback or empty host of -addr.
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
	ln, listening, err := app.Listen(addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	rpID, origins, err := app.RelyingParty(listening, os.Getenv)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
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
	a, err := app.New(app.Options{DB: db, RPID: rpID, Origins: origins, Logger: log, Routes: site.Routes(files)})
	if err != nil {
		return err
	}
	defer a.Close()
	log.Info("passkeys wasm demo", "url", origins[0]+"/wasm", "rp_id", rpID, "listen", ln.Addr().String())
	return app.Serve(ctx, ln, a.Handler())
}

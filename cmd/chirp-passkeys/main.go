// Command chirp-passkeys checks a passkeys deployment before it ships.
//
//	chirp-passkeys check [--deploy] [--rp-id ID] [--origin URL[,URL]] [--store memory|redis] [--url URL]
//
// It builds the relying-party configuration the way the app does (PASSKEY_RP_ID and
// PASSKEY_ORIGIN are the defaults of --rp-id and --origin), runs server.Check, and, with
// --url, probes the running app: a cross-site POST to the ceremony routes, the bridge
// script, and the home page. It prints each finding with its fix and exits 1 when one is
// an ERROR (2 when the configuration itself is refused).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/chirpkit/passkeys/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: chirp-passkeys check [--deploy] [--rp-id ID] [--origin URL[,URL]] [--store memory|redis] [--url URL]")
		return 2
	}
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	deploy := fs.Bool("deploy", false, "check a production posture (https only, shared ceremony store)")
	rpID := fs.String("rp-id", envOr("PASSKEY_RP_ID", "localhost"), "relying party ID")
	origins := fs.String("origin", envOr("PASSKEY_ORIGIN", "http://localhost:8000"), "allowed origins, comma-separated")
	related := fs.String("related-origin", envOr("PASSKEY_RELATED_ORIGINS", ""), "related origins on other domains, comma-separated (checked against the served /.well-known/webauthn)")
	store := fs.String("store", "memory", "ceremony store the app uses: memory or redis")
	insecure := fs.Bool("cookie-insecure", false, "the app sets server.CookieConfig.Insecure")
	probeURL := fs.String("url", "", "base URL of the running app to probe (routes, bridge, page)")
	prefix := fs.String("routes", "/auth/passkey", "prefix of the ceremony routes")
	page := fs.String("page", "/", "a page that should load the bridge")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cfg := server.Config{RPID: *rpID, Origins: split(*origins), RelatedOrigins: split(*related), Cookie: server.CookieConfig{Insecure: *insecure},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	switch *store {
	case "memory":
	case "redis":
		// Check only looks at which kind of store is configured: any shared one will do.
		cfg.Store = sharedStore{}
	default:
		fmt.Fprintf(stderr, "--store %q: use memory or redis\n", *store)
		return 2
	}
	s, err := server.New(cfg)
	if err != nil {
		fmt.Fprintf(stdout, "ERROR passkeys.config: %v\n", err)
		return 2
	}
	opts := server.CheckOptions{Deploy: *deploy, RoutesPrefix: *prefix, Page: *page}
	if *probeURL != "" {
		u, err := url.Parse(*probeURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			fmt.Fprintf(stderr, "--url %q: give the app's base URL, e.g. http://localhost:8000\n", *probeURL)
			return 2
		}
		proxy := httputil.NewSingleHostReverseProxy(u)
		proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			fmt.Fprintf(stderr, "probe %s: %v\n", r.URL.Path, err)
			w.WriteHeader(http.StatusBadGateway)
		}
		opts.Handler = proxy
	}
	findings := server.Check(s, opts)
	code := 0
	for _, f := range findings {
		fmt.Fprintln(stdout, f)
		if f.Severity == server.SeverityError {
			code = 1
		}
	}
	mode := "development"
	if *deploy {
		mode = "deploy"
	}
	probed := "routes and bridge probed"
	if *probeURL == "" {
		probed = "routes and bridge not probed (pass --url)"
	}
	fmt.Fprintf(stdout, "passkeys check (%s, %s): %d finding(s)\n", mode, probed, len(findings))
	return code
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// sharedStore stands for the app's shared ceremony store (Redis): Check never calls it.
type sharedStore struct{}

func (sharedStore) Put(context.Context, string, []byte, time.Duration) error { return nil }
func (sharedStore) Take(context.Context, string) ([]byte, bool, error)       { return nil, false, nil }

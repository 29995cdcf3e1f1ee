package passkeys_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// heavy are modules that the core must never bring into an app: they belong to the
// adapters, the stores, the examples, the bundler and the browser tests.
var heavy = []string{
	"github.com/gin-gonic/gin", "github.com/redis/go-redis", "github.com/chromedp/",
	"github.com/evanw/esbuild", "modernc.org/sqlite", "golang.org/x/crypto/bcrypt",
	"github.com/andybalholm/brotli", "github.com/quic-go/", "go.mongodb.org/",
}

// maxThirdParty is the most third-party packages a net/http app importing server and
// injector may compile (go-webauthn alone is about 40).
const maxThirdParty = 45

// TestAdopterDependencies builds what a new user builds: a net/http app in a module of
// its own, outside this tree, that requires the core (through a replace to this
// checkout) and imports server and injector. It counts the third-party packages the
// app compiles and the requires its go.mod gets.
func TestAdopterDependencies(t *testing.T) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/adopter\n\ngo 1.26.0\n\nrequire github.com/chirpkit/passkeys v0.0.0-00010101000000-000000000000\n\nreplace github.com/chirpkit/passkeys => "+root+"\n")
	write("main.go", `package main

import (
	"log"
	"net/http"

	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/server"
)

func main() {
	pk, err := server.New(server.Config{RPID: "localhost", Origins: []string{"http://localhost:8000"}})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/passkey/login/begin", func(w http.ResponseWriter, r *http.Request) {
		_ = pk.BeginAuthentication(w, r, server.AuthenticationOptions{})
	})
	log.Fatal(http.ListenAndServe("localhost:8000", injector.Middleware(injector.Options{})(mux)))
}
`)
	gocmd := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.Output()
		if err != nil {
			msg := ""
			if ee, ok := err.(*exec.ExitError); ok {
				msg = string(ee.Stderr)
			}
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
		}
		return string(out)
	}
	gocmd("mod", "tidy")
	var third []string
	for _, p := range strings.Fields(gocmd("list", "-deps", ".")) {
		first, _, _ := strings.Cut(p, "/")
		if strings.Contains(first, ".") && !strings.HasPrefix(p, "github.com/chirpkit/passkeys") && !strings.HasPrefix(p, "example.com/") {
			third = append(third, p)
		}
	}
	sort.Strings(third)
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	indirect := strings.Count(string(mod), "// indirect")
	t.Logf("a net/http app importing server and injector compiles %d third-party packages; its go.mod has %d indirect requires", len(third), indirect)
	for _, p := range third {
		for _, h := range heavy {
			if strings.HasPrefix(p, h) {
				t.Errorf("the app compiles %s", p)
			}
		}
	}
	if len(third) > maxThirdParty {
		t.Errorf("the app compiles %d third-party packages, more than %d:\n%s", len(third), maxThirdParty, strings.Join(third, "\n"))
	}
}

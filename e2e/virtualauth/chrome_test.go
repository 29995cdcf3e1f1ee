package virtualauth_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
)

func TestFindChrome(t *testing.T) {
	real := virtualauth.Shared(t).ExecPath()
	t.Setenv("CHROME_PATH", "/nonexistent/chrome")
	_, err := virtualauth.FindChrome()
	if !errors.Is(err, virtualauth.ErrNoChrome) {
		t.Fatalf("bad CHROME_PATH: err = %v, want ErrNoChrome", err)
	}
	if !strings.Contains(err.Error(), "/nonexistent/chrome") {
		t.Errorf("error does not name CHROME_PATH: %v", err)
	}

	t.Setenv("CHROME_PATH", real)
	got, err := virtualauth.FindChrome()
	if err != nil || got != real {
		t.Fatalf("CHROME_PATH=%s: FindChrome() = %q, %v", real, got, err)
	}
}

// TestSharedWithoutChrome runs this test binary again without a browser, and
// checks that Shared fails loudly, or skips with E2E=skip.
func TestSharedWithoutChrome(t *testing.T) {
	if os.Getenv("VIRTUALAUTH_CHILD") == "1" {
		virtualauth.Shared(t)
		t.Fatal("Shared returned without a browser")
	}
	if testing.Short() {
		t.Skip("runs the test binary again")
	}
	run := func(e2e string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSharedWithoutChrome$", "-test.v")
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "E2E=") && !strings.HasPrefix(kv, "CHROME_PATH=") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "VIRTUALAUTH_CHILD=1", "CHROME_PATH=/nonexistent/chrome", "E2E="+e2e)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run("skip")
	if err != nil || !strings.Contains(out, "--- SKIP") || !strings.Contains(out, "E2E=skip") {
		t.Errorf("E2E=skip: err = %v, output:\n%s", err, out)
	}
	out, err = run("")
	if err == nil || !strings.Contains(out, "--- FAIL") || !strings.Contains(out, "apt-get install chromium") || !strings.Contains(out, "E2E=skip") {
		t.Errorf("no E2E: err = %v, output:\n%s", err, out)
	}
}

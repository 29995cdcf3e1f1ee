package passkeytest_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/e2e/passkeytest"
	"github.com/chirpkit/passkeys/examples/minimal/app"
	wasmsite "github.com/chirpkit/passkeys/examples/wasm/site"
)

// TestWasm runs the suite against examples/wasm through its /wasm page, whose buttons
// are wired in Go compiled to WebAssembly (package bridge/passkeys): sign-up, adding a
// passkey and signing in are clicks there, and the outcome is what the Go code wrote
// into #wasm-result. The page has no username field for a passkey sign-in.
func TestWasm(t *testing.T) {
	t.Parallel()
	files, err := wasmsite.Prepare(t.Context(), t.TempDir()) // GOOS=js GOARCH=wasm go build
	if err != nil {
		t.Fatal(err)
	}
	// Every page of the wasm front end compiles 2.5 MB of WebAssembly: by default the
	// scenarios where the front end itself acts (its buttons run the ceremonies and show
	// the outcome); the rest are the server's, which TestMinimal runs on the same app.
	// PASSKEYTEST_FULL=1 runs the whole battery here too.
	var only []string
	if os.Getenv("PASSKEYTEST_FULL") == "" {
		only = []string{passkeytest.ScenarioSignUpThenSignIn, passkeytest.ScenarioCancelled, passkeytest.ScenarioDuplicate,
			passkeytest.ScenarioDeleted, passkeytest.ScenarioSuperseded, passkeytest.ScenarioUserVerification}
	}
	passkeytest.Run(t, passkeytest.App{
		Scenarios:       only,
		Handler:         minimalApp(func(o *app.Options) { o.Routes = wasmsite.Routes(files) }),
		Page:            "/wasm",
		SignUp:          wasmSignUp,
		SignIn:          passkeytest.Form("/login", "#username", "#password"),
		Register:        func(p *passkeytest.Page) (passkeytest.Outcome, error) { return wasmClick(p, "#wasm-add-passkey") },
		Authenticate:    func(p *passkeytest.Page, _ string) (passkeytest.Outcome, error) { return wasmClick(p, "#wasm-login") },
		DeletePasskey:   deleteFromDashboard,
		NoUsernameFirst: true,
	})
}

const wasmReady = `document.readyState === "complete" && document.body && document.body.dataset.wasm === "ready"`

func wasmSignUp(p *passkeytest.Page, username string) error {
	if err := p.Goto("/wasm"); err != nil {
		return err
	}
	if err := p.WaitFor(wasmReady, 15*time.Second); err != nil {
		return err
	}
	if err := p.Fill("#wasm-username", username); err != nil {
		return err
	}
	if err := p.Fill("#wasm-password", passkeytest.Password); err != nil {
		return err
	}
	o, err := wasmPress(p, "#wasm-signup")
	if err == nil && !o.OK {
		err = fmt.Errorf("sign-up: %v", o)
	}
	return err
}

// wasmClick clicks a button of the /wasm page and returns what the Go code reported in
// #wasm-result (after the reload that follows a sign-in or sign-up, if any).
func wasmClick(p *passkeytest.Page, button string) (passkeytest.Outcome, error) {
	if err := p.Open("/wasm"); err != nil {
		return passkeytest.Outcome{}, err
	}
	if err := p.WaitFor(wasmReady, 15*time.Second); err != nil {
		return passkeytest.Outcome{}, err
	}
	return wasmPress(p, button)
}

// wasmPress clicks a button of the /wasm page that the tab shows, as wasmClick.
func wasmPress(p *passkeytest.Page, button string) (passkeytest.Outcome, error) {
	if err := p.Eval(`document.getElementById("wasm-result").textContent = ""`, nil); err != nil {
		return passkeytest.Outcome{}, err
	}
	if err := p.Click(button); err != nil {
		return passkeytest.Outcome{}, err
	}
	if err := p.WaitFor(wasmReady+` && document.getElementById("wasm-result").textContent !== ""`, 20*time.Second); err != nil {
		return passkeytest.Outcome{}, err
	}
	var line string
	if err := p.Eval(`document.getElementById("wasm-result").textContent`, &line); err != nil {
		return passkeytest.Outcome{}, err
	}
	return parseWasmResult(line), nil
}

// parseWasmResult reads "register: ok" or
// "authenticate: error reason=failed code=server_rejected is=ErrFailed status=400 server_code=x".
func parseWasmResult(line string) passkeytest.Outcome {
	_, rest, _ := strings.Cut(line, ": ")
	if rest == "ok" {
		return passkeytest.Outcome{OK: true}
	}
	o := passkeytest.Outcome{Message: line}
	for _, f := range strings.Fields(rest) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "reason":
			o.Reason = v
		case "code":
			o.Code = v
		case "server_code":
			o.ServerCode = v
		case "status":
			fmt.Sscan(v, &o.Status)
		}
	}
	if o.Reason == "" {
		o.Reason = "failed"
	}
	return o
}

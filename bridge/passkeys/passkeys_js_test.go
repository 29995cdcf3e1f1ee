//go:build js && wasm

package passkeys

import (
	"context"
	"errors"
	"strings"
	"syscall/js"
	"testing"
	"time"
)

// These tests run in Node (make wasm: GOOS=js GOARCH=wasm go test -exec go_js_wasm_exec)
// against a fake window.chirp.passkeys written in Go; e2e/wasm_test.go runs the real one
// in Chromium.

// fakeBridge installs globalThis.chirp.passkeys with the methods given, and removes it
// at the end of the test.
func fakeBridge(t *testing.T, methods map[string]func(args []js.Value) any) {
	t.Helper()
	pk := object()
	var funcs []js.Func
	for name, f := range methods {
		fn := js.FuncOf(func(_ js.Value, args []js.Value) any { return f(args) })
		funcs = append(funcs, fn)
		pk.Set(name, fn)
	}
	chirp := object()
	chirp.Set("passkeys", pk)
	js.Global().Set("chirp", chirp)
	t.Cleanup(func() {
		js.Global().Delete("chirp")
		for _, fn := range funcs {
			fn.Release()
		}
	})
}

func resolve(v any) js.Value { return js.Global().Get("Promise").Call("resolve", v) }
func reject(v any) js.Value  { return js.Global().Get("Promise").Call("reject", v) }

func jsonOf(v js.Value) string { return string(stringify(v)) }

// pendingUntilAbort is a promise that rejects as the bridge does when signal aborts.
func pendingUntilAbort(signal js.Value, ceremony string) js.Value {
	var executor, onAbort js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		rej := args[1]
		onAbort = js.FuncOf(func(js.Value, []js.Value) any {
			e := js.Global().Get("Error").New("aborted")
			e.Set("passkeyReason", "cancelled")
			e.Set("code", "aborted")
			e.Set("ceremony", ceremony)
			e.Set("retryable", true)
			rej.Invoke(e)
			onAbort.Release()
			return nil
		})
		signal.Call("addEventListener", "abort", onAbort)
		return nil
	})
	defer executor.Release()
	return js.Global().Get("Promise").New(executor)
}

func TestNoBridge(t *testing.T) {
	js.Global().Delete("chirp")
	ctx := context.Background()
	if _, err := RegisterWith(ctx, With{Begin: "/b", Finish: "/f"}); err != ErrNoBridge {
		t.Errorf("RegisterWith: %v", err)
	}
	if _, err := Authenticate(ctx, []byte(`{}`)); err != ErrNoBridge {
		t.Errorf("Authenticate: %v", err)
	}
	if _, err := ClientCapabilities(ctx); err != ErrNoBridge {
		t.Errorf("ClientCapabilities: %v", err)
	}
	if IsSupported() {
		t.Error("IsSupported without a bridge")
	}
	Abort() // no panic
}

func TestRegisterPassesOptions(t *testing.T) {
	var input, opts js.Value
	fakeBridge(t, map[string]func([]js.Value) any{
		"register": func(args []js.Value) any {
			input, opts = args[0], args[1]
			return resolve(js.Global().Get("JSON").Call("parse", `{"id":"abc","response":{"a":[1,2]}}`))
		},
	})
	res, err := Register(context.Background(), []byte(`{"publicKey":{"challenge":"x\u00e9"}}`), Conditional(), Timeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(res.JSON), `{"id":"abc","response":{"a":[1,2]}}`; got != want {
		t.Errorf("Result.JSON %s, want %s", got, want)
	}
	if got := input.Get("publicKey").Get("challenge").String(); got != "xé" {
		t.Errorf("the bridge got challenge %q: options not parsed by the browser", got)
	}
	if !opts.Get("conditional").Bool() || opts.Get("timeout").Int() != 2000 || !opts.Get("signal").InstanceOf(js.Global().Get("AbortSignal")) {
		t.Errorf("call options %s, signal %v", jsonOf(opts), opts.Get("signal"))
	}
}

func TestAuthenticateWithoutOptions(t *testing.T) {
	var opts js.Value
	fakeBridge(t, map[string]func([]js.Value) any{
		"authenticate": func(args []js.Value) any { opts = args[1]; return resolve(js.Undefined()) },
	})
	res, err := Authenticate(context.Background(), []byte(`{}`))
	if err != nil || string(res.JSON) != "null" {
		t.Fatalf("Authenticate: %q, %v", res.JSON, err)
	}
	if !opts.Get("conditional").IsUndefined() || !opts.Get("timeout").IsUndefined() {
		t.Errorf("call options %s", jsonOf(opts))
	}
}

func TestWithMembers(t *testing.T) {
	var o js.Value
	fakeBridge(t, map[string]func([]js.Value) any{
		"authenticateWith": func(args []js.Value) any { o = args[0]; return resolve(map[string]any{"ok": true}) },
	})
	res, err := AuthenticateWith(context.Background(), With{Begin: "/b", Finish: "/f", Body: []byte(`{"username":"ada"}`),
		CSRFToken: "tok", CSRFHeader: "X-T", Timeout: time.Second})
	if err != nil || string(res.JSON) != `{"ok":true}` {
		t.Fatalf("AuthenticateWith: %s, %v", res.JSON, err)
	}
	if got, want := jsonOf(o), `{"begin":"/b","finish":"/f","body":{"username":"ada"},"csrfToken":"tok","csrfHeader":"X-T","timeout":1000,"signal":{}}`; got != want {
		t.Errorf("WithOptions %s, want %s", got, want)
	}
}

func TestBadJSON(t *testing.T) {
	called := false
	fakeBridge(t, map[string]func([]js.Value) any{
		"register":     func([]js.Value) any { called = true; return resolve(nil) },
		"registerWith": func([]js.Value) any { called = true; return resolve(nil) },
	})
	_, err1 := Register(context.Background(), []byte(`{"challenge":`))
	_, err2 := RegisterWith(context.Background(), With{Begin: "/b", Finish: "/f", Body: []byte(`{username: "ada"}`)})
	for i, err := range []error{err1, err2} {
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeBadOptions || !errors.Is(err, ErrMisconfigured) || !strings.Contains(e.Cause, "not valid JSON") {
			t.Errorf("%d: %v", i, err)
		}
	}
	if called {
		t.Error("the bridge was called with invalid JSON")
	}
}

func TestRejections(t *testing.T) {
	fakeBridge(t, map[string]func([]js.Value) any{
		"registerWith": func([]js.Value) any {
			e := js.Global().Get("Error").New("The server refused.")
			for k, v := range map[string]any{"passkeyReason": "failed", "code": "server_rejected", "ceremony": "register",
				"retryable": true, "status": 400, "serverCode": "challenge_missing", "serverMessage": "Start again."} {
				e.Set(k, v)
			}
			e.Set("cause", js.Global().Get("JSON").Call("parse", `{"code":"challenge_missing","error":"Start again."}`))
			return reject(e)
		},
		"authenticateWith": func([]js.Value) any {
			return reject(js.Global().Get("TypeError").New("boom"))
		},
	})
	_, err := RegisterWith(context.Background(), With{Begin: "/b", Finish: "/f"})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrFailed) || errors.Is(err, ErrCancelled) {
		t.Fatalf("%v", err)
	}
	want := Error{Reason: ReasonFailed, Code: CodeServerRejected, Ceremony: CeremonyRegister, Retryable: true, Status: 400,
		ServerCode: ServerCodeChallengeMissing, ServerMessage: "Start again.", Message: "The server refused.",
		Cause: `{"code":"challenge_missing","error":"Start again."}`}
	if *e != want {
		t.Errorf("got %+v\nwant %+v", *e, want)
	}
	if got := err.Error(); got != "passkeys: register: failed (server_rejected): 400 challenge_missing: Start again." {
		t.Errorf("Error() = %q", got)
	}

	_, err = AuthenticateWith(context.Background(), With{Begin: "/b", Finish: "/f"})
	if !errors.As(err, &e) || e.Code != CodeUnknown || e.Ceremony != CeremonyAuthenticate || e.Cause != "TypeError: boom" {
		t.Errorf("a plain TypeError: %v", err)
	}
}

func TestCancel(t *testing.T) {
	calls := 0
	fakeBridge(t, map[string]func([]js.Value) any{
		"authenticate": func(args []js.Value) any { calls++; return pendingUntilAbort(args[1].Get("signal"), "authenticate") },
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := Authenticate(ctx, []byte(`{}`))
	if !errors.Is(err, ErrCancelled) || !errors.Is(err, &Error{Code: CodeAborted}) {
		t.Errorf("cancelled: %v", err)
	}
	// Already done: no ceremony at all.
	_, err = Authenticate(ctx, []byte(`{}`))
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeAborted || e.Cause != "context canceled" || calls != 1 {
		t.Errorf("done context: %v, %d calls", err, calls)
	}
	// A context that ends after the ceremony did: nothing happens then.
	fakeBridge(t, map[string]func([]js.Value) any{"authenticate": func([]js.Value) any { return resolve("ok") }})
	ctx, cancel = context.WithCancel(context.Background())
	if res, err := Authenticate(ctx, []byte(`{}`)); err != nil || string(res.JSON) != `"ok"` {
		t.Errorf("%s, %v", res.JSON, err)
	}
	cancel()
	time.Sleep(10 * time.Millisecond)
}

func TestClientCapabilities(t *testing.T) {
	fakeBridge(t, map[string]func([]js.Value) any{
		"capabilities": func([]js.Value) any {
			return resolve(map[string]any{"conditionalCreate": true, "hybridTransport": false, "extension:prf": true, "odd": "yes"})
		},
		"isSupported": func([]js.Value) any { return true },
	})
	caps, err := ClientCapabilities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 3 || !caps[CapabilityConditionalCreate] || caps[CapabilityHybridTransport] || !caps[Extension("prf")] || caps[CapabilityConditionalGet] {
		t.Errorf("capabilities %v", caps)
	}
	if !IsSupported() {
		t.Error("IsSupported")
	}

	// A browser that never answers: the context ends the wait.
	fakeBridge(t, map[string]func([]js.Value) any{
		"capabilities": func([]js.Value) any {
			return js.Global().Get("Promise").New(js.FuncOf(func(js.Value, []js.Value) any { return nil }))
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := ClientCapabilities(ctx); err != context.DeadlineExceeded {
		t.Errorf("never answered: %v", err)
	}
}

func TestAbort(t *testing.T) {
	aborted := 0
	fakeBridge(t, map[string]func([]js.Value) any{"abort": func([]js.Value) any { aborted++; return nil }})
	Abort()
	if aborted != 1 {
		t.Errorf("abort called %d times", aborted)
	}
}

func TestSignals(t *testing.T) {
	var got []string
	refuse := false
	fakeBridge(t, map[string]func(args []js.Value) any{
		"signalAccepted": func(args []js.Value) any {
			got = append(got, "accepted "+jsonOf(args[0]))
			if refuse {
				e := js.Global().Get("Error").New("refused")
				e.Set("passkeyReason", "misconfigured")
				e.Set("code", "signal_refused")
				e.Set("ceremony", "signal")
				e.Set("retryable", false)
				return reject(e)
			}
			return resolve(js.Undefined())
		},
		"signalUnknown": func(args []js.Value) any {
			got = append(got, "unknown "+jsonOf(args[0]))
			return resolve(js.Undefined())
		},
		"signalUser": func(args []js.Value) any { got = append(got, "user "+jsonOf(args[0])); return resolve(js.Undefined()) },
	})
	ctx := context.Background()
	if err := SignalAccepted(ctx, []byte(`{"rpId":"x","userId":"AQ","allAcceptedCredentialIds":[]}`)); err != nil {
		t.Fatal(err)
	}
	if err := SignalUnknown(ctx, []byte(`{"rpId":"x","credentialId":"AQ"}`)); err != nil {
		t.Fatal(err)
	}
	if err := SignalUser(ctx, []byte(`{"rpId":"x","userId":"AQ","name":"a","displayName":"A"}`)); err != nil {
		t.Fatal(err)
	}
	want := `accepted {"rpId":"x","userId":"AQ","allAcceptedCredentialIds":[]}|unknown {"rpId":"x","credentialId":"AQ"}|user {"rpId":"x","userId":"AQ","name":"a","displayName":"A"}`
	if strings.Join(got, "|") != want {
		t.Fatalf("calls %q", got)
	}
	refuse = true
	err := SignalAccepted(ctx, []byte(`{}`))
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeSignalRefused || e.Ceremony != CeremonySignal || !errors.Is(err, ErrMisconfigured) {
		t.Fatalf("refused: %v", err)
	}
	if err := SignalUser(ctx, []byte(`{nope`)); !errors.As(err, &e) || e.Code != CodeBadOptions {
		t.Fatalf("bad JSON: %v", err)
	}
}

func TestPRFOutputs(t *testing.T) {
	fakeBridge(t, map[string]func(args []js.Value) any{
		"authenticate": func(args []js.Value) any {
			res := object()
			res.Set("id", "AQ")
			prf := object()
			first := js.Global().Get("Uint8Array").New(32)
			first.SetIndex(0, 7)
			prf.Set("first", first)
			res.Set("prf", prf)
			return resolve(res)
		},
	})
	r, err := Authenticate(context.Background(), []byte(`{"challenge":"AQ"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PRFFirst) != 32 || r.PRFFirst[0] != 7 || r.PRFSecond != nil {
		t.Fatalf("PRF %v %v", r.PRFFirst, r.PRFSecond)
	}
}

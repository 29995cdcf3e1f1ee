//go:build js && wasm

// Command client is the Go side of the WebAssembly example page (/wasm): its sign-up,
// add-passkey, sign-in and sign-out buttons are wired here, the passkey ones through the
// package bridge/passkeys (which calls the injected window.chirp.passkeys).
//
// The page writes each outcome into #wasm-result, e.g.
//
//	register: ok
//	register: error reason=duplicate code=excluded_credential is=ErrDuplicate
package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"

	"github.com/chirpkit/passkeys/bridge/passkeys"
)

const flashKey = "wasm-result"

var (
	doc = js.Global().Get("document")

	mu     sync.Mutex
	cancel context.CancelFunc // of the running ceremony, for #wasm-cancel
)

// What the page says for each reason: nothing on cancelled (the user chose to stop).
var messages = map[passkeys.Reason]string{
	passkeys.ReasonCancelled:     "",
	passkeys.ReasonDuplicate:     "This device already has a passkey for your account.",
	passkeys.ReasonMisconfigured: "Passkeys are not set up correctly on this site. Please tell us.",
	passkeys.ReasonUnsupported:   "This browser cannot use passkeys. Use your password instead.",
	passkeys.ReasonFailed:        "That did not work. Please try again.",
}

func main() {
	// A result kept across the reload that follows a sign-up, sign-in or sign-out.
	storage := js.Global().Get("sessionStorage")
	if v := storage.Call("getItem", flashKey); v.Type() == js.TypeString {
		storage.Call("removeItem", flashKey)
		show(v.String(), "")
	}
	wire("wasm-signup", signUp)
	wire("wasm-add-passkey", func(ctx context.Context) {
		_, err := passkeys.RegisterWith(ctx, passkeys.With{
			Begin:  "/auth/passkey/register/begin",
			Finish: "/auth/passkey/register/finish",
		})
		report("register", err, false)
	})
	wire("wasm-login", func(ctx context.Context) {
		_, err := passkeys.AuthenticateWith(ctx, passkeys.With{
			Begin:  "/auth/passkey/login/begin",
			Finish: "/auth/passkey/login/finish",
		})
		report("authenticate", err, true) // signed in: reload for the new session's page
	})
	wire("wasm-logout", func(ctx context.Context) {
		if err := postForm(ctx, "/logout", nil); err != nil {
			show("logout: error "+err.Error(), "")
			return
		}
		reload("logout: ok")
	})
	if b := doc.Call("getElementById", "wasm-cancel"); !b.IsNull() {
		b.Call("addEventListener", "click", js.FuncOf(func(js.Value, []js.Value) any {
			mu.Lock()
			defer mu.Unlock()
			if cancel != nil {
				cancel() // aborts the ceremony: AbortSignal underneath
			}
			return nil
		}))
		b.Set("disabled", false)
	}
	doc.Get("body").Get("dataset").Set("wasm", "ready")
	select {} // keep the callbacks alive
}

// wire runs f in a goroutine on every click of the button id (blocking in the callback
// itself would stop the page's event loop), with a context that #wasm-cancel cancels.
func wire(id string, f func(ctx context.Context)) {
	b := doc.Call("getElementById", id)
	if b.IsNull() {
		return
	}
	b.Call("addEventListener", "click", js.FuncOf(func(js.Value, []js.Value) any {
		ctx, stop := context.WithCancel(context.Background())
		mu.Lock()
		cancel = stop
		mu.Unlock()
		show("", "")
		go func() {
			defer stop()
			f(ctx)
		}()
		return nil
	}))
	b.Set("disabled", false)
}

// report shows the outcome of a ceremony, the way a Go UI tells errors apart.
func report(ceremony string, err error, reloadOnSuccess bool) {
	if err == nil {
		if reloadOnSuccess {
			reload(ceremony + ": ok")
			return
		}
		show(ceremony+": ok", "")
		return
	}
	var e *passkeys.Error
	if !errors.As(err, &e) {
		show(ceremony+": error "+err.Error(), messages[passkeys.ReasonFailed])
		return
	}
	line := fmt.Sprintf("%s: error reason=%s code=%s is=%s", ceremony, e.Reason, e.Code, sentinel(err))
	if e.Code == passkeys.CodeServerRejected {
		line += fmt.Sprintf(" status=%d server_code=%s", e.Status, e.ServerCode)
	}
	msg := messages[e.Reason]
	if e.Reason == passkeys.ReasonMisconfigured {
		js.Global().Get("console").Call("error", "passkeys setup:", err.Error())
	}
	if e.Code == passkeys.CodeServerRejected && e.ServerCode == passkeys.ServerCodeLoginRequired {
		msg = "Sign in first."
	}
	show(line, msg)
}

// sentinel names the sentinel err matches with errors.Is.
func sentinel(err error) string {
	switch {
	case errors.Is(err, passkeys.ErrCancelled):
		return "ErrCancelled"
	case errors.Is(err, passkeys.ErrDuplicate):
		return "ErrDuplicate"
	case errors.Is(err, passkeys.ErrMisconfigured):
		return "ErrMisconfigured"
	case errors.Is(err, passkeys.ErrUnsupported):
		return "ErrUnsupported"
	case errors.Is(err, passkeys.ErrFailed):
		return "ErrFailed"
	}
	return "none"
}

func show(result, message string) {
	doc.Call("getElementById", "wasm-result").Set("textContent", result)
	doc.Call("getElementById", "wasm-message").Set("textContent", message)
}

// reload keeps result for the next page (sessionStorage) and reloads: the session, and
// with it the CSRF token, changed.
func reload(result string) {
	js.Global().Get("sessionStorage").Call("setItem", flashKey, result)
	js.Global().Get("location").Call("reload")
}

func signUp(ctx context.Context) {
	form := map[string]string{
		"username": doc.Call("getElementById", "wasm-username").Get("value").String(),
		"password": doc.Call("getElementById", "wasm-password").Get("value").String(),
	}
	if err := postForm(ctx, "/signup", form); err != nil {
		show("signup: error "+err.Error(), "Choose another username, and a password of 8 to 72 characters.")
		return
	}
	reload("signup: ok")
}

// postForm POSTs an urlencoded form with the page's CSRF token, and fails on a non-2xx
// answer (after redirects).
func postForm(ctx context.Context, url string, fields map[string]string) error {
	params := js.Global().Get("URLSearchParams").New()
	for k, v := range fields {
		params.Call("append", k, v)
	}
	params.Call("append", "csrf_token", doc.Call("querySelector", `meta[name="csrf-token"]`).Get("content"))
	init := js.Global().Get("Object").New()
	init.Set("method", "POST")
	init.Set("credentials", "same-origin")
	init.Set("body", params)
	init.Set("signal", abortSignal(ctx))
	res, err := await(js.Global().Call("fetch", url, init))
	if err != nil {
		return err
	}
	if !res.Get("ok").Bool() {
		return fmt.Errorf("status=%d", res.Get("status").Int())
	}
	return nil
}

// await waits for a promise to settle (always: its callbacks are released after).
func await(p js.Value) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any { ch <- settled{v: args[0]}; return nil })
	defer then.Release()
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{err: errors.New(js.Global().Call("String", args[0]).String())}
		return nil
	})
	defer catch.Release()
	p.Call("then", then, catch)
	r := <-ch
	return r.v, r.err
}

// abortSignal returns an AbortSignal that aborts when ctx is done.
func abortSignal(ctx context.Context) js.Value {
	ac := js.Global().Get("AbortController").New()
	go func() {
		<-ctx.Done()
		ac.Call("abort")
	}()
	return ac.Get("signal")
}

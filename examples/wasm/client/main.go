//go:build js && wasm

// Command client is the Go side of the WebAssembly example page (/wasm): a Go front end
// that signs up, registers passkeys, signs in, lists and deletes passkeys and signs out.
// The ceremonies go through the package bridge/passkeys (which calls the injected
// window.chirp.passkeys); the rest is fetch through syscall/js, against the example
// app's own endpoints (the list is read from its /dashboard page, a delete is its
// form's POST).
//
// Like the package, it imports neither fmt nor encoding/json: the browser does the JSON
// and the HTML, and the binary stays small (see the package doc of bridge/passkeys).
//
// The page writes each outcome into #wasm-result, e.g.
//
//	register: ok
//	register: error reason=duplicate code=excluded_credential is=ErrDuplicate
package main

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall/js"

	"github.com/chirpkit/passkeys/bridge/passkeys"
)

const flashKey = "wasm-result"

var (
	doc = js.Global().Get("document")

	mu     sync.Mutex
	cancel context.CancelFunc // of the running action, for #wasm-cancel
)

// What the page says for each reason: nothing on cancelled (the user chose to stop).
var messages = map[passkeys.Reason]string{
	passkeys.ReasonCancelled:     "",
	passkeys.ReasonDuplicate:     "This device already has a passkey for your account.",
	passkeys.ReasonMisconfigured: "Passkeys are not set up correctly on this site. Please tell us.",
	passkeys.ReasonUnsupported:   "This browser cannot use passkeys. Use your password instead.",
	passkeys.ReasonFailed:        "That did not work. Please try again.",
}

// main may block (it is not a js.Func callback): it asks the browser what it can do and
// lists the passkeys before it wires the buttons.
func main() {
	ctx := context.Background()
	// A result kept across the reload that follows a sign-up, sign-in or sign-out.
	storage := js.Global().Get("sessionStorage")
	if v := storage.Call("getItem", flashKey); v.Type() == js.TypeString {
		storage.Call("removeItem", flashKey)
		show(v.String(), "")
	}

	caps, err := passkeys.ClientCapabilities(ctx)
	if err != nil {
		show("capabilities: error "+err.Error(), "")
	}
	var can []string
	for name, ok := range caps {
		if ok {
			can = append(can, string(name))
		}
	}
	slices.Sort(can)
	byID("wasm-capabilities").Set("textContent", strings.Join(can, " "))
	if !passkeys.IsSupported() {
		show("", messages[passkeys.ReasonUnsupported])
	}

	if list := byID("wasm-passkeys"); !list.IsNull() { // signed in
		if err := refresh(ctx); err != nil {
			show("list: error "+err.Error(), "")
		}
		// One listener for the Delete buttons of every rendering of the list.
		list.Call("addEventListener", "click", js.FuncOf(func(_ js.Value, args []js.Value) any {
			if b := args[0].Get("target"); b.Call("matches", "button.wasm-delete").Bool() {
				id := b.Call("closest", "li").Get("dataset").Get("id").String()
				start(func(ctx context.Context) { remove(ctx, id) })
			}
			return nil
		}))
	}

	wire("wasm-signup", signUp)
	wire("wasm-add-passkey", func(ctx context.Context) {
		_, err := passkeys.RegisterWith(ctx, passkeys.With{
			Begin:  "/auth/passkey/register/begin",
			Finish: "/auth/passkey/register/finish",
		})
		report("register", err)
		if err == nil {
			refreshOrShow(ctx)
		}
	})
	// Conditional create (an automatic passkey upgrade): the browser makes the passkey
	// without a dialog when its password manager just signed this user in; until then the
	// call stays pending (Cancel ends it). Offered where the browser has it.
	if caps[passkeys.CapabilityConditionalCreate] {
		if b := byID("wasm-upgrade"); !b.IsNull() {
			b.Set("hidden", false)
		}
	}
	wire("wasm-upgrade", func(ctx context.Context) {
		show("upgrade: waiting", "The browser adds a passkey when its password manager signs you in.")
		_, err := passkeys.RegisterWith(ctx, passkeys.With{
			Begin:       "/auth/passkey/register/begin",
			Finish:      "/auth/passkey/register/finish",
			Conditional: true,
		})
		report("upgrade", err)
		if err == nil {
			refreshOrShow(ctx)
		}
	})
	wire("wasm-login", func(ctx context.Context) {
		_, err := passkeys.AuthenticateWith(ctx, passkeys.With{
			Begin:  "/auth/passkey/login/begin",
			Finish: "/auth/passkey/login/finish",
		})
		if err == nil {
			reload("authenticate: ok") // signed in: reload for the new session's page
			return
		}
		report("authenticate", err)
	})
	wire("wasm-logout", func(ctx context.Context) {
		if _, err := post(ctx, "/logout", nil); err != nil {
			show("logout: error "+err.Error(), "")
			return
		}
		reload("logout: ok")
	})
	if b := byID("wasm-cancel"); !b.IsNull() {
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

func byID(id string) js.Value { return doc.Call("getElementById", id) }

// wire runs f in a goroutine on every click of the element (blocking in the callback
// itself would stop the page's event loop), with a context that #wasm-cancel cancels.
func wire(id string, f func(ctx context.Context)) {
	if b := byID(id); !b.IsNull() {
		onClick(b, f)
		b.Set("disabled", false)
	}
}

func onClick(el js.Value, f func(ctx context.Context)) {
	el.Call("addEventListener", "click", js.FuncOf(func(js.Value, []js.Value) any {
		start(f)
		return nil
	}))
}

// start runs f in a goroutine with a context that #wasm-cancel cancels.
func start(f func(ctx context.Context)) {
	ctx, stop := context.WithCancel(context.Background())
	mu.Lock()
	cancel = stop
	mu.Unlock()
	show("", "")
	go func() {
		defer stop()
		f(ctx)
	}()
}

// report shows the outcome of a ceremony, the way a Go UI tells errors apart.
func report(what string, err error) {
	if err == nil {
		show(what+": ok", "")
		return
	}
	var e *passkeys.Error
	if !errors.As(err, &e) {
		show(what+": error "+err.Error(), messages[passkeys.ReasonFailed])
		return
	}
	line := what + ": error reason=" + string(e.Reason) + " code=" + string(e.Code) + " is=" + sentinel(err)
	if e.Code == passkeys.CodeServerRejected {
		line += " status=" + strconv.Itoa(e.Status) + " server_code=" + e.ServerCode
	}
	msg := messages[e.Reason]
	if e.Reason == passkeys.ReasonMisconfigured {
		js.Global().Get("console").Call("error", "passkeys setup:", err.Error())
	}
	switch {
	case e.Code == passkeys.CodeServerRejected && e.ServerCode == passkeys.ServerCodeLoginRequired:
		msg = "Sign in first."
	case e.Code == passkeys.CodeServerRejected && e.ServerCode == passkeys.ServerCodeUnknownCredential:
		msg = "This passkey was deleted from your account. Sign in with your password."
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
	byID("wasm-result").Set("textContent", result)
	byID("wasm-message").Set("textContent", message)
}

// reload keeps result for the next page (sessionStorage) and reloads: the session, and
// with it the CSRF token, changed.
func reload(result string) {
	js.Global().Get("sessionStorage").Call("setItem", flashKey, result)
	js.Global().Get("location").Call("reload")
}

func signUp(ctx context.Context) {
	form := [][2]string{
		{"username", byID("wasm-username").Get("value").String()},
		{"password", byID("wasm-password").Get("value").String()},
	}
	if _, err := post(ctx, "/signup", form); err != nil {
		show("signup: error "+err.Error(), "Choose another username, and a password of 8 to 72 characters.")
		return
	}
	reload("signup: ok")
}

// A passkey of the list.
type passkey struct{ id, label string }

// refresh lists the signed-in user's passkeys: the example app has no JSON endpoint for
// them, so the list is read from its /dashboard page (DOMParser does the HTML).
func refresh(ctx context.Context) error {
	html, err := fetchText(ctx, "/dashboard", js.Undefined())
	if err != nil {
		return err
	}
	render(parse(html))
	return nil
}

func refreshOrShow(ctx context.Context) {
	if err := refresh(ctx); err != nil {
		show("list: error "+err.Error(), "")
	}
}

// parse reads the passkeys of a /dashboard page: <li class="passkey" data-id="…">label<form…>.
func parse(html string) []passkey {
	page := js.Global().Get("DOMParser").New().Call("parseFromString", html, "text/html")
	items := page.Call("querySelectorAll", "li.passkey")
	keys := make([]passkey, 0, items.Length())
	for i := range items.Length() {
		li := items.Index(i)
		keys = append(keys, passkey{
			id:    li.Get("dataset").Get("id").String(),
			label: strings.TrimSpace(li.Get("firstChild").Get("textContent").String()),
		})
	}
	return keys
}

// render shows keys in #wasm-passkeys, each with its Delete button (see main).
func render(keys []passkey) {
	ul := byID("wasm-passkeys")
	ul.Call("replaceChildren")
	for _, k := range keys {
		li := doc.Call("createElement", "li")
		li.Set("className", "passkey")
		li.Get("dataset").Set("id", k.id)
		li.Call("append", k.label+" ")
		b := doc.Call("createElement", "button")
		b.Set("type", "button")
		b.Set("className", "wasm-delete")
		b.Set("textContent", "Delete")
		li.Call("append", b)
		ul.Call("append", li)
	}
	byID("wasm-no-passkeys").Set("hidden", len(keys) > 0)
}

// remove deletes the passkey id with the app's form POST, which answers with the
// dashboard (after its redirect): the new list.
func remove(ctx context.Context, id string) {
	html, err := post(ctx, "/passkeys/"+id+"/delete", nil)
	if err != nil {
		show("delete: error "+err.Error(), "")
		return
	}
	render(parse(html))
	show("delete: ok", "")
}

// post POSTs an urlencoded form with the page's CSRF token and returns the text of the
// answer (after redirects); a non-2xx answer is an error.
func post(ctx context.Context, url string, fields [][2]string) (string, error) {
	params := js.Global().Get("URLSearchParams").New()
	for _, f := range fields {
		params.Call("append", f[0], f[1])
	}
	params.Call("append", "csrf_token", doc.Call("querySelector", `meta[name="csrf-token"]`).Get("content"))
	init := js.Global().Get("Object").New()
	init.Set("method", "POST")
	init.Set("body", params)
	return fetchText(ctx, url, init)
}

// fetchText fetches url (same-origin credentials, aborted when ctx is done) and returns
// the answer's text; a non-2xx answer, or a redirect to the sign-in page, is an error.
func fetchText(ctx context.Context, url string, init js.Value) (string, error) {
	if init.IsUndefined() || init.IsNull() {
		init = js.Global().Get("Object").New()
	}
	init.Set("credentials", "same-origin")
	init.Set("signal", abortSignal(ctx))
	res, err := await(js.Global().Call("fetch", url, init))
	if err != nil {
		return "", err
	}
	if !res.Get("ok").Bool() {
		return "", errors.New("status=" + strconv.Itoa(res.Get("status").Int()))
	}
	if strings.HasSuffix(res.Get("url").String(), "/login") {
		return "", errors.New("signed out")
	}
	text, err := await(res.Call("text"))
	if err != nil {
		return "", err
	}
	return text.String(), nil
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
	if done := ctx.Done(); done != nil {
		go func() {
			<-done
			ac.Call("abort")
		}()
	}
	return ac.Get("signal")
}

//go:build js && wasm

package passkeys

import (
	"context"
	"syscall/js"
)

// Register runs the registration ceremony in the browser: options is the JSON of the
// begin endpoint (bare PublicKeyCredentialCreationOptionsJSON or go-webauthn's
// {publicKey, mediation}); Result.JSON is the credential JSON to POST to the finish
// endpoint. Cancelling ctx aborts the ceremony (ReasonCancelled / CodeAborted).
// With Conditional(), a conditional create.
//
// Like every function of this package that takes a context it blocks until the browser
// answers: call it from a goroutine, never directly from a js.Func callback (that would
// deadlock the page).
func Register(ctx context.Context, options []byte, opts ...Option) (Result, error) {
	return ceremony(ctx, CeremonyRegister, options, opts)
}

// Authenticate runs the authentication ceremony in the browser: options is the JSON of
// the begin endpoint; Result.JSON is the credential JSON to POST to the finish endpoint.
// Cancelling ctx aborts the ceremony. With Conditional(), autofill sign-in.
func Authenticate(ctx context.Context, options []byte, opts ...Option) (Result, error) {
	return ceremony(ctx, CeremonyAuthenticate, options, opts)
}

// RegisterWith runs the whole registration loop (POST w.Begin, the ceremony, POST
// w.Finish, with the CSRF header); Result.JSON is the finish endpoint's JSON answer.
func RegisterWith(ctx context.Context, w With) (Result, error) {
	return with(ctx, CeremonyRegister, w)
}

// AuthenticateWith runs the whole authentication loop; Result.JSON is the finish
// endpoint's JSON answer (the example app's is {"ok":true,"redirect":"/dashboard"}).
func AuthenticateWith(ctx context.Context, w With) (Result, error) {
	return with(ctx, CeremonyAuthenticate, w)
}

// ClientCapabilities returns what the browser can do: its
// PublicKeyCredential.getClientCapabilities(), or the bridge's best-effort equivalent
// (with at least the conditional get and create and the platform authenticator). The
// error is ErrNoBridge, or ctx's when it is done first.
func ClientCapabilities(ctx context.Context) (Capabilities, error) {
	pk, err := bridge()
	if err != nil {
		return nil, err
	}
	v, _, err := wait(ctx, false, func(js.Value) js.Value { return pk.Call("capabilities") })
	if err != nil {
		return nil, err
	}
	caps := Capabilities{}
	if v.Type() != js.TypeObject {
		return caps, nil
	}
	keys := js.Global().Get("Object").Call("keys", v)
	for i, n := 0, keys.Length(); i < n; i++ {
		k := keys.Index(i).String()
		if b := v.Get(k); b.Type() == js.TypeBoolean {
			caps[Capability(k)] = b.Bool()
		}
	}
	return caps, nil
}

// IsSupported reports whether the browser has WebAuthn at all (false without the bridge).
func IsSupported() bool {
	pk, err := bridge()
	return err == nil && pk.Call("isSupported").Truthy()
}

// Abort cancels the pending ceremony, whoever started it (this program, or JavaScript on
// the page through the bridge): it fails with ReasonCancelled / CodeAborted.
func Abort() {
	if pk, err := bridge(); err == nil {
		pk.Call("abort")
	}
}

// bridge returns window.chirp.passkeys.
func bridge() (js.Value, error) {
	chirp := js.Global().Get("chirp")
	if chirp.Type() != js.TypeObject {
		return js.Value{}, ErrNoBridge
	}
	pk := chirp.Get("passkeys")
	if pk.Type() != js.TypeObject {
		return js.Value{}, ErrNoBridge
	}
	return pk, nil
}

func ceremony(ctx context.Context, c Ceremony, options []byte, opts []Option) (Result, error) {
	var o ceremonyOpts
	for _, f := range opts {
		f(&o)
	}
	pk, err := bridge()
	if err != nil {
		return Result{}, err
	}
	input, err := parse(options)
	if err != nil {
		return Result{}, badJSON(c, "options", err)
	}
	call := object()
	setFlags(call, o.conditional, o)
	return settle(ctx, c, func(signal js.Value) js.Value {
		call.Set("signal", signal)
		return pk.Call(string(c), input, call)
	})
}

func with(ctx context.Context, c Ceremony, w With) (Result, error) {
	pk, err := bridge()
	if err != nil {
		return Result{}, err
	}
	o := object()
	o.Set("begin", w.Begin)
	o.Set("finish", w.Finish)
	if w.Body != nil {
		body, err := parse(w.Body)
		if err != nil {
			return Result{}, badJSON(c, "With.Body", err)
		}
		o.Set("body", body)
	}
	setString(o, "csrfToken", w.CSRFToken)
	setString(o, "csrfHeader", w.CSRFHeader)
	setString(o, "csrfMeta", w.CSRFMeta)
	setFlags(o, w.Conditional, ceremonyOpts{timeout: w.Timeout})
	method := string(c) + "With"
	return settle(ctx, c, func(signal js.Value) js.Value {
		o.Set("signal", signal)
		return pk.Call(method, o)
	})
}

// setFlags sets the members that Register's options and With share.
func setFlags(o js.Value, conditional bool, opts ceremonyOpts) {
	if conditional {
		o.Set("conditional", true)
	}
	if opts.timeout > 0 {
		o.Set("timeout", opts.timeout.Milliseconds())
	}
}

func setString(o js.Value, name, v string) {
	if v != "" {
		o.Set(name, v)
	}
}

// badJSON is the error of options or a body that JSON.parse refused.
func badJSON(c Ceremony, what string, err error) *Error {
	e := NewError(CodeBadOptions, c)
	e.Cause = what + ": not valid JSON: " + err.Error()
	return e
}

func object() js.Value { return js.Global().Get("Object").New() }

// parse is the browser's JSON.parse: a SyntaxError comes back as the error.
func parse(b []byte) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			je, ok := r.(js.Error)
			if !ok {
				panic(r)
			}
			err = je
		}
	}()
	return js.Global().Get("JSON").Call("parse", string(b)), nil
}

// stringify is the browser's JSON.stringify, as bytes ("null" for undefined).
func stringify(v js.Value) []byte {
	if v.IsUndefined() {
		return []byte("null")
	}
	s := js.Global().Get("JSON").Call("stringify", v)
	if s.Type() != js.TypeString {
		return []byte("null")
	}
	return []byte(s.String())
}

// settle runs a ceremony's promise (see wait) and turns its outcome into a Result or an
// *Error.
func settle(ctx context.Context, c Ceremony, start func(signal js.Value) js.Value) (Result, error) {
	if err := ctx.Err(); err != nil {
		e := NewError(CodeAborted, c)
		e.Cause = err.Error()
		return Result{}, e
	}
	v, rejected, _ := wait(ctx, true, start)
	if rejected {
		return Result{}, toError(v, c)
	}
	r := Result{JSON: stringify(v)}
	if v.Type() == js.TypeObject {
		if prf := v.Get("prf"); prf.Type() == js.TypeObject {
			r.PRFFirst, r.PRFSecond = bytesOf(prf.Get("first")), bytesOf(prf.Get("second"))
		}
	}
	return r, nil
}

// bytesOf copies a Uint8Array into Go; nil for anything else.
func bytesOf(v js.Value) []byte {
	if v.Type() != js.TypeObject || !v.InstanceOf(js.Global().Get("Uint8Array")) {
		return nil
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}

// SignalUnknown tells the user's passkey provider that the credential in options
// ({"rpId", "credentialId"}) is unknown to the site, so that it stops offering it
// (PublicKeyCredential.signalUnknownCredential). AuthenticateWith does it by itself when
// the finish endpoint answers unknown_credential. Like the other signals it returns nil
// when the browser lacks the method, and an *Error with CodeSignalRefused when the
// browser refuses.
func SignalUnknown(ctx context.Context, options []byte) error {
	return signal(ctx, "signalUnknown", options)
}

// SignalAccepted tells the provider which credentials of a user the site still accepts
// ({"rpId", "userId", "allAcceptedCredentialIds"}: what server.Server.AcceptedCredentials
// makes), after the user deleted one, so that it drops the others.
func SignalAccepted(ctx context.Context, options []byte) error {
	return signal(ctx, "signalAccepted", options)
}

// SignalUser tells the provider the user's current name and display name ({"rpId",
// "userId", "name", "displayName"}: what server.Server.CurrentUserDetails makes).
func SignalUser(ctx context.Context, options []byte) error {
	return signal(ctx, "signalUser", options)
}

func signal(ctx context.Context, method string, options []byte) error {
	pk, err := bridge()
	if err != nil {
		return err
	}
	input, err := parse(options)
	if err != nil {
		return badJSON(CeremonySignal, "options", err)
	}
	v, rejected, err := wait(ctx, false, func(js.Value) js.Value { return pk.Call(method, input) })
	if err != nil {
		e := NewError(CodeAborted, CeremonySignal)
		e.Cause = err.Error()
		return e
	}
	if rejected {
		return toError(v, CeremonySignal)
	}
	return nil
}

// wait starts a promise with a fresh AbortSignal and waits until it settles. When ctx is
// done first: if abortable, it aborts the signal and still waits (the bridge then rejects
// with cancelled / aborted); if not, it returns ctx's error at once (the callbacks stay
// until the promise settles, then release themselves).
//
// It has no select statement: a goroutine waits for ctx.Done() (none for a context that
// is never done, such as context.Background()) and lives as long as ctx does; once the
// promise has settled its abort does nothing. The select would link the runtime's
// selectgo, 6 KB of the gzipped binary (see size_test.go).
func wait(ctx context.Context, abortable bool, start func(signal js.Value) js.Value) (v js.Value, rejected bool, err error) {
	type settled struct {
		v                 js.Value
		rejected, ctxDone bool
	}
	ch := make(chan settled, 2) // the promise's outcome, and ctx done: no send blocks
	var then, catch js.Func
	callback := func(rejected bool) js.Func {
		return js.FuncOf(func(_ js.Value, args []js.Value) any {
			then.Release() // allowed while running; the other one is never called
			catch.Release()
			v := js.Undefined()
			if len(args) > 0 {
				v = args[0]
			}
			ch <- settled{v: v, rejected: rejected}
			return nil
		})
	}
	then, catch = callback(false), callback(true)
	ac := js.Global().Get("AbortController").New()
	start(ac.Get("signal")).Call("then", then, catch)
	if done := ctx.Done(); done != nil {
		go func() {
			<-done
			ac.Call("abort")
			ch <- settled{ctxDone: true}
		}()
	}
	for {
		r := <-ch
		if !r.ctxDone {
			return r.v, r.rejected, nil
		}
		if !abortable {
			return js.Undefined(), false, ctx.Err()
		}
	}
}

// toError converts a rejection of the bridge (a PasskeyError) into an *Error.
func toError(v js.Value, c Ceremony) error {
	str := func(name string) string {
		if m := v.Get(name); m.Type() == js.TypeString {
			return m.String()
		}
		return ""
	}
	if v.Type() != js.TypeObject || str("passkeyReason") == "" {
		e := NewError(CodeUnknown, c)
		e.Cause = js.Global().Call("String", v).String()
		return e
	}
	e := &Error{
		Reason:        Reason(str("passkeyReason")),
		Code:          Code(str("code")),
		Ceremony:      Ceremony(str("ceremony")),
		Retryable:     v.Get("retryable").Truthy(),
		ServerCode:    str("serverCode"),
		ServerMessage: str("serverMessage"),
		Message:       str("message"),
	}
	if e.Ceremony == "" {
		e.Ceremony = c
	}
	if s := v.Get("status"); s.Type() == js.TypeNumber {
		e.Status = s.Int()
	}
	if cause := v.Get("cause"); !cause.IsUndefined() && !cause.IsNull() {
		if cause.Type() == js.TypeObject && cause.Get("message").Type() != js.TypeString {
			e.Cause = string(stringify(cause)) // a server body
		} else {
			e.Cause = js.Global().Call("String", cause).String()
		}
	}
	return e
}

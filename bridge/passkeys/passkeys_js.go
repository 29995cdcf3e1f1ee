//go:build js && wasm

package passkeys

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall/js"
)

// Register runs the registration ceremony in the browser: options is the JSON of the
// begin endpoint (bare PublicKeyCredentialCreationOptionsJSON or go-webauthn's
// {publicKey, mediation}); the result is the credential JSON to POST to the finish
// endpoint. Cancelling ctx aborts the ceremony (ReasonCancelled / CodeAborted).
//
// Like every function of this package it blocks until the browser answers: call it from
// a goroutine, never directly from a js.Func callback (that would deadlock the page).
func Register(ctx context.Context, options []byte, opts ...Option) (json.RawMessage, error) {
	return ceremony(ctx, CeremonyRegister, options, opts)
}

// Authenticate runs the authentication ceremony in the browser: options is the JSON of
// the begin endpoint; the result is the credential JSON to POST to the finish endpoint.
// Cancelling ctx aborts the ceremony.
func Authenticate(ctx context.Context, options []byte, opts ...Option) (json.RawMessage, error) {
	return ceremony(ctx, CeremonyAuthenticate, options, opts)
}

// RegisterWith runs the whole registration loop (POST w.Begin, the ceremony, POST
// w.Finish, with the CSRF header) and returns the finish endpoint's JSON answer.
func RegisterWith(ctx context.Context, w With) (json.RawMessage, error) {
	return with(ctx, CeremonyRegister, w)
}

// AuthenticateWith runs the whole authentication loop and returns the finish endpoint's
// JSON answer (the example app's is {"ok": true, "redirect": "/dashboard"}).
func AuthenticateWith(ctx context.Context, w With) (json.RawMessage, error) {
	return with(ctx, CeremonyAuthenticate, w)
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

func ceremony(ctx context.Context, c Ceremony, options []byte, opts []Option) (json.RawMessage, error) {
	var o ceremonyOpts
	for _, f := range opts {
		f(&o)
	}
	pk, err := bridge()
	if err != nil {
		return nil, err
	}
	if !json.Valid(options) {
		e := NewError(CodeBadOptions, c)
		e.Cause = "options are not valid JSON"
		return nil, e
	}
	input := parse(options)
	callOpts := object()
	if o.conditional {
		callOpts.Set("conditional", true)
	}
	if o.timeout > 0 {
		callOpts.Set("timeout", o.timeout.Milliseconds())
	}
	return await(ctx, c, func(signal js.Value) js.Value {
		callOpts.Set("signal", signal)
		return pk.Call(string(c), input, callOpts)
	})
}

func with(ctx context.Context, c Ceremony, w With) (json.RawMessage, error) {
	pk, err := bridge()
	if err != nil {
		return nil, err
	}
	o := object()
	o.Set("begin", w.Begin)
	o.Set("finish", w.Finish)
	if w.Body != nil {
		b, err := json.Marshal(w.Body)
		if err != nil {
			return nil, fmt.Errorf("passkeys: With.Body: %w", err)
		}
		o.Set("body", parse(b))
	}
	for name, v := range map[string]string{"csrfToken": w.CSRFToken, "csrfHeader": w.CSRFHeader, "csrfMeta": w.CSRFMeta} {
		if v != "" {
			o.Set(name, v)
		}
	}
	if w.Conditional {
		o.Set("conditional", true)
	}
	if w.Timeout > 0 {
		o.Set("timeout", w.Timeout.Milliseconds())
	}
	method := string(c) + "With"
	return await(ctx, c, func(signal js.Value) js.Value {
		o.Set("signal", signal)
		return pk.Call(method, o)
	})
}

func object() js.Value { return js.Global().Get("Object").New() }

// parse is JSON.parse of valid JSON.
func parse(b []byte) js.Value { return js.Global().Get("JSON").Call("parse", string(b)) }

// await starts the bridge's promise with an AbortSignal, aborts it when ctx is done, and
// waits for it to settle.
func await(ctx context.Context, c Ceremony, start func(signal js.Value) js.Value) (json.RawMessage, error) {
	if err := ctx.Err(); err != nil {
		e := NewError(CodeAborted, c)
		e.Cause = err.Error()
		return nil, e
	}
	type settled struct {
		v        js.Value
		rejected bool
	}
	ch := make(chan settled, 1)
	arg := func(args []js.Value) js.Value {
		if len(args) == 0 {
			return js.Undefined()
		}
		return args[0]
	}
	then := js.FuncOf(func(_ js.Value, args []js.Value) any { ch <- settled{arg(args), false}; return nil })
	defer then.Release()
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any { ch <- settled{arg(args), true}; return nil })
	defer catch.Release()

	ac := js.Global().Get("AbortController").New()
	start(ac.Get("signal")).Call("then", then, catch)
	var r settled
	select {
	case r = <-ch:
	case <-ctx.Done():
		ac.Call("abort")
		r = <-ch // the bridge rejects with cancelled / aborted
	}
	if r.rejected {
		return nil, toError(r.v, c)
	}
	if r.v.IsUndefined() {
		return json.RawMessage("null"), nil
	}
	return json.RawMessage(js.Global().Get("JSON").Call("stringify", r.v).String()), nil
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
			e.Cause = js.Global().Get("JSON").Call("stringify", cause).String() // a server body
		} else {
			e.Cause = js.Global().Call("String", cause).String()
		}
	}
	return e
}

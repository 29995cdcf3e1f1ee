//go:build js && wasm

// Command door is the hello world of size_test.go plus what a front end does with the
// package: one RegisterWith and one errors.Is.
package main

import (
	"context"
	"errors"
	"syscall/js"

	"github.com/chirpkit/passkeys/bridge/passkeys"
)

func main() {
	js.Global().Get("console").Call("log", "hello")
	_, err := passkeys.RegisterWith(context.Background(), passkeys.With{
		Begin:  "/auth/passkey/register/begin",
		Finish: "/auth/passkey/register/finish",
	})
	if errors.Is(err, passkeys.ErrCancelled) {
		js.Global().Get("console").Call("log", "cancelled")
	}
}

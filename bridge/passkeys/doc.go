// Package passkeys is the Go door to the browser bridge window.chirp.passkeys, for Go
// front ends compiled to WebAssembly (GOOS=js GOARCH=wasm). The injected bridge is the
// one implementation; this package calls it through syscall/js and turns its
// PasskeyError into a typed *Error:
//
//	res, err := passkeys.RegisterWith(ctx, passkeys.With{
//		Begin:  "/auth/passkey/register/begin",
//		Finish: "/auth/passkey/register/finish",
//	})
//	switch {
//	case err == nil: // res.JSON: the finish endpoint's answer
//	case errors.Is(err, passkeys.ErrCancelled): // say nothing
//	case errors.Is(err, passkeys.ErrDuplicate): // "this device is already registered"
//	}
//
// Register and Authenticate take the begin endpoint's JSON and give the credential JSON;
// RegisterWith and AuthenticateWith run the whole loop with the server. Cancelling ctx
// aborts the ceremony (an AbortSignal underneath); Conditional() asks for autofill sign-in
// or a conditional create; ClientCapabilities tells what the browser can do. The
// functions exist only under js/wasm; the Error type, the sentinels, the Capability names
// and the Reason*, Code* and ServerCode* constants (generated from internal/codes) build
// everywhere, so server code and tests can use them.
//
// # JSON is the browser's
//
// The browser parses and writes the JSON (JSON.parse, JSON.stringify through
// syscall/js): options and bodies go in as []byte, results come out as []byte
// (Result.JSON), and the package imports neither encoding/json nor fmt, nor through them
// reflect and strconv. Decode a result with whatever the program already links, or not
// at all: most front ends only need to know that it worked.
//
// # What a Go front end costs
//
// Every kilobyte of a .wasm file is download and compile time on a phone. Measured with
// Go 1.26 (GOOS=js GOARCH=wasm go build -trimpath -ldflags=-s, then gzip -9; KB are 1024
// bytes):
//
//	                                     .wasm    gzipped
//	syscall/js hello world              1.9 MB     557 KB   the floor of any Go wasm program
//	+ one RegisterWith, one errors.Is   2.3 MB     648 KB   the door costs 91 KB (1.16×)
//
// Of those 91 KB, 77 KB are context and errors themselves, which any program that passes
// a context.Context pays once: the Deadline method of context.Context brings in time's
// formatting and time zones, and time brings internal/godebug. The package's own code is
// the other 14 KB. Before 0.2.0 the door cost 320 KB (fmt, encoding/json, reflect,
// strconv). size_test.go keeps it under 100 KB (make wasm-size, part of make test). The
// whole example front end (examples/wasm/client: it also lists and deletes passkeys, with
// strconv, strings and slices but no fmt) is 2.5 MB, 707 KB gzipped, 614 KB brotli.
//
// # Serving the .wasm compressed
//
// A .wasm file compresses to under a third (gzip) or a quarter (brotli); compress it once
// at build time, not per request, and serve the precompressed file that the request's
// Accept-Encoding allows, with
//
//	Content-Type: application/wasm      (WebAssembly.instantiateStreaming requires it)
//	Content-Encoding: br or gzip
//	Vary: Accept-Encoding
//
// and the uncompressed file to clients that accept neither. examples/wasm does so: its
// site.Prepare writes main.wasm, main.wasm.gz and main.wasm.br next to each other, and
// site.ServeWasm serves them (with Content-Length, an ETag per encoding, HEAD and
// If-None-Match). A page that runs WebAssembly also needs 'wasm-unsafe-eval' in its
// Content-Security-Policy script-src.
package passkeys

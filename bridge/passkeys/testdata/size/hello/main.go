//go:build js && wasm

// Command hello is the floor of the size check (size_test.go): a syscall/js hello world,
// what every Go program compiled to WebAssembly for the browser costs.
package main

import "syscall/js"

func main() {
	js.Global().Get("console").Call("log", "hello")
}

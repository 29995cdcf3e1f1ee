// Starts the Go program (main.wasm) with the Go distribution's wasm_exec.js.
"use strict";
const go = new Go();
WebAssembly.instantiateStreaming(fetch("/wasm/main.wasm"), go.importObject)
  .then((r) => go.run(r.instance))
  .catch((e) => { document.getElementById("wasm-result").textContent = "wasm: " + e; });

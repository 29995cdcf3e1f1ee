// The injected IIFE, feature detection and capabilities.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import vm from "node:vm";
import * as esm from "../dist/chirp-passkeys.mjs";
import { capabilities, isConditionalSupported, isSupported } from "../dist/chirp-passkeys.mjs";
import { domErr, hang, install, requestJSON, sleep } from "./fakes.mjs";

const iife = readFileSync(new URL("../dist/chirp-passkeys.js", import.meta.url), "utf8");
const API = ["version", "register", "authenticate", "registerWith", "authenticateWith", "isSupported", "isConditionalSupported", "capabilities", "abort", "signalUnknown", "signalAccepted", "signalUser", "PasskeyError"];

describe("injected script", () => {
  test("installs window.chirp.passkeys with the whole API", () => {
    const ctx = vm.createContext({});
    ctx.window = ctx;
    vm.runInContext(iife, ctx);
    const p = ctx.window.chirp.passkeys;
    assert.deepEqual(Object.keys(p).sort(), [...API].sort());
    assert.equal(typeof p.version, "string");
    assert.equal(p.version, esm.version);
    assert.equal(new p.PasskeyError("unknown", "register").name, "PasskeyError");
  });

  test("is idempotent: a second copy keeps the first instance and other chirp members", () => {
    const ctx = vm.createContext({});
    ctx.window = ctx;
    vm.runInContext("window.chirp = { other: 1 }", ctx);
    vm.runInContext(iife, ctx);
    const first = ctx.window.chirp.passkeys;
    vm.runInContext(iife, ctx);
    assert.equal(ctx.window.chirp.passkeys, first);
    assert.equal(ctx.window.chirp.passkeys.PasskeyError, first.PasskeyError);
    assert.equal(ctx.window.chirp.other, 1);
  });

  test("errors from the injected script are instances of its PasskeyError", async () => {
    const ctx = vm.createContext({});
    ctx.window = ctx;
    vm.runInContext(iife, ctx);
    const p = ctx.window.chirp.passkeys;
    const e = await p.register({}).catch((e) => e);
    assert.ok(e instanceof p.PasskeyError);
    assert.equal(e.code, "no_webauthn");
  });

  test("the ES module exports the same API", () => {
    for (const k of API) assert.ok(k in esm, k);
  });
});

describe("one instance: the injected script and a bundled ES module on one page", () => {
  // Both copies run in this realm (the page): the IIFE through vm.runInThisContext, the ES
  // module as a fresh module instance (a URL of its own). The fakes are this realm's globals.
  const KEY = Symbol.for("chirp.passkeys@" + esm.version);
  let n = 0;
  /** Loads the copies named in order ("iife", "esm") on a page without either; returns them by name. */
  async function load(order) {
    delete globalThis[KEY];
    delete globalThis.chirp;
    const copies = {};
    let registry;
    for (const which of order) {
      if (which == "iife") {
        vm.runInThisContext(iife);
        copies.iife = globalThis.chirp.passkeys;
      } else copies.esm = await import(`../dist/chirp-passkeys.mjs?copy=${++n}`);
      // the first copy installs the registry, the later ones adopt it
      registry ??= globalThis[KEY];
      assert.equal(globalThis[KEY], registry);
      assert.equal(registry.E, copies[which].PasskeyError);
    }
    return copies;
  }
  const rejection = (p) => p.then(() => assert.fail("resolved"), (e) => e);

  for (const order of [["iife", "esm"], ["esm", "iife"]]) {
    test(`loaded ${order.join(" then ")}: one PasskeyError, a ceremony of one superseded by the other, abort() reaching both`, async () => {
      const { iife: a, esm: b } = await load(order);
      assert.notEqual(a.register, b.register); // two copies of the code...
      assert.equal(a.PasskeyError, b.PasskeyError); // ...one class
      assert.ok(new a.PasskeyError("unknown", "register") instanceof b.PasskeyError);
      assert.ok(new b.PasskeyError("unknown", "register") instanceof a.PasskeyError);

      install({ get: hang() });
      for (const [first, second] of [[a, b], [b, a]]) {
        // a ceremony started by one copy is superseded by one started by the other
        const p1 = first.authenticate(requestJSON());
        await sleep(2);
        const p2 = second.authenticate(requestJSON());
        const e1 = await rejection(p1);
        assert.ok(e1 instanceof a.PasskeyError && e1 instanceof b.PasskeyError);
        assert.deepEqual([e1.passkeyReason, e1.code], ["cancelled", "superseded"]);
        // abort() of the first copy reaches the ceremony of the second
        await sleep(2);
        first.abort();
        const e2 = await rejection(p2);
        assert.ok(e2 instanceof a.PasskeyError && e2 instanceof b.PasskeyError);
        assert.deepEqual([e2.passkeyReason, e2.code], ["cancelled", "aborted"]);
      }

      // errors classified by one copy are instances for the other
      install({ get: async () => Promise.reject(domErr("NotAllowedError")) });
      for (const [x, y] of [[a, b], [b, a]]) assert.ok((await rejection(x.authenticate(requestJSON()))) instanceof y.PasskeyError);
    });
  }

  test("a copy of another version keeps its own state", async () => {
    const other = iife.replace(`"${esm.version}"`, '"0.0.0-other"');
    assert.notEqual(other, iife);
    const { esm: b } = await load(["esm"]);
    vm.runInThisContext(other);
    const a = globalThis.chirp.passkeys;
    assert.equal(a.version, "0.0.0-other");
    assert.notEqual(a.PasskeyError, b.PasskeyError);
    install({ get: hang() });
    const p = b.authenticate(requestJSON());
    await sleep(2);
    a.abort(); // not b's ceremony
    await sleep(2);
    b.abort();
    assert.equal((await rejection(p)).code, "aborted");
    const q = a.authenticate(requestJSON());
    await sleep(2);
    b.abort();
    a.abort();
    const e = await rejection(q);
    assert.ok(e instanceof a.PasskeyError && !(e instanceof b.PasskeyError));
  });
});

describe("feature detection", () => {
  test("isSupported", () => {
    install();
    assert.equal(isSupported(), true);
    delete globalThis.PublicKeyCredential;
    assert.equal(isSupported(), false);
    install();
    globalThis.navigator = {};
    assert.equal(isSupported(), false);
  });

  test("isConditionalSupported", async () => {
    install({ conditional: true });
    assert.equal(await isConditionalSupported(), true);
    install({ conditional: false });
    assert.equal(await isConditionalSupported(), false);
    install();
    PublicKeyCredential.isConditionalMediationAvailable = async () => {
      throw new Error("x");
    };
    assert.equal(await isConditionalSupported(), false);
    delete PublicKeyCredential.isConditionalMediationAvailable;
    assert.equal(await isConditionalSupported(), false);
    delete globalThis.PublicKeyCredential;
    assert.equal(await isConditionalSupported(), false);
  });

  test("capabilities: the browser's getClientCapabilities when present", async () => {
    const caps = { conditionalGet: true, conditionalCreate: true, hybridTransport: true, passkeyPlatformAuthenticator: false };
    install({ clientCapabilities: caps });
    assert.deepEqual(await capabilities(), caps);
  });

  test("capabilities: best-effort equivalent otherwise", async () => {
    install({ conditional: true, uvpa: true });
    assert.deepEqual(await capabilities(), { conditionalGet: true, conditionalCreate: false, passkeyPlatformAuthenticator: true, userVerifyingPlatformAuthenticator: true });
    install({ conditional: false, uvpa: false });
    assert.deepEqual(await capabilities(), { conditionalGet: false, conditionalCreate: false, passkeyPlatformAuthenticator: false, userVerifyingPlatformAuthenticator: false });
    delete globalThis.PublicKeyCredential;
    assert.deepEqual(await capabilities(), { conditionalGet: false, conditionalCreate: false, passkeyPlatformAuthenticator: false, userVerifyingPlatformAuthenticator: false });
  });
});

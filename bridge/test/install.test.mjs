// The injected IIFE, feature detection and capabilities.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import vm from "node:vm";
import * as esm from "../dist/chirp-passkeys.mjs";
import { capabilities, isConditionalSupported, isSupported } from "../dist/chirp-passkeys.mjs";
import { install } from "./fakes.mjs";

const iife = readFileSync(new URL("../dist/chirp-passkeys.js", import.meta.url), "utf8");
const API = ["version", "register", "authenticate", "registerWith", "authenticateWith", "isSupported", "isConditionalSupported", "capabilities", "abort", "PasskeyError"];

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

// Conditional create (automatic passkey upgrade): started only where capabilities() says
// conditionalCreate, pending until the browser answers, cancelled by a later ceremony or abort().
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { PasskeyError, abort, authenticate, authenticateWith, register, registerWith } from "../dist/chirp-passkeys.mjs";
import { creationJSON, hang, install, requestJSON, sleep } from "./fakes.mjs";

async function rejection(p) {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof PasskeyError, String(e));
    return e;
  }
  assert.fail("did not reject");
}

const CAPS = { conditionalGet: true, conditionalCreate: true };

afterEach(() => abort());

describe("conditional create", () => {
  test("with conditionalCreate: create({mediation: conditional}) is called", async () => {
    const log = install({ clientCapabilities: CAPS });
    await register(creationJSON(), { conditional: true });
    assert.equal(log.create.length, 1);
    assert.equal(log.create[0].mediation, "conditional");
  });

  test("wrapped options with mediation conditional count as conditional", async () => {
    const log = install({ clientCapabilities: CAPS });
    await register({ publicKey: creationJSON(), mediation: "conditional" });
    assert.equal(log.create[0].mediation, "conditional");
  });

  for (const [what, opts] of [
    ["getClientCapabilities says conditionalCreate false", { clientCapabilities: { conditionalGet: true, conditionalCreate: false } }],
    ["getClientCapabilities lacks conditionalCreate", { clientCapabilities: { conditionalGet: true } }],
    ["no getClientCapabilities, even with conditional get", { conditional: true }],
  ]) {
    test(`${what} → unsupported/conditional_unavailable, browser not called`, async () => {
      const log = install(opts);
      const e = await rejection(register(creationJSON(), { conditional: true }));
      assert.deepEqual([e.passkeyReason, e.code, e.ceremony, e.retryable], ["unsupported", "conditional_unavailable", "register", false]);
      assert.equal(log.create.length, 0);
    });
  }

  test("registerWith({conditional: true}) where unavailable: rejects before finish", async () => {
    const urls = [];
    const fetch = async (url) => (urls.push(url), new Response(JSON.stringify(creationJSON())));
    install({ clientCapabilities: { conditionalCreate: false } });
    const e = await rejection(registerWith({ begin: "/b", finish: "/f", fetch, conditional: true }));
    assert.equal(e.code, "conditional_unavailable");
    assert.deepEqual(urls, ["/b"]);
  });

  test("stays pending until the browser answers", async () => {
    let answer;
    install({ clientCapabilities: CAPS, create: () => new Promise((r) => (answer = r)) });
    let settled = false;
    const p = register(creationJSON(), { conditional: true }).finally(() => (settled = true));
    await sleep(50);
    assert.equal(settled, false);
    answer({ toJSON: () => ({ id: "upgraded" }) });
    assert.deepEqual(await p, { id: "upgraded" });
  });

  test("a later sign-in supersedes it: cancelled/superseded, then the sign-in runs", async () => {
    const events = [];
    install({
      clientCapabilities: CAPS,
      create: hang(10, () => events.push("create")),
      get: async () => (events.push("get"), { toJSON: () => ({ id: "signed-in" }) }),
    });
    const upgrade = register(creationJSON(), { conditional: true });
    await sleep(5);
    const signIn = authenticate(requestJSON());
    const e = await rejection(upgrade);
    assert.deepEqual([e.passkeyReason, e.code, e.ceremony, e.retryable], ["cancelled", "superseded", "register", false]);
    assert.deepEqual(await signIn, { id: "signed-in" });
    assert.deepEqual(events, ["create", "get"]);
  });

  test("a later modal registerWith supersedes a conditional registerWith", async () => {
    let n = 0;
    const log = install({
      clientCapabilities: CAPS,
      create: (o) => (++n == 1 ? hang()(o) : Promise.resolve({ toJSON: () => ({ id: "modal" }) })),
    });
    const fetch = async (url) => new Response(JSON.stringify(url == "/b" ? creationJSON() : { ok: true }));
    const upgrade = registerWith({ begin: "/b", finish: "/f", fetch, conditional: true });
    await sleep(10);
    const modal = registerWith({ begin: "/b", finish: "/f", fetch });
    assert.equal((await rejection(upgrade)).code, "superseded");
    assert.deepEqual(await modal, { ok: true });
    assert.deepEqual(
      log.create.map((o) => o.mediation),
      ["conditional", undefined],
    );
  });

  test("a conditional sign-in (autofill) supersedes it too", async () => {
    install({ clientCapabilities: CAPS, create: hang(), get: async () => ({ toJSON: () => ({ id: "autofill" }) }) });
    const upgrade = register(creationJSON(), { conditional: true });
    await sleep(5);
    const fetch = async (url) => new Response(JSON.stringify(url == "/b" ? requestJSON() : { redirect: "/" }));
    const autofill = authenticateWith({ begin: "/b", finish: "/f", fetch, conditional: true });
    assert.equal((await rejection(upgrade)).code, "superseded");
    assert.deepEqual(await autofill, { redirect: "/" });
  });

  test("abort() cancels it: cancelled/aborted", async () => {
    install({ clientCapabilities: CAPS, create: hang() });
    const p = register(creationJSON(), { conditional: true });
    await sleep(5);
    abort();
    const e = await rejection(p);
    assert.deepEqual([e.passkeyReason, e.code], ["cancelled", "aborted"]);
  });

  test("the caller's signal cancels it: cancelled/aborted", async () => {
    install({ clientCapabilities: CAPS, create: hang() });
    const ac = new AbortController();
    const p = register(creationJSON(), { conditional: true, signal: ac.signal });
    await sleep(5);
    ac.abort();
    assert.equal((await rejection(p)).code, "aborted");
  });
});

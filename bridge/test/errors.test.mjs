// Classification: every branch of identify-error and the pre-checks, through the public API.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { PasskeyError, abort, authenticate, register } from "../dist/chirp-passkeys.mjs";
import { creationJSON, domErr, hang, install, requestJSON, sleep } from "./fakes.mjs";

const REASONS = new Set(["cancelled", "duplicate", "misconfigured", "unsupported", "failed"]);

/** Asserts p rejects with a PasskeyError of reason/code; returns it. */
async function rejects(p, reason, code, ceremony) {
  let err;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof PasskeyError, `expected PasskeyError, got ${err}`);
  assert.ok(err instanceof Error);
  assert.equal(err.name, "PasskeyError");
  assert.ok(REASONS.has(err.passkeyReason));
  assert.deepEqual([err.passkeyReason, err.code], [reason, code]);
  if (ceremony) assert.equal(err.ceremony, ceremony);
  assert.equal(typeof err.retryable, "boolean");
  return err;
}

const failWith = (e) => async () => {
  throw e;
};

afterEach(() => abort());

describe("before the browser is called", () => {
  test("no PublicKeyCredential → unsupported/no_webauthn", async () => {
    const log = install();
    delete globalThis.PublicKeyCredential;
    await rejects(register(creationJSON()), "unsupported", "no_webauthn", "register");
    await rejects(authenticate(requestJSON()), "unsupported", "no_webauthn", "authenticate");
    assert.equal(log.create.length + log.get.length, 0);
  });

  test("no navigator.credentials → unsupported/no_webauthn (even with bad options)", async () => {
    install();
    globalThis.navigator = {};
    await rejects(register(null), "unsupported", "no_webauthn");
  });

  test("insecure context → misconfigured/insecure_context, browser not called", async () => {
    const log = install({ secure: false });
    const e = await rejects(register(creationJSON()), "misconfigured", "insecure_context");
    assert.equal(e.retryable, false);
    assert.equal(e.cause, undefined);
    assert.equal(e.message, "insecure_context");
    assert.equal(log.create.length, 0);
  });

  for (const [name, opts, c] of [
    ["null", null, "register"],
    ["a string", "nope", "authenticate"],
    ["missing challenge", { ...requestJSON(), challenge: undefined }, "authenticate"],
    ["numeric challenge", { ...requestJSON(), challenge: 42 }, "authenticate"],
    ["null challenge", { ...requestJSON(), challenge: null }, "authenticate"],
    ["register without rp", { ...creationJSON(), rp: undefined }, "register"],
    ["register without user", { ...creationJSON(), user: undefined }, "register"],
    ["wrapped without challenge", { publicKey: { rpId: "x" } }, "authenticate"],
  ]) {
    test(`bad options (${name}) → misconfigured/bad_options`, async () => {
      const log = install();
      const e = await rejects(c == "register" ? register(opts) : authenticate(opts), "misconfigured", "bad_options", c);
      assert.equal(e.retryable, false);
      assert.equal(log.create.length + log.get.length, 0);
    });
  }

  test("parse*FromJSON TypeError → misconfigured/bad_options, browser not called", async () => {
    const log = install();
    const te = new TypeError("bad user.id");
    PublicKeyCredential.parseCreationOptionsFromJSON = () => {
      throw te;
    };
    const e = await rejects(register(creationJSON()), "misconfigured", "bad_options");
    assert.equal(e.cause, te);
    assert.equal(log.create.length, 0);
  });

  test("manual path: invalid base64url challenge → misconfigured/bad_options", async () => {
    const log = install({ native: false });
    await rejects(authenticate(requestJSON({ challenge: "a" })), "misconfigured", "bad_options");
    await rejects(authenticate(requestJSON({ challenge: "ab$c" })), "misconfigured", "bad_options");
    assert.equal(log.get.length, 0);
  });

  test("conditional unavailable → unsupported/conditional_unavailable", async () => {
    const log = install({ conditional: false });
    await rejects(authenticate(requestJSON(), { conditional: true }), "unsupported", "conditional_unavailable", "authenticate");
    // register: needs getClientCapabilities().conditionalCreate
    await rejects(register(creationJSON(), { conditional: true }), "unsupported", "conditional_unavailable", "register");
    install({ clientCapabilities: { conditionalGet: true, conditionalCreate: false } });
    await rejects(register(creationJSON(), { conditional: true }), "unsupported", "conditional_unavailable");
    // wrapped mediation member counts too
    install({ conditional: false });
    await rejects(authenticate({ publicKey: requestJSON(), mediation: "conditional" }), "unsupported", "conditional_unavailable");
    assert.equal(log.create.length + log.get.length, 0);
  });
});

describe("browser errors", () => {
  test("AbortError without our signal (Firefox cancel) → cancelled/user_cancelled", async () => {
    install({ get: failWith(domErr("AbortError")) });
    const e = await rejects(authenticate(requestJSON()), "cancelled", "user_cancelled");
    assert.equal(e.retryable, true);
    assert.equal(e.cause.name, "AbortError");
  });

  test("NotAllowedError early → cancelled/user_cancelled", async () => {
    install({ create: failWith(domErr("NotAllowedError")) });
    await rejects(register(creationJSON()), "cancelled", "user_cancelled");
  });

  test("NotAllowedError after ~options.timeout → cancelled/timeout", async () => {
    install({ get: async () => (await sleep(60), Promise.reject(domErr("NotAllowedError"))) });
    await rejects(authenticate(requestJSON({ timeout: 50 })), "cancelled", "timeout");
  });

  test("NotAllowedError before options.timeout → user_cancelled", async () => {
    install({ get: async () => (await sleep(5), Promise.reject(domErr("NotAllowedError"))) });
    await rejects(authenticate(requestJSON({ timeout: 1000 })), "cancelled", "user_cancelled");
  });

  test("NotAllowedError after ~opts.timeout (browser first) → cancelled/timeout", async () => {
    // The browser gives up a little before our own 50 ms timer. 48 ms, not 45: the threshold is
    // 0.9 × 50 = 45 ms of Date.now(), and a 45 ms timer may read as 44 ms; should the browser be
    // late instead, our timer fires first and the answer is still timeout.
    install({ get: async () => (await sleep(48), Promise.reject(domErr("NotAllowedError"))) });
    await rejects(authenticate(requestJSON(), { timeout: 50 }), "cancelled", "timeout");
  });

  test("InvalidStateError on register → duplicate/excluded_credential", async () => {
    install({ create: failWith(domErr("InvalidStateError")) });
    const e = await rejects(register(creationJSON()), "duplicate", "excluded_credential");
    assert.equal(e.retryable, false);
  });

  test("InvalidStateError on authenticate → failed/authenticator_error", async () => {
    install({ get: failWith(domErr("InvalidStateError")) });
    await rejects(authenticate(requestJSON()), "failed", "authenticator_error");
  });

  test("SecurityError with rp.id not matching the host → misconfigured/rp_id_mismatch", async () => {
    install({ hostname: "evil.test", create: failWith(domErr("SecurityError")) });
    const e = await rejects(register(creationJSON({ rp: { name: "x", id: "example.com" } })), "misconfigured", "rp_id_mismatch");
    assert.equal(e.retryable, false);
    install({ hostname: "notexample.com", get: failWith(domErr("SecurityError")) });
    await rejects(authenticate(requestJSON({ rpId: "example.com" })), "misconfigured", "rp_id_mismatch");
  });

  test("SecurityError with a matching rpId → misconfigured/invalid_domain", async () => {
    install({ hostname: "login.example.com", get: failWith(domErr("SecurityError")) });
    await rejects(authenticate(requestJSON({ rpId: "example.com" })), "misconfigured", "invalid_domain");
    install({ hostname: "example.com", create: failWith(domErr("SecurityError")) });
    await rejects(register(creationJSON({ rp: { name: "x", id: "example.com" } })), "misconfigured", "invalid_domain");
  });

  test("SecurityError without rpId → misconfigured/invalid_domain", async () => {
    install({ hostname: "127.0.0.1", get: failWith(domErr("SecurityError")) });
    await rejects(authenticate(requestJSON({ rpId: undefined })), "misconfigured", "invalid_domain");
  });

  test("NotSupportedError → failed/unsupported_algorithm", async () => {
    install({ create: failWith(domErr("NotSupportedError")) });
    const e = await rejects(register(creationJSON()), "failed", "unsupported_algorithm");
    assert.equal(e.retryable, false);
  });

  test('OperationError "A request is already pending" → failed/busy, retryable', async () => {
    install({ get: failWith(domErr("OperationError", "A request is already pending.")) });
    const e = await rejects(authenticate(requestJSON()), "failed", "busy");
    assert.equal(e.retryable, true);
  });

  for (const name of ["OperationError", "UnknownError", "ConstraintError", "NotReadableError"]) {
    test(`${name} → failed/authenticator_error`, async () => {
      install({ create: failWith(domErr(name, "something")) });
      const e = await rejects(register(creationJSON()), "failed", "authenticator_error");
      assert.equal(e.retryable, true);
    });
  }

  test("TypeError from the browser → misconfigured/bad_options", async () => {
    install({ create: failWith(new TypeError("user.id too long")) });
    await rejects(register(creationJSON()), "misconfigured", "bad_options");
  });

  test("anything else → failed/unknown", async () => {
    install({ create: failWith(new Error("weird")) });
    await rejects(register(creationJSON()), "failed", "unknown");
    install({ get: failWith("a string") });
    await rejects(authenticate(requestJSON()), "failed", "unknown");
  });

  test("credential that cannot be serialized → failed/serialization", async () => {
    install({
      get: async () => ({
        toJSON() {
          throw new Error("wrapped");
        },
      }),
    });
    const e = await rejects(authenticate(requestJSON()), "failed", "serialization");
    assert.equal(e.retryable, false);
  });

  test("null credential → failed/serialization", async () => {
    install({ get: async () => null });
    await rejects(authenticate(requestJSON()), "failed", "serialization");
  });
});

describe("our own aborts", () => {
  test("caller's signal → cancelled/aborted", async () => {
    install({ get: hang() });
    const ac = new AbortController();
    const p = authenticate(requestJSON(), { signal: ac.signal });
    await sleep(5);
    ac.abort();
    const e = await rejects(p, "cancelled", "aborted");
    assert.equal(e.retryable, true);
  });

  test("already aborted signal → cancelled/aborted, browser not called", async () => {
    const log = install({ get: hang() });
    const e = await rejects(authenticate(requestJSON(), { signal: AbortSignal.abort() }), "cancelled", "aborted");
    assert.equal(e.cause, undefined);
    assert.equal(log.get.length, 0);
  });

  test("caller's signal, browser rejecting with NotAllowedError → still aborted", async () => {
    install({
      create: (o) => new Promise((_, rej) => o.signal.addEventListener("abort", () => rej(domErr("NotAllowedError")))),
    });
    const ac = new AbortController();
    const p = register(creationJSON(), { signal: ac.signal });
    await sleep(5);
    ac.abort();
    await rejects(p, "cancelled", "aborted");
  });

  test("abort() → cancelled/aborted", async () => {
    install({ create: hang() });
    const p = register(creationJSON());
    await sleep(5);
    abort();
    await rejects(p, "cancelled", "aborted", "register");
    abort(); // nothing pending: harmless
  });

  test("opts.timeout → cancelled/timeout and sent as publicKey.timeout", async () => {
    const log = install({ get: hang() });
    const t0 = Date.now();
    await rejects(authenticate(requestJSON(), { timeout: 40 }), "cancelled", "timeout");
    assert.ok(Date.now() - t0 >= 35);
    assert.equal(log.get[0].publicKey.timeout, 40);
  });

  test("a new ceremony supersedes the pending one and waits for it to settle", async () => {
    const events = [];
    let n = 0;
    install({
      get: (o) => {
        const i = ++n;
        events.push(`get${i}`);
        if (i == 1)
          return new Promise((_, rej) =>
            o.signal.addEventListener("abort", () =>
              setTimeout(() => {
                events.push("settled1");
                rej(domErr("AbortError"));
              }, 30),
            ),
          );
        return Promise.resolve({ toJSON: () => ({ id: "second" }) });
      },
    });
    const first = authenticate(requestJSON(), { conditional: true });
    await sleep(5);
    const second = authenticate(requestJSON());
    const e = await rejects(first, "cancelled", "superseded");
    assert.equal(e.retryable, false);
    assert.deepEqual(await second, { id: "second" });
    assert.deepEqual(events, ["get1", "settled1", "get2"]);
  });

  test("a third call supersedes a second one still waiting: only the third reaches the browser", async () => {
    const calls = [];
    install({
      create: (o) => {
        calls.push(o.publicKey.user.name);
        if (calls.length == 1) return hang(20)(o);
        return Promise.resolve({ toJSON: () => ({ id: "ok" }) });
      },
    });
    const a = register(creationJSON({ user: { name: "a", displayName: "A", id: "AQ" } }));
    await sleep(5);
    const b = register(creationJSON({ user: { name: "b", displayName: "B", id: "Ag" } }));
    const c = register(creationJSON({ user: { name: "c", displayName: "C", id: "Aw" } }));
    await rejects(a, "cancelled", "superseded");
    await rejects(b, "cancelled", "superseded");
    assert.deepEqual(await c, { id: "ok" });
    assert.deepEqual(calls, ["a", "c"]);
  });

  test("bad options do not supersede the pending ceremony", async () => {
    install({ get: hang() });
    const p = authenticate(requestJSON());
    await sleep(5);
    await rejects(authenticate({}), "misconfigured", "bad_options");
    abort();
    await rejects(p, "cancelled", "aborted");
  });
});

describe("PasskeyError", () => {
  // code → [reason, retryable]: the README table.
  const TABLE = {
    user_cancelled: ["cancelled", true],
    timeout: ["cancelled", true],
    aborted: ["cancelled", true],
    superseded: ["cancelled", false],
    excluded_credential: ["duplicate", false],
    rp_id_mismatch: ["misconfigured", false],
    invalid_domain: ["misconfigured", false],
    insecure_context: ["misconfigured", false],
    bad_options: ["misconfigured", false],
    signal_refused: ["misconfigured", false],
    no_webauthn: ["unsupported", false],
    conditional_unavailable: ["unsupported", false],
    unsupported_algorithm: ["failed", false],
    busy: ["failed", true],
    authenticator_error: ["failed", true],
    serialization: ["failed", false],
    server_rejected: ["failed", true],
    network: ["failed", true],
    unknown: ["failed", true],
  };
  for (const [code, [reason, retryable]] of Object.entries(TABLE)) {
    test(`${code} → ${reason}, retryable ${retryable}`, () => {
      const cause = new Error("x");
      const e = new PasskeyError(code, "register", cause);
      assert.deepEqual([e.passkeyReason, e.retryable, e.code, e.ceremony, e.cause], [reason, retryable, code, "register", cause]);
      assert.equal(e.name, "PasskeyError");
      assert.ok(e.message.includes(code));
      assert.ok(e.stack);
    });
  }
});

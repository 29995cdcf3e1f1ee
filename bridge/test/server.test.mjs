// registerWith / authenticateWith: the begin → ceremony → finish loop.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PasskeyError, authenticateWith, registerWith } from "../dist/chirp-passkeys.mjs";
import { creationJSON, install, requestJSON } from "./fakes.mjs";

/** A scripted fetch: routes[url] = (init) => [status, body]; records calls. */
function server(routes) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init, body: init.body && JSON.parse(init.body) });
    const r = routes[url];
    if (!r) throw new TypeError("Failed to fetch");
    const [status, body] = await r(init);
    return new Response(typeof body == "string" ? body : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
  return { fetch, calls };
}

async function rejection(p) {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof PasskeyError, String(e));
    return e;
  }
  assert.fail("did not reject");
}

describe("*With", () => {
  test("registerWith: begin, create, finish, server JSON; CSRF from meta", async () => {
    const s = server({
      "/begin": async () => [200, { publicKey: creationJSON() }],
      "/finish": async () => [200, { ok: true, user: "ann" }],
    });
    const log = install({ fetch: s.fetch, csrf: "meta-token" });
    const res = await registerWith({ begin: "/begin", finish: "/finish", body: { name: "ann" } });
    assert.deepEqual(res, { ok: true, user: "ann" });
    assert.equal(log.create.length, 1);
    assert.deepEqual(
      s.calls.map((c) => [c.url, c.body]),
      [
        ["/begin", { name: "ann" }],
        ["/finish", { id: "native-reg" }],
      ],
    );
    for (const { init } of s.calls) {
      assert.equal(init.method, "POST");
      assert.equal(init.credentials, "same-origin");
      assert.deepEqual(init.headers, { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": "meta-token" });
    }
  });

  test("authenticateWith: default body {}, global fetch, conditional passed on", async () => {
    const s = server({ "/b": async () => [200, requestJSON()], "/f": async () => [200, { next: "/home" }] });
    const log = install({ csrf: null });
    globalThis.fetch = s.fetch;
    assert.deepEqual(await authenticateWith({ begin: "/b", finish: "/f", conditional: true }), { next: "/home" });
    assert.deepEqual(s.calls[0].body, {});
    assert.equal(s.calls[0].init.headers["X-CSRF-Token"], undefined);
    assert.equal(log.get[0].mediation, "conditional");
  });

  test("csrfMeta / csrfHeader / csrfToken are configurable", async () => {
    const routes = { "/b": async () => [200, requestJSON()], "/f": async () => [200, {}] };
    let s = server(routes);
    install({ metas: { "x-csrf": "custom" } });
    await authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch, csrfMeta: "x-csrf", csrfHeader: "X-XSRF-TOKEN" });
    assert.equal(s.calls[0].init.headers["X-XSRF-TOKEN"], "custom");
    assert.equal(s.calls[1].init.headers["X-XSRF-TOKEN"], "custom");
    s = server(routes);
    await authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch, csrfToken: "explicit" });
    assert.equal(s.calls[0].init.headers["X-CSRF-Token"], "explicit");
  });

  test("begin non-2xx → failed/server_rejected with status, serverCode, serverMessage", async () => {
    const s = server({ "/b": async () => [403, { code: "csrf", error: "bad CSRF token" }] });
    const log = install({ fetch: s.fetch });
    const e = await rejection(registerWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.deepEqual([e.passkeyReason, e.code, e.ceremony, e.status, e.serverCode, e.serverMessage], ["failed", "server_rejected", "register", 403, "csrf", "bad CSRF token"]);
    assert.equal(e.retryable, true);
    assert.equal(log.create.length, 0);
  });

  test("finish non-2xx → server_rejected; non-JSON error body tolerated", async () => {
    let s = server({ "/b": async () => [200, requestJSON()], "/f": async () => [400, { code: "invalid_signature", error: "signature did not verify" }] });
    install();
    let e = await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.deepEqual([e.code, e.ceremony, e.status, e.serverCode, e.serverMessage], ["server_rejected", "authenticate", 400, "invalid_signature", "signature did not verify"]);
    s = server({ "/b": async () => [502, "<html>Bad gateway</html>"] });
    e = await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.deepEqual([e.code, e.status, e.serverCode, e.serverMessage], ["server_rejected", 502, undefined, undefined]);
  });

  test("fetch throws → failed/network, retryable", async () => {
    install();
    const boom = new TypeError("Failed to fetch");
    const e = await rejection(
      registerWith({
        begin: "/b",
        finish: "/f",
        fetch: async () => {
          throw boom;
        },
      }),
    );
    assert.deepEqual([e.passkeyReason, e.code, e.retryable, e.cause], ["failed", "network", true, boom]);
  });

  test("fetch aborted by the caller's signal → cancelled/aborted", async () => {
    install();
    const ac = new AbortController();
    ac.abort();
    const e = await rejection(
      authenticateWith({
        begin: "/b",
        finish: "/f",
        signal: ac.signal,
        fetch: async (_, init) => {
          init.signal.throwIfAborted();
        },
      }),
    );
    assert.deepEqual([e.passkeyReason, e.code], ["cancelled", "aborted"]);
  });

  test("ceremony errors propagate unchanged", async () => {
    const s = server({ "/b": async () => [200, { publicKey: { nope: true } }], "/f": async () => [200, {}] });
    install();
    const e = await rejection(registerWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.deepEqual([e.passkeyReason, e.code], ["misconfigured", "bad_options"]);
    assert.equal(s.calls.length, 1);
  });
});

// PRF and credProps: outputs as bytes in the page, not sent to the server unless sendPrf;
// PRF salts in the options; hints.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { authenticate, authenticateWith, register, registerWith } from "../dist/chirp-passkeys.mjs";
import { authCredential, b64u, buf, bytesOf, creationJSON, install, regCredential, requestJSON } from "./fakes.mjs";

const FIRST = Array.from({ length: 32 }, (_, i) => (i * 7 + 250) % 256); // has + / in base64
const SECOND = [0xfb, 0xff, 0x00, 0x01];

/** An assertion whose toJSON gives PRF results (as Chromium's does): base64url. */
const prfAssertion = (results = { first: b64u(FIRST), second: b64u(SECOND) }) =>
  authCredential({ toJSON: () => ({ id: "cred", rawId: "cred", type: "public-key", response: {}, clientExtensionResults: { prf: { results } } }) });

/** A scripted server: begin answers `begin`, finish answers finishBody; records the bodies. */
function server(begin, finishBody = { redirect: "/" }) {
  const bodies = [];
  const fetch = async (url, init) => {
    bodies.push(JSON.parse(init.body));
    return new Response(JSON.stringify(url == "/b" ? begin : finishBody), { status: 200 });
  };
  return { fetch, bodies };
}

describe("PRF outputs", () => {
  test("authenticate: bytes on the result's prf, left out of the JSON", async () => {
    install({ get: async () => prfAssertion() });
    const res = await authenticate(requestJSON());
    assert.ok(res.prf.first instanceof Uint8Array);
    assert.deepEqual(Array.from(res.prf.first), FIRST);
    assert.deepEqual(Array.from(res.prf.second), SECOND);
    assert.deepEqual(res.clientExtensionResults, { prf: {} });
    const json = JSON.parse(JSON.stringify(res));
    assert.equal(json.prf, undefined);
    assert.deepEqual(json.clientExtensionResults, { prf: {} });
    assert.ok(!JSON.stringify(res).includes(b64u(FIRST)));
  });

  test("only first: no second", async () => {
    install({ get: async () => prfAssertion({ first: b64u(FIRST) }) });
    const res = await authenticate(requestJSON());
    assert.deepEqual(Array.from(res.prf.first), FIRST);
    assert.equal(res.prf.second, undefined);
  });

  test("sendPrf: the JSON keeps the results (base64url), the bytes are still there", async () => {
    install({ get: async () => prfAssertion() });
    const res = await authenticate(requestJSON(), { sendPrf: true });
    assert.deepEqual(JSON.parse(JSON.stringify(res)).clientExtensionResults.prf.results, { first: b64u(FIRST), second: b64u(SECOND) });
    assert.deepEqual(Array.from(res.prf.first), FIRST);
  });

  test("register: prf.enabled and the results of a create", async () => {
    install({
      create: async () =>
        regCredential({ toJSON: () => ({ id: "r", clientExtensionResults: { credProps: { rk: true }, prf: { enabled: true, results: { first: b64u(FIRST) } } } }) }),
    });
    const res = await register(creationJSON());
    assert.deepEqual(Array.from(res.prf.first), FIRST);
    assert.deepEqual(JSON.parse(JSON.stringify(res)).clientExtensionResults, { credProps: { rk: true }, prf: { enabled: true } });
  });

  test("manual path (toJSON throws): ArrayBuffer results become bytes, left out of the JSON", async () => {
    install({
      get: async () =>
        authCredential({
          ext: { prf: { results: { first: buf(...FIRST), second: new Uint8Array(SECOND) } } },
          toJSON() {
            throw new TypeError("Illegal invocation");
          },
        }),
    });
    const res = await authenticate(requestJSON());
    assert.deepEqual(Array.from(res.prf.first), FIRST);
    assert.deepEqual(Array.from(res.prf.second), SECOND);
    assert.deepEqual(JSON.parse(JSON.stringify(res)).clientExtensionResults, { prf: {} });
  });

  test("no PRF: no prf member, JSON unchanged", async () => {
    install({ get: async () => authCredential({ toJSON: () => ({ id: "x", clientExtensionResults: { prf: { enabled: false } } }) }) });
    const res = await authenticate(requestJSON());
    assert.equal("prf" in res, false);
    assert.deepEqual(res, { id: "x", clientExtensionResults: { prf: { enabled: false } } });
  });

  test("authenticateWith: not POSTed; the server's answer carries the bytes as prf", async () => {
    const s = server(requestJSON(), { redirect: "/vault" });
    install({ get: async () => prfAssertion() });
    const res = await authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch });
    assert.deepEqual(s.bodies[1].clientExtensionResults, { prf: {} });
    assert.equal(s.bodies[1].prf, undefined);
    assert.equal(res.redirect, "/vault");
    assert.deepEqual(Array.from(res.prf.first), FIRST);
    assert.deepEqual(JSON.parse(JSON.stringify(res)), { redirect: "/vault" });
  });

  test("authenticateWith with sendPrf: POSTed as base64url", async () => {
    const s = server(requestJSON());
    install({ get: async () => prfAssertion() });
    const res = await authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch, sendPrf: true });
    assert.deepEqual(s.bodies[1].clientExtensionResults.prf.results, { first: b64u(FIRST), second: b64u(SECOND) });
    assert.deepEqual(Array.from(res.prf.second), SECOND);
  });

  test("authenticateWith: an answer that is not an object is returned as it is", async () => {
    for (const answer of [null, "ok", 1]) {
      const s = server(requestJSON(), answer);
      install({ get: async () => prfAssertion() });
      assert.equal(await authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }), answer);
    }
  });

  test("without PRF the server's answer is untouched", async () => {
    const s = server(requestJSON(), { redirect: "/" });
    install();
    const res = await authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch });
    assert.equal("prf" in res, false);
  });
});

describe("credProps", () => {
  test("registerWith POSTs credProps (native toJSON)", async () => {
    const s = server(creationJSON({ extensions: { credProps: true } }), { ok: true });
    install({ create: async () => regCredential({ toJSON: () => ({ id: "r", clientExtensionResults: { credProps: { rk: true } } }) }) });
    await registerWith({ begin: "/b", finish: "/f", fetch: s.fetch });
    assert.deepEqual(s.bodies[1].clientExtensionResults, { credProps: { rk: true } });
  });

  test("registerWith POSTs credProps (manual path)", async () => {
    const s = server(creationJSON({ extensions: { credProps: true } }), { ok: true });
    install({ native: false, create: async () => regCredential({ ext: { credProps: { rk: false } } }) });
    await registerWith({ begin: "/b", finish: "/f", fetch: s.fetch });
    assert.deepEqual(s.bodies[1].clientExtensionResults, { credProps: { rk: false } });
  });
});

describe("PRF inputs", () => {
  const evalJSON = { eval: { first: b64u(FIRST), second: b64u(SECOND) } };

  test("native parser: the salts reach parse*OptionsFromJSON as base64url", async () => {
    const log = install();
    await authenticate(requestJSON({ extensions: { prf: { ...evalJSON, evalByCredential: { AQID: { first: b64u([1]) } } } } }));
    await register(creationJSON({ extensions: { prf: evalJSON } }));
    assert.deepEqual(log.parsed[0].extensions.prf, { ...evalJSON, evalByCredential: { AQID: { first: b64u([1]) } } });
    assert.deepEqual(log.parsed[1].extensions.prf, evalJSON);
    assert.deepEqual(log.get[0].publicKey.extensions.prf.eval, evalJSON.eval);
  });

  test("manual path: the salts become bytes (get and create)", async () => {
    const log = install({ native: false });
    await authenticate(requestJSON({ extensions: { prf: evalJSON } }));
    await register(creationJSON({ extensions: { prf: evalJSON } }));
    for (const pk of [log.get[0].publicKey, log.create[0].publicKey]) {
      assert.deepEqual(bytesOf(pk.extensions.prf.eval.first), FIRST);
      assert.deepEqual(bytesOf(pk.extensions.prf.eval.second), SECOND);
    }
  });
});

describe("hints", () => {
  const HINTS = ["security-key", "client-device", "hybrid"];
  for (const native of [true, false]) {
    test(`reach the browser, in order (${native ? "parse*OptionsFromJSON" : "manual path"})`, async () => {
      const log = install({ native });
      for (const h of [...HINTS.map((x) => [x]), HINTS]) {
        await register(creationJSON({ hints: h }));
        await authenticate({ publicKey: requestJSON({ hints: h }) });
      }
      const sent = (list) => list.map((o) => o.publicKey.hints);
      const want = [...HINTS.map((x) => [x]), HINTS];
      assert.deepEqual(sent(log.create), want);
      assert.deepEqual(sent(log.get), want);
      if (native) assert.deepEqual(log.parsed.map((o) => o.hints), want.flatMap((h) => [h, h]));
    });
  }

  test("registerWith / authenticateWith: the server's hints reach the browser", async () => {
    let s = server({ publicKey: creationJSON({ hints: ["security-key"] }) }, { ok: true });
    const log = install({ native: false });
    await registerWith({ begin: "/b", finish: "/f", fetch: s.fetch });
    s = server({ publicKey: requestJSON({ hints: ["hybrid", "client-device"] }) }, { ok: true });
    await authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch });
    assert.deepEqual(log.create[0].publicKey.hints, ["security-key"]);
    assert.deepEqual(log.get[0].publicKey.hints, ["hybrid", "client-device"]);
  });
});

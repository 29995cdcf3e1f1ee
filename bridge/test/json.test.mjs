// Options in (native parser or manual base64url path) and credentials out (toJSON or manual).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { authenticate, register } from "../dist/chirp-passkeys.mjs";
import { authCredential, b64u, buf, bytesOf, creationJSON, install, regCredential, requestJSON } from "./fakes.mjs";

const ALL = Array.from({ length: 256 }, (_, i) => i);

describe("options", () => {
  test("native parser gets the options, bare or wrapped, nulls dropped", async () => {
    const log = install();
    await register(creationJSON({ extensions: null, hints: null, attestationFormats: null }));
    await register({ publicKey: creationJSON(), mediation: "optional" });
    await authenticate({ publicKey: requestJSON({ allowCredentials: null }) });
    const [c1, c2, r1] = log.parsed;
    assert.equal(c1.challenge, creationJSON().challenge);
    for (const k of ["extensions", "hints", "attestationFormats"]) assert.equal(c1[k], undefined);
    assert.equal(c2.user.name, "ann");
    assert.equal(r1.allowCredentials, undefined);
    assert.equal(log.create[0].publicKey.parsed, "creation");
    assert.equal(log.create[0].mediation, undefined);
    assert.equal(log.create[1].mediation, "optional");
    assert.equal(log.get[0].publicKey.parsed, "request");
    assert.ok(log.create[0].signal instanceof AbortSignal);
  });

  test("the caller's options object is not modified", async () => {
    install();
    const o = requestJSON({ hints: null });
    const copy = structuredClone(o);
    await authenticate(o, { timeout: 1234 });
    assert.deepEqual(o, copy);
  });

  test("conditional: mediation conditional for get and create", async () => {
    const log = install({ clientCapabilities: { conditionalGet: true, conditionalCreate: true } });
    await authenticate(requestJSON(), { conditional: true });
    await register(creationJSON(), { conditional: true });
    assert.equal(log.get[0].mediation, "conditional");
    assert.equal(log.create[0].mediation, "conditional");
  });

  test("manual path converts every binary member and keeps the rest", async () => {
    const log = install({ native: false });
    const salt1 = [1, 1, 1],
      salt2 = [2, 2],
      salt3 = [3];
    await register(
      creationJSON({
        challenge: b64u(ALL),
        excludeCredentials: [{ type: "public-key", id: b64u([5, 6]), transports: ["internal"] }],
        hints: ["client-device"],
        attestationFormats: ["packed"],
        extensions: { credProps: true, prf: { eval: { first: b64u(salt1), second: b64u(salt2) } }, largeBlob: { support: "preferred", write: b64u([7, 7]) }, futureExt: { id: "keep-me" } },
        unknownMember: 42,
      }),
    );
    const pk = log.create[0].publicKey;
    assert.deepEqual(bytesOf(pk.challenge), ALL);
    assert.ok(pk.challenge instanceof Uint8Array); // a BufferSource
    assert.deepEqual(bytesOf(pk.user.id), [1, 2, 3, 4]);
    assert.equal(pk.user.name, "ann");
    assert.deepEqual(pk.rp, { name: "Chirp", id: "localhost" }); // rp.id is a domain, not base64url
    assert.deepEqual(bytesOf(pk.excludeCredentials[0].id), [5, 6]);
    assert.deepEqual(pk.excludeCredentials[0].transports, ["internal"]);
    assert.deepEqual(pk.hints, ["client-device"]);
    assert.deepEqual(pk.attestationFormats, ["packed"]);
    assert.deepEqual(pk.pubKeyCredParams, [{ type: "public-key", alg: -7 }]);
    assert.equal(pk.unknownMember, 42);
    assert.equal(pk.extensions.credProps, true);
    assert.deepEqual(bytesOf(pk.extensions.prf.eval.first), salt1);
    assert.deepEqual(bytesOf(pk.extensions.prf.eval.second), salt2);
    assert.deepEqual(bytesOf(pk.extensions.largeBlob.write), [7, 7]);
    assert.equal(pk.extensions.largeBlob.support, "preferred");
    assert.equal(pk.timeout, 300000);
    assert.deepEqual(pk.authenticatorSelection, { residentKey: "required", userVerification: "preferred" });

    await authenticate(
      requestJSON({
        allowCredentials: [{ type: "public-key", id: b64u([8]) }],
        extensions: { prf: { evalByCredential: { [b64u([8])]: { first: b64u(salt3) } } }, largeBlob: { read: true } },
      }),
    );
    const rq = log.get[0].publicKey;
    assert.deepEqual(bytesOf(rq.allowCredentials[0].id), [8]);
    assert.deepEqual(bytesOf(rq.extensions.prf.evalByCredential[b64u([8])].first), salt3);
    assert.equal(rq.rpId, "localhost");
    assert.equal(rq.userVerification, "preferred");
    assert.deepEqual(rq.extensions.largeBlob, { read: true });
  });

  test("manual path accepts padded base64url", async () => {
    const log = install({ native: false });
    await authenticate(requestJSON({ challenge: Buffer.from([250, 251]).toString("base64").replace(/\+/g, "-").replace(/\//g, "_") }));
    assert.deepEqual(bytesOf(log.get[0].publicKey.challenge), [250, 251]);
  });
});

describe("credentials", () => {
  test("toJSON() is used when it works", async () => {
    install({ create: async () => regCredential({ toJSON: () => ({ id: "from-toJSON" }) }) });
    assert.deepEqual(await register(creationJSON()), { id: "from-toJSON" });
  });

  const regWant = (ext) => ({
    id: "AQID",
    rawId: b64u([1, 2, 3]),
    type: "public-key",
    authenticatorAttachment: "platform",
    clientExtensionResults: ext,
    response: {
      clientDataJSON: b64u([123, 125]),
      attestationObject: b64u([0xa0]),
      authenticatorData: b64u([9, 9]),
      publicKey: b64u([4, 5]),
      publicKeyAlgorithm: -7,
      transports: ["internal", "hybrid"],
    },
  });

  test("manual registration JSON when toJSON is missing", async () => {
    install({ native: false, create: async () => regCredential() });
    const j = await register(creationJSON());
    assert.deepEqual(JSON.parse(JSON.stringify(j)), regWant({ credProps: { rk: true } }));
  });

  test("manual JSON when toJSON throws (password-manager wrapper), binary extension outputs encoded", async () => {
    const ext = {
      credProps: { rk: true },
      prf: { enabled: true, results: { first: buf(...ALL), second: new Uint8Array([1, 2]) } },
      largeBlob: { supported: true, blob: buf(0xff, 0xee) },
      unknownExt: { flag: true, data: buf(1) },
    };
    install({
      create: async () =>
        regCredential({
          ext,
          toJSON() {
            throw new TypeError("Illegal invocation");
          },
        }),
    });
    const j = JSON.parse(JSON.stringify(await register(creationJSON(), { sendPrf: true })));
    assert.deepEqual(
      j,
      regWant({
        credProps: { rk: true },
        prf: { enabled: true, results: { first: b64u(ALL), second: b64u([1, 2]) } },
        largeBlob: { supported: true, blob: b64u([0xff, 0xee]) },
        unknownExt: { flag: true, data: b64u([1]) },
      }),
    );
  });

  test("manual authentication JSON", async () => {
    install({ get: async () => authCredential({ ext: { largeBlob: { blob: buf(1, 2, 3) } } }) });
    const j = JSON.parse(JSON.stringify(await authenticate(requestJSON())));
    assert.deepEqual(j, {
      id: "BAUG",
      rawId: b64u([4, 5, 6]),
      type: "public-key",
      // authenticatorAttachment null: left out
      clientExtensionResults: { largeBlob: { blob: b64u([1, 2, 3]) } },
      response: { clientDataJSON: b64u([1]), authenticatorData: b64u([2]), signature: b64u([3, 3]), userHandle: b64u([7]) },
    });
  });

  test("manual JSON: a response getter that throws is left out", async () => {
    install({
      create: async () => {
        const c = regCredential();
        c.response.getPublicKey = () => {
          throw new Error("not implemented");
        };
        delete c.response.getTransports;
        return c;
      },
    });
    const j = JSON.parse(JSON.stringify(await register(creationJSON())));
    assert.equal(j.response.publicKey, undefined);
    assert.equal(j.response.transports, undefined);
    assert.equal(j.response.publicKeyAlgorithm, -7);
  });

  test("base64url round trip: bytes → JSON → options", async () => {
    const bytes = Array.from({ length: 300 }, (_, i) => (i * 37) % 256);
    install({ native: false, get: async () => ({ ...authCredential(), rawId: new Uint8Array(bytes).buffer }) });
    const j = await authenticate(requestJSON());
    assert.equal(j.rawId, Buffer.from(bytes).toString("base64url"));
    assert.doesNotMatch(j.rawId, /[+/=]/);
    const log = install({ native: false });
    await authenticate(requestJSON({ challenge: j.rawId }));
    assert.deepEqual(bytesOf(log.get[0].publicKey.challenge), bytes);
  });

  test("views with an offset are encoded from their window only", async () => {
    const big = new Uint8Array([0, 1, 2, 3, 4, 5]);
    install({ get: async () => ({ ...authCredential(), rawId: new Uint8Array(big.buffer, 2, 3) }) });
    assert.equal((await authenticate(requestJSON())).rawId, b64u([2, 3, 4]));
  });
});

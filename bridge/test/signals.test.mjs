// Signals: signalUnknown / signalAccepted / signalUser, and authenticateWith's signal of an
// unknown credential.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PasskeyError, authenticateWith, registerWith, signalAccepted, signalUnknown, signalUser } from "../dist/chirp-passkeys.mjs";
import { SIGNALS, creationJSON, domErr, install, requestJSON, sleep } from "./fakes.mjs";

const UNKNOWN = { rpId: "example.com", credentialId: "AQID" };
const ACCEPTED = { rpId: "example.com", userId: "Bw", allAcceptedCredentialIds: ["AQID", "-_8"] };
const USER = { rpId: "example.com", userId: "Bw", name: "ada@example.com", displayName: "Ada" };
const CASES = [
  ["signalUnknown", signalUnknown, "signalUnknownCredential", UNKNOWN],
  ["signalAccepted", signalAccepted, "signalAllAcceptedCredentials", ACCEPTED],
  ["signalUser", signalUser, "signalCurrentUserDetails", USER],
];

async function rejection(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail("did not reject");
}

describe("signal functions", () => {
  for (const [name, fn, method, json] of CASES) {
    test(`${name} calls PublicKeyCredential.${method} with the JSON as given`, async () => {
      const log = install();
      assert.equal(await fn(json), undefined);
      assert.deepEqual(log.signals, [[method, json]]);
      assert.equal(log.signals[0][1], json); // the same object: nothing added or dropped
    });

    test(`${name}: resolves quietly where the browser lacks ${method}`, async () => {
      const log = install({ signals: { [method]: null } });
      assert.equal(await fn(json), undefined);
      assert.deepEqual(log.signals, []);
    });

    test(`${name}: resolves quietly without WebAuthn at all`, async () => {
      install();
      delete globalThis.PublicKeyCredential;
      assert.equal(await fn(json), undefined);
    });

    for (const refusal of [domErr("SecurityError", "The relying party ID is not a registrable domain suffix of the origin"), new TypeError("Invalid base64url")]) {
      test(`${name}: the browser refuses (${refusal.name}) → misconfigured/signal_refused`, async () => {
        install({
          signals: {
            [method]: async () => {
              throw refusal;
            },
          },
        });
        const e = await rejection(fn(json));
        assert.ok(e instanceof PasskeyError, String(e));
        assert.deepEqual([e.name, e.passkeyReason, e.code, e.ceremony, e.retryable, e.cause], ["PasskeyError", "misconfigured", "signal_refused", "signal", false, refusal]);
      });
    }
  }

  test("a refusal of one signal leaves the others alone", async () => {
    const log = install({
      signals: {
        signalAllAcceptedCredentials: async () => {
          throw domErr("SecurityError");
        },
      },
    });
    await rejection(signalAccepted(ACCEPTED));
    await signalUser(USER);
    await signalUnknown(UNKNOWN);
    assert.deepEqual(
      log.signals.map(([m]) => m),
      SIGNALS.slice(1, 2).concat("signalCurrentUserDetails", "signalUnknownCredential"),
    );
  });
});

/** A scripted server whose finish answers `finish` ([status, body]); records the calls. */
function server(begin, finish) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, body: JSON.parse(init.body) });
    const [status, body] = url == "/b" ? [200, begin] : finish;
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
  return { fetch, calls };
}

const unknownCredential = [400, { code: "unknown_credential", error: "No such passkey." }];
// The default fake assertion's toJSON gives id "native-auth".
const CRED_ID = "native-auth";

describe("authenticateWith and unknown_credential", () => {
  test("signals the credential as unknown (rpId of the options), then rejects as before", async () => {
    const s = server(requestJSON({ rpId: "example.com" }), unknownCredential);
    const log = install({ fetch: s.fetch });
    const e = await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.ok(e instanceof PasskeyError);
    assert.deepEqual([e.passkeyReason, e.code, e.ceremony, e.status, e.serverCode], ["failed", "server_rejected", "authenticate", 400, "unknown_credential"]);
    assert.deepEqual(log.signals, [["signalUnknownCredential", { rpId: "example.com", credentialId: CRED_ID }]]);
  });

  test("options wrapped in publicKey: rpId from publicKey", async () => {
    const s = server({ publicKey: requestJSON({ rpId: "login.example.com" }), mediation: "optional" }, unknownCredential);
    const log = install();
    await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.deepEqual(log.signals, [["signalUnknownCredential", { rpId: "login.example.com", credentialId: CRED_ID }]]);
  });

  test("options without rpId: location.hostname", async () => {
    const s = server(requestJSON({ rpId: undefined }), unknownCredential);
    const log = install({ hostname: "shop.example.org" });
    await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.deepEqual(log.signals, [["signalUnknownCredential", { rpId: "shop.example.org", credentialId: CRED_ID }]]);
  });

  test("the signal has settled when the promise rejects", async () => {
    const s = server(requestJSON(), unknownCredential);
    let settled = false;
    install({
      signals: {
        signalUnknownCredential: async () => {
          await sleep(30);
          settled = true;
        },
      },
    });
    await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.equal(settled, true);
  });

  test("signalUnknown: false turns it off", async () => {
    const s = server(requestJSON(), unknownCredential);
    const log = install();
    const e = await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch, signalUnknown: false }));
    assert.equal(e.serverCode, "unknown_credential");
    assert.deepEqual(log.signals, []);
  });

  test("other refusals signal nothing", async () => {
    for (const answer of [
      [400, { code: "verification_failed", error: "Bad signature." }],
      [400, { code: "challenge_expired", error: "Too late." }],
      [500, "<html>oops</html>"],
    ]) {
      const s = server(requestJSON(), answer);
      const log = install();
      const e = await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
      assert.equal(e.code, "server_rejected");
      assert.deepEqual(log.signals, []);
    }
  });

  test("a begin answering unknown_credential signals nothing (no credential yet)", async () => {
    const calls = [];
    const fetch = async (url) => (calls.push(url), new Response(JSON.stringify(unknownCredential[1]), { status: 400 }));
    const log = install();
    const e = await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch }));
    assert.equal(e.serverCode, "unknown_credential");
    assert.deepEqual(calls, ["/b"]);
    assert.deepEqual(log.signals, []);
  });

  test("a browser without the signal: rejects as before", async () => {
    const s = server(requestJSON(), unknownCredential);
    install({ signals: { signalUnknownCredential: null } });
    const e = await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.deepEqual([e.code, e.serverCode], ["server_rejected", "unknown_credential"]);
  });

  test("a browser refusing the signal: still the server's refusal", async () => {
    const s = server(requestJSON(), unknownCredential);
    const log = install({
      signals: {
        signalUnknownCredential: async () => {
          throw domErr("SecurityError");
        },
      },
    });
    const e = await rejection(authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.deepEqual([e.code, e.serverCode], ["server_rejected", "unknown_credential"]);
    assert.equal(log.signals.length, 1);
  });

  test("a successful sign-in signals nothing", async () => {
    const s = server(requestJSON(), [200, { redirect: "/" }]);
    const log = install();
    assert.deepEqual(await authenticateWith({ begin: "/b", finish: "/f", fetch: s.fetch }), { redirect: "/" });
    assert.deepEqual(log.signals, []);
  });

  test("registerWith signals nothing on refusals", async () => {
    const s = server(creationJSON(), [400, { code: "credential_exists", error: "Already registered." }]);
    const log = install();
    const e = await rejection(registerWith({ begin: "/b", finish: "/f", fetch: s.fetch }));
    assert.equal(e.serverCode, "credential_exists");
    assert.deepEqual(log.signals, []);
  });
});

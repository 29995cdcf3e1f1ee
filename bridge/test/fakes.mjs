// Scripted fakes of the browser globals the bridge reads at call time.
export const b64u = (bytes) => Buffer.from(bytes).toString("base64url");
export const bytesOf = (buf) => Array.from(new Uint8Array(buf instanceof ArrayBuffer ? buf : buf.buffer));
export const buf = (...bytes) => new Uint8Array(bytes).buffer;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const domErr = (name, msg = name) => new DOMException(msg, name);

function define(name, value) {
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}

/** A fake registration credential (PublicKeyCredential shape). */
export function regCredential({ toJSON, ext } = {}) {
  const c = {
    id: "AQID",
    rawId: buf(1, 2, 3),
    type: "public-key",
    authenticatorAttachment: "platform",
    response: {
      clientDataJSON: buf(123, 125),
      attestationObject: buf(0xa0),
      getAuthenticatorData: () => buf(9, 9),
      getPublicKey: () => buf(4, 5),
      getPublicKeyAlgorithm: () => -7,
      getTransports: () => ["internal", "hybrid"],
    },
    getClientExtensionResults: () => ext ?? { credProps: { rk: true } },
  };
  if (toJSON) c.toJSON = toJSON;
  return c;
}

/** A fake assertion credential. */
export function authCredential({ toJSON, ext } = {}) {
  const c = {
    id: "BAUG",
    rawId: buf(4, 5, 6),
    type: "public-key",
    authenticatorAttachment: null,
    response: { clientDataJSON: buf(1), authenticatorData: buf(2), signature: new Uint8Array([3, 3]), userHandle: buf(7) },
    getClientExtensionResults: () => ext ?? {},
  };
  if (toJSON) c.toJSON = toJSON;
  return c;
}

/** The three static signal methods of PublicKeyCredential (WebAuthn L3). */
export const SIGNALS = ["signalUnknownCredential", "signalAllAcceptedCredentials", "signalCurrentUserDetails"];

/**
 * Installs fakes. create/get: async (options) => credential, default a credential
 * with a toJSON. native: whether parse*FromJSON exist. signals: by method name, an
 * async implementation, or null for a browser without it (default: all three, resolving).
 * Returns a log of calls (log.signals: [method, argument] pairs).
 */
export function install({
  create,
  get,
  native = true,
  secure = true,
  hostname = "localhost",
  conditional = true,
  clientCapabilities,
  uvpa = true,
  csrf = "tok123",
  metas,
  fetch,
  signals = {},
} = {}) {
  const log = { create: [], get: [], parsed: [], signals: [] };
  const P = function PublicKeyCredential() {};
  if (native) {
    P.parseCreationOptionsFromJSON = (o) => (log.parsed.push(o), { parsed: "creation", ...o });
    P.parseRequestOptionsFromJSON = (o) => (log.parsed.push(o), { parsed: "request", ...o });
  }
  P.isConditionalMediationAvailable = async () => conditional;
  P.isUserVerifyingPlatformAuthenticatorAvailable = async () => uvpa;
  if (clientCapabilities) P.getClientCapabilities = async () => clientCapabilities;
  for (const m of SIGNALS) {
    const impl = m in signals ? signals[m] : async () => {};
    if (impl) P[m] = async (arg) => (log.signals.push([m, arg]), impl(arg));
  }
  define("PublicKeyCredential", P);
  define("navigator", {
    credentials: {
      create: async (o) => (log.create.push(o), (create || (async () => regCredential({ toJSON: () => ({ id: "native-reg" }) })))(o)),
      get: async (o) => (log.get.push(o), (get || (async () => authCredential({ toJSON: () => ({ id: "native-auth" }) })))(o)),
    },
  });
  define("isSecureContext", secure);
  define("location", { hostname });
  const m = metas ?? (csrf ? { "csrf-token": csrf } : {});
  define("document", {
    querySelector: (sel) => {
      const name = /meta\[name="([^"]+)"\]/.exec(sel)?.[1];
      return name in m ? { content: m[name] } : null;
    },
  });
  if (fetch) define("fetch", fetch);
  return log;
}

export function uninstall(...names) {
  for (const n of names) delete globalThis[n];
}

/** Options JSON as go-webauthn emits them (bare, inside `publicKey`). */
export const creationJSON = (extra = {}) => ({
  rp: { name: "Chirp", id: "localhost" },
  user: { name: "ann", displayName: "Ann", id: b64u([1, 2, 3, 4]) },
  challenge: b64u([0xfb, 0xff, 0xfe, 0x00, 0x10]),
  pubKeyCredParams: [{ type: "public-key", alg: -7 }],
  timeout: 300000,
  authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  ...extra,
});

export const requestJSON = (extra = {}) => ({
  challenge: b64u([9, 8, 7, 6]),
  timeout: 300000,
  rpId: "localhost",
  userVerification: "preferred",
  ...extra,
});

/** A promise-returning create/get that waits for the abort signal, then rejects after delay ms. */
export const hang =
  (delay = 0, onCall) =>
  (o) =>
    new Promise((_, rej) => {
      onCall?.(o);
      o.signal.addEventListener("abort", () => setTimeout(() => rej(domErr("AbortError", "aborted")), delay));
    });

import { fromB64u, walk } from "./base64url.js";
import { capabilities } from "./capabilities.js";
import { credentialToJSON } from "./credential-to-json.js";
import { PasskeyError, type PasskeyErrorCode } from "./error.js";
import { g } from "./global.js";
import { identifyError, type Why } from "./identify-error.js";
import { isSupported } from "./is-supported.js";
import { parseOptions } from "./parse-options.js";
import { type Pending, shared } from "./shared.js";
import type { Ceremony, CeremonyOptions } from "./types.js";

/**
 * Runs one ceremony: validates and parses the options, supersedes (and awaits) the
 * pending ceremony (of any copy of the bridge: see shared.ts), calls
 * navigator.credentials.create/get and serializes the result.
 * Every failure rejects with a PasskeyError.
 */
export const ceremony = async (c: Ceremony, input: any, o: CeremonyOptions = {}): Promise<any> => {
  const s = o.signal,
    X = (code: PasskeyErrorCode, cause?: unknown) => new PasskeyError(code, c, cause);
  if (!isSupported()) throw X("no_webauthn");
  if (!g.isSecureContext) throw X("insecure_context");
  let pk = input?.publicKey || input,
    med = o.conditional ? "conditional" : input?.publicKey && input.mediation,
    pub: any;
  try {
    // copy, turning nulls (which the browser's parser rejects) into absent members
    pk = walk(pk, (v) => v ?? undefined);
    if (o.timeout) pk.timeout = o.timeout;
    if (typeof pk.challenge != "string" || (c == "register" && !(pk.rp && pk.user))) throw undefined; // no cause: caught below
    pub = parseOptions(c, pk);
  } catch (e) {
    throw X("bad_options", e);
  }
  const ac = new AbortController(),
    prev = shared.p,
    onAbort = () => me.k("aborted");
  let why: Why | undefined,
    done!: () => void,
    timer: any,
    t0: any;
  const me: Pending = (shared.p = {
    k: (w) => {
      why ||= w;
      ac.abort();
    },
    d: new Promise<void>((r) => (done = r)),
  });
  prev?.k("superseded");
  s?.addEventListener("abort", onAbort);
  if (s?.aborted) onAbort();
  try {
    await prev?.d;
    if (med == "conditional" && !(await capabilities())[c == "register" ? "conditionalCreate" : "conditionalGet"])
      throw X("conditional_unavailable");
    if (why) throw undefined; // no cause: caught below
    if (o.timeout) timer = setTimeout(() => me.k("timeout"), o.timeout);
    t0 = Date.now();
    const cr = await g.navigator.credentials[c == "register" ? "create" : "get"]({ publicKey: pub, signal: ac.signal, mediation: med });
    try {
      const json = credentialToJSON(cr),
        prf = json.clientExtensionResults?.prf;
      // PRF outputs are secrets of the page (keys it derives): bytes on the result, not sent
      // to the server unless opts.sendPrf. Their toJSON() leaves them out of JSON.stringify(result).
      if (prf?.results) {
        json.prf = { ...walk(prf.results, fromB64u), toJSON() {} };
        if (!o.sendPrf) delete prf.results;
      }
      return json;
    } catch (e) {
      throw X("serialization", e);
    }
  } catch (e) {
    throw e instanceof PasskeyError ? e : X(identifyError(e, { _ceremony: c, _abortReason: why, _rpId: pk.rpId ?? pk.rp?.id, _timeoutMs: pk.timeout, _elapsedMs: Date.now() - t0 }), e);
  } finally {
    clearTimeout(timer);
    s?.removeEventListener("abort", onAbort);
    if (shared.p == me) shared.p = undefined;
    done();
  }
};

import { walk } from "./base64url.js";
import { capabilities } from "./capabilities.js";
import { credentialToJSON } from "./credential-to-json.js";
import { PasskeyError, type PasskeyErrorCode } from "./error.js";
import { g } from "./global.js";
import { identifyError, type Why } from "./identify-error.js";
import { isSupported } from "./is-supported.js";
import { parseOptions } from "./parse-options.js";
import type { Ceremony, CeremonyOptions } from "./types.js";

/** A ceremony in flight: `k` kills it, `d` resolves once it has settled. */
interface Pending {
  k(w: Why): void;
  d: Promise<void>;
}

/** Shared state: the pending ceremony, if any. */
export const state: { p?: Pending } = {};

/**
 * Runs one ceremony: validates and parses the options, supersedes (and awaits) the
 * pending ceremony, calls navigator.credentials.create/get and serializes the result.
 * Every failure rejects with a PasskeyError.
 */
export async function ceremony(c: Ceremony, input: any, o: CeremonyOptions = {}): Promise<any> {
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
    prev = state.p,
    onAbort = () => me.k("aborted");
  let why: Why | undefined,
    done!: () => void,
    timer: any,
    t0: any;
  const me: Pending = (state.p = {
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
      return credentialToJSON(cr);
    } catch (e) {
      throw X("serialization", e);
    }
  } catch (e) {
    throw identifyError(e, { c, w: why, r: pk.rpId ?? pk.rp?.id, t: pk.timeout, e: Date.now() - t0 });
  } finally {
    clearTimeout(timer);
    s?.removeEventListener("abort", onAbort);
    if (state.p == me) state.p = undefined;
    done();
  }
}

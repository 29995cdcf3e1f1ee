import { authenticate } from "./authenticate.js";
import { PasskeyError } from "./error.js";
import { g } from "./global.js";
import { register } from "./register.js";
import { signalUnknown } from "./signal-unknown.js";
import type { Ceremony, WithOptions } from "./types.js";

/**
 * begin → ceremony → finish, with CSRF header, same-origin credentials and JSON. A sign-in
 * that the finish endpoint refuses with `unknown_credential` signals the credential as
 * unknown to the browser (unless `opts.signalUnknown` is false) before rejecting. PRF outputs
 * of the ceremony go on the server's answer (an object) as `prf`.
 */
export const withServer = async (c: Ceremony, o: WithOptions): Promise<any> => {
  const F = o.fetch || g.fetch,
    tok = o.csrfToken ?? g.document.querySelector(`meta[name="${o.csrfMeta || "csrf-token"}"]`)?.content,
    headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  if (tok) headers[o.csrfHeader || "X-CSRF-Token"] = tok;
  const post = async (url: string, body: unknown) => {
    let r: Response, j: any;
    try {
      r = await F(url, { method: "POST", credentials: "same-origin", headers, body: JSON.stringify(body), signal: o.signal });
    } catch (e) {
      throw new PasskeyError(o.signal?.aborted ? "aborted" : "network", c, e);
    }
    j = await r.json().catch(() => {});
    if (!r.ok)
      throw new PasskeyError("server_rejected", c, j, { status: r.status, serverCode: j?.code, serverMessage: j?.error });
    return j;
  };
  const options = await post(o.begin, o.body ?? {}),
    cred = await (c == "register" ? register : authenticate)(options, o);
  try {
    const res = await post(o.finish, cred);
    if (cred.prf && res instanceof Object) res.prf = cred.prf;
    return res;
  } catch (e: any) {
    // The server has no such credential (deleted, or never stored): the browser's passkey
    // provider may drop it, so that the user is not offered it again (WebAuthn L3 signals).
    if (e.serverCode == "unknown_credential" && o.signalUnknown != false)
      await signalUnknown({ rpId: (options.publicKey || options).rpId || g.location.hostname, credentialId: cred.id }).catch(() => {});
    throw e;
  }
};

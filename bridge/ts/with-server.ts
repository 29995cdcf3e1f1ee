import { authenticate } from "./authenticate.js";
import { PasskeyError } from "./error.js";
import { g } from "./global.js";
import { register } from "./register.js";
import type { Ceremony, WithOptions } from "./types.js";

/** begin → ceremony → finish, with CSRF header, same-origin credentials and JSON. */
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
  return post(o.finish, await (c == "register" ? register : authenticate)(await post(o.begin, o.body ?? {}), o));
};

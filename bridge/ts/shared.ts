import { g } from "./global.js";
import type { Why } from "./identify-error.js";
import { version } from "./version.js";

/** A ceremony in flight: `k` kills it, `d` resolves once it has settled. */
export interface Pending {
  k(w: Why): void;
  d: Promise<void>;
}

/**
 * The one instance: what every copy of this version of the bridge on a page shares (the
 * injected script, an application's bundled ES module...): `p`, the pending ceremony, and
 * `E`, the PasskeyError class. The first copy to load puts it on globalThis under
 * `Symbol.for("chirp.passkeys@" + version)`; the later ones adopt it. So a ceremony started
 * by one copy supersedes one started by another, `abort()` reaches both, and
 * `instanceof PasskeyError` holds across them. Copies of other versions keep their own:
 * their code tables may differ.
 */
export const shared: { p?: Pending; E?: any } = (g[Symbol.for("chirp.passkeys@" + version)] ||= {});

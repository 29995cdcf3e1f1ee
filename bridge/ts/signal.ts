import { PasskeyError } from "./error.js";
import { g } from "./global.js";

/**
 * Calls the static `PublicKeyCredential[method](json)` (WebAuthn L3, "Signal Credential
 * Changes to the Authenticator"): resolves quietly where the browser lacks the method (a
 * signal is a hint, never required), rejects with `misconfigured` / `signal_refused` when
 * the browser refuses it (SecurityError: `rpId` is not this site's; TypeError: malformed
 * JSON).
 */
export const signal = async (method: string, json: object): Promise<void> => {
  try {
    await g.PublicKeyCredential?.[method]?.(json);
  } catch (e) {
    throw new PasskeyError("signal_refused", "signal", e);
  }
};

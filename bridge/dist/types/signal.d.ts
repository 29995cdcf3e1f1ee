/**
 * Calls the static `PublicKeyCredential[method](json)` (WebAuthn L3, "Signal Credential
 * Changes to the Authenticator"): resolves quietly where the browser lacks the method (a
 * signal is a hint, never required), rejects with `misconfigured` / `signal_refused` when
 * the browser refuses it (SecurityError: `rpId` is not this site's; TypeError: malformed
 * JSON).
 */
export declare const signal: (method: string, json: object) => Promise<void>;

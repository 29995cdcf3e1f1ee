import type { CurrentUserDetailsOptions } from "./json-types.js";
/**
 * Tells the browser a user's current name and display name
 * (`PublicKeyCredential.signalCurrentUserDetails`; the Go server's
 * `Server.CurrentUserDetails` makes the JSON), for example after a rename: the passkey
 * provider updates the passkeys of that user handle. Resolves quietly where the browser
 * lacks the signal; rejects with `misconfigured` / `signal_refused` when it refuses it.
 */
export declare const signalUser: (json: CurrentUserDetailsOptions) => Promise<void>;

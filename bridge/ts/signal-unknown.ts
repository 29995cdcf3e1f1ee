import type { UnknownCredentialOptions } from "./json-types.js";
import { signal } from "./signal.js";

/**
 * Tells the browser that the server does not know this credential
 * (`PublicKeyCredential.signalUnknownCredential`): the passkey provider may delete or hide
 * it. `authenticateWith` does it by itself when the finish endpoint answers
 * `unknown_credential`. Resolves quietly where the browser lacks the signal; rejects with
 * `misconfigured` / `signal_refused` when it refuses it.
 */
export const signalUnknown = (json: UnknownCredentialOptions): Promise<void> => signal("signalUnknownCredential", json);

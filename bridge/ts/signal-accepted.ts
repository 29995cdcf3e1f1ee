import type { AllAcceptedCredentialsOptions } from "./json-types.js";
import { signal } from "./signal.js";

/**
 * Tells the browser every credential the server still accepts for a user
 * (`PublicKeyCredential.signalAllAcceptedCredentials`; the Go server's
 * `Server.AcceptedCredentials` makes the JSON): the passkey provider may delete or hide
 * this user's passkeys that are not listed, such as one deleted on the account page.
 * Resolves quietly where the browser lacks the signal; rejects with `misconfigured` /
 * `signal_refused` when it refuses it.
 */
export const signalAccepted = (json: AllAcceptedCredentialsOptions): Promise<void> => signal("signalAllAcceptedCredentials", json);

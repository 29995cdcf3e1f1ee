import type { AuthenticateOptions, AuthenticationResponseJSON, CeremonyOptions, PrfResult } from "./types.js";
/**
 * Signs in with a passkey from the begin endpoint's options JSON and resolves to the
 * AuthenticationResponseJSON to POST to the finish endpoint. Rejects with PasskeyError.
 */
export declare const authenticate: (options: AuthenticateOptions, opts?: CeremonyOptions) => Promise<AuthenticationResponseJSON & PrfResult>;

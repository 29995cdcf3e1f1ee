import { ceremony } from "./ceremony.js";
import type { AuthenticateOptions, AuthenticationResponseJSON, CeremonyOptions, PrfResult } from "./types.js";

/**
 * Signs in with a passkey from the begin endpoint's options JSON and resolves to the
 * AuthenticationResponseJSON to POST to the finish endpoint. Rejects with PasskeyError.
 */
export const authenticate = (options: AuthenticateOptions, opts?: CeremonyOptions): Promise<AuthenticationResponseJSON & PrfResult> => ceremony("authenticate", options, opts);

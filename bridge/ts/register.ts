import { ceremony } from "./ceremony.js";
import type { CeremonyOptions, PrfResult, RegisterOptions, RegistrationResponseJSON } from "./types.js";

/**
 * Creates a passkey from the begin endpoint's options JSON and resolves to the
 * RegistrationResponseJSON to POST to the finish endpoint. Rejects with PasskeyError.
 */
export const register = (options: RegisterOptions, opts?: CeremonyOptions): Promise<RegistrationResponseJSON & PrfResult> => ceremony("register", options, opts);

import type { Capabilities } from "./types.js";
/**
 * The browser's `PublicKeyCredential.getClientCapabilities()` where it exists, else a
 * best-effort equivalent (`conditionalGet` from isConditionalMediationAvailable,
 * `conditionalCreate: false`, `passkeyPlatformAuthenticator` and
 * `userVerifyingPlatformAuthenticator` from isUserVerifyingPlatformAuthenticatorAvailable).
 * Never rejects.
 */
export declare const capabilities: () => Promise<Capabilities>;

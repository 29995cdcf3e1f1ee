import { ask } from "./ask.js";
import { isConditionalSupported } from "./is-conditional-supported.js";
import type { Capabilities } from "./types.js";

/**
 * The browser's `PublicKeyCredential.getClientCapabilities()` where it exists, else a
 * best-effort equivalent (`conditionalGet` from isConditionalMediationAvailable,
 * `conditionalCreate: false`, `passkeyPlatformAuthenticator` and
 * `userVerifyingPlatformAuthenticator` from isUserVerifyingPlatformAuthenticatorAvailable).
 * Never rejects.
 */
export const capabilities = async (): Promise<Capabilities> => {
  const c = await ask("getClientCapabilities");
  if (c) return c;
  const u = !!(await ask("isUserVerifyingPlatformAuthenticatorAvailable"));
  return { conditionalGet: await isConditionalSupported(), conditionalCreate: false, passkeyPlatformAuthenticator: u, userVerifyingPlatformAuthenticator: u };
};

import { toB64u, walk } from "./base64url.js";

/** Optional method call that swallows "not implemented". */
const get = (r: any, m: string) => {
  try {
    return r[m]();
  } catch {}
};

/**
 * The credential as RegistrationResponseJSON / AuthenticationResponseJSON: its own
 * toJSON() where that works, else built by hand (also when toJSON() throws, as with
 * credentials wrapped by password-manager extensions): every binary value, including
 * extension outputs (prf results, largeBlob blob), becomes base64url. Throws when
 * neither works.
 */
export const credentialToJSON = (cr: any): any => {
  try {
    return cr.toJSON();
  } catch {}
  const r = cr.response,
    o: any = { clientExtensionResults: get(cr, "getClientExtensionResults") || {}, response: {} };
  for (const k of "id rawId type authenticatorAttachment".split(" ")) o[k] = cr[k];
  // response members: attributes (on the prototype) or getters (getAuthenticatorData() → authenticatorData, ...)
  for (const k of "clientDataJSON attestationObject authenticatorData signature userHandle publicKey publicKeyAlgorithm transports".split(" ")) {
    const v = r[k] ?? get(r, "get" + k[0].toUpperCase() + k.slice(1));
    if (v != null) o.response[k] = v;
  }
  return walk(o, toB64u);
};

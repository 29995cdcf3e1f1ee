import { toB64u, walk } from "./base64url.js";

/**
 * Copies the members named in keys (space-separated) from one object to another: the
 * attribute, else the getter (`getAuthenticatorData()` for `authenticatorData`...). A
 * missing or null one is left out, and so is one whose getter throws ("not implemented");
 * a missing `from` throws.
 */
const copy = (to: any, from: any, keys: string) => {
  for (const k of keys.split(" ")) {
    let v = from[k];
    try {
      v ??= from["get" + k[0].toUpperCase() + k.slice(1)]();
    } catch {}
    if (v != null) to[k] = v;
  }
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
  const o: any = { response: {} };
  copy(o, cr, "id rawId type authenticatorAttachment clientExtensionResults");
  copy(o.response, cr.response, "clientDataJSON attestationObject authenticatorData signature userHandle publicKey publicKeyAlgorithm transports");
  return walk(o, toB64u);
};

import { fromB64u, walk } from "./base64url.js";
import { g } from "./global.js";
import type { Ceremony } from "./types.js";

/**
 * Members holding base64url in options JSON: challenge, user.id, excludeCredentials[].id,
 * allowCredentials[].id, prf eval/evalByCredential first/second, largeBlob.write
 * (`rp.id` is a domain, `rp` is not walked).
 */
const BIN = /^(challenge|id|first|second|write)$/;

/**
 * Turns options JSON into what navigator.credentials expects: with
 * PublicKeyCredential.parse*OptionsFromJSON where the browser has it, else by hand
 * (base64url → ArrayBuffer for the binary members; unknown members such as `hints` kept).
 */
export const parseOptions = (c: Ceremony, o: any): any => {
  const P = g.PublicKeyCredential,
    f = P[`parse${c == "register" ? "Creation" : "Request"}OptionsFromJSON`];
  return f ? f.call(P, o) : walk(o, (v, k) => (typeof v == "string" && BIN.test(k!) ? fromB64u(v) : v));
};

/**
 * @chirpkit/passkeys: the browser bridge, also installed as `window.chirp.passkeys`
 * by the injected script.
 * @module
 */
import type { ChirpNamespace } from "./types";

export { abort } from "./abort";
export { authenticate } from "./authenticate";
export { authenticateWith } from "./authenticate-with";
export { capabilities } from "./capabilities";
export { PasskeyError, type PasskeyErrorCode, type PasskeyReason } from "./error";
export { isConditionalSupported } from "./is-conditional-supported";
export { isSupported } from "./is-supported";
export { register } from "./register";
export { registerWith } from "./register-with";
export type * from "./types";
export { version } from "./version";

declare global {
  interface Window {
    /** chirpkit namespace, installed by the injected bridge script. */
    chirp: ChirpNamespace;
  }
}

/**
 * @chirpkit/passkeys: the browser bridge, also installed as `window.chirp.passkeys`
 * by the injected script.
 * @module
 */
export { abort } from "./abort.js";
export { authenticate } from "./authenticate.js";
export { authenticateWith } from "./authenticate-with.js";
export { capabilities } from "./capabilities.js";
export { PasskeyError, type PasskeyErrorCode, type PasskeyErrorConstructor, type PasskeyReason, type ServerCode } from "./error.js";
export { isConditionalSupported } from "./is-conditional-supported.js";
export { isSupported } from "./is-supported.js";
export { register } from "./register.js";
export { registerWith } from "./register-with.js";
export { signalAccepted } from "./signal-accepted.js";
export { signalUnknown } from "./signal-unknown.js";
export { signalUser } from "./signal-user.js";
export type * from "./types.js";
export { version } from "./version.js";

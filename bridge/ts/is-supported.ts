import { g } from "./global.js";

/** Whether this browser has WebAuthn (`PublicKeyCredential` and `navigator.credentials`). */
export const isSupported = (): boolean => !!(g.PublicKeyCredential && g.navigator?.credentials);

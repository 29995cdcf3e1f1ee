import { g } from "./global";

/** Whether this browser has WebAuthn (`PublicKeyCredential` and `navigator.credentials`). */
export const isSupported = (): boolean => !!(g.PublicKeyCredential && g.navigator?.credentials);

import { g } from "./global.js";

/** Whether conditional mediation (passkey autofill sign-in) is available. Never rejects. */
export async function isConditionalSupported(): Promise<boolean> {
  try {
    return !!(await g.PublicKeyCredential.isConditionalMediationAvailable());
  } catch {
    return false;
  }
}

import { ask } from "./ask.js";

/** Whether conditional mediation (passkey autofill sign-in) is available. Never rejects. */
export const isConditionalSupported = (): Promise<boolean> => ask("isConditionalMediationAvailable");

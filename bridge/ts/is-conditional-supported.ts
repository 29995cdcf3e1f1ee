import { ask } from "./ask.js";

/** Whether conditional mediation (passkey autofill sign-in) is available. Never rejects. */
export const isConditionalSupported = async (): Promise<boolean> => !!(await ask("isConditionalMediationAvailable"));

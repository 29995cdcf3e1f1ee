/** Whether conditional mediation (passkey autofill sign-in) is available. Never rejects. */
export declare const isConditionalSupported: () => Promise<boolean>;

/** Whether conditional mediation (passkey autofill sign-in) is available. Never rejects. */
export declare function isConditionalSupported(): Promise<boolean>;

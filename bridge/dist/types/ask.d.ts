/** Calls the static PublicKeyCredential method m: true when it resolves truthy, false otherwise (never rejects). */
export declare const ask: (m: string) => Promise<boolean>;

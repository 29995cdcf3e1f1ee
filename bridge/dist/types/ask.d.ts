/**
 * Calls the static PublicKeyCredential method m and resolves to what it resolves to, or to
 * undefined when it is missing, throws or rejects (never rejects).
 */
export declare const ask: (m: string) => Promise<any>;

/** Encodes bytes (ArrayBuffer or view) as unpadded base64url; returns anything else unchanged. */
export declare const toB64u: (b: any) => any;
/** Decodes base64url (padded or not) to bytes (a BufferSource for the browser); throws on bad input. */
export declare const fromB64u: (s: string) => Uint8Array;
/** Whether v is binary (ArrayBuffer or a view on one). */
export declare const isBin: (v: any) => boolean;
/**
 * Deep copy of v through leaf(value, key): arrays and plain objects are walked
 * (unknown members kept), binary values and everything under `rp` are leaves.
 */
export declare const walk: (v: any, leaf: (v: any, k?: string) => any, k?: string) => any;

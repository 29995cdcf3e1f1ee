/** Encodes bytes (ArrayBuffer or view) as unpadded base64url; returns anything else unchanged. */
export const toB64u = (b: any): any => {
  if (!isBin(b)) return b;
  let s = "";
  for (const c of new Uint8Array(b.buffer || b, b.byteOffset, b.byteLength)) s += String.fromCharCode(c);
  return btoa(s).replace(/=/g, "").replace(/\+/g, "-").replace(/\//g, "_");
};

/** Decodes base64url (padded or not) to bytes (a BufferSource for the browser); throws on bad input. */
export const fromB64u = (s: string): Uint8Array =>
  Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/** Whether v is binary (ArrayBuffer or a view on one). */
export const isBin = (v: any): boolean => v instanceof ArrayBuffer || ArrayBuffer.isView(v);

/**
 * Deep copy of v through leaf(value, key): arrays and plain objects are walked
 * (unknown members kept), binary values and everything under `rp` are leaves.
 */
export const walk = (v: any, leaf: (v: any, k?: string) => any, k?: string): any =>
  Array.isArray(v)
    ? v.map((x) => walk(x, leaf))
    : v && typeof v == "object" && !isBin(v) && k != "rp"
      ? Object.fromEntries(Object.entries(v).map(([j, x]) => [j, walk(x, leaf, j)]))
      : leaf(v, k);

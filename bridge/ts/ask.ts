import { g } from "./global.js";

/**
 * Calls the static PublicKeyCredential method m and resolves to what it resolves to, or to
 * undefined when it is missing, throws or rejects (never rejects).
 */
export const ask = async (m: string): Promise<any> => {
  try {
    return await g.PublicKeyCredential[m]();
  } catch {}
};

import { g } from "./global.js";

/** Calls the static PublicKeyCredential method m: true when it resolves truthy, false otherwise (never rejects). */
export const ask = async (m: string): Promise<boolean> => {
  try {
    return !!(await g.PublicKeyCredential[m]());
  } catch {
    return false;
  }
};

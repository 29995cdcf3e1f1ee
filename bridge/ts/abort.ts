import { state } from "./ceremony.js";

/** Cancels the pending ceremony, if any: it rejects with `cancelled` / `aborted`. */
export const abort = (): void => state.p?.k("aborted");

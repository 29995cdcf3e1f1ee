import { shared } from "./shared.js";

/** Cancels the pending ceremony, if any (started by any copy of the bridge): it rejects with `cancelled` / `aborted`. */
export const abort = (): void => shared.p?.k("aborted");

/** Cancels the pending ceremony, if any (started by any copy of the bridge): it rejects with `cancelled` / `aborted`. */
export declare const abort: () => void;

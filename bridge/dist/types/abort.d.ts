/** Cancels the pending ceremony, if any: it rejects with `cancelled` / `aborted`. */
export declare const abort: () => void;

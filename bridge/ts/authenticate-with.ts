import type { PrfResult, WithOptions } from "./types.js";
import { withServer } from "./with-server.js";

/**
 * The whole sign-in loop: POST `begin`, get an assertion, POST it to `finish`,
 * resolve to the server's JSON. Rejects with PasskeyError.
 */
export const authenticateWith = <T = unknown>(opts: WithOptions): Promise<T & PrfResult> => withServer("authenticate", opts);

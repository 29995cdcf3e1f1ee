import type { PrfResult, WithOptions } from "./types.js";
import { withServer } from "./with-server.js";

/**
 * The whole registration loop: POST `begin`, create the passkey, POST the credential
 * to `finish`, resolve to the server's JSON. Rejects with PasskeyError
 * (`server_rejected` with `status`/`serverCode`/`serverMessage`, `network`, ...).
 */
export const registerWith = <T = unknown>(opts: WithOptions): Promise<T & PrfResult> => withServer("register", opts);

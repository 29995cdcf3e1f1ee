import type { Ceremony, WithOptions } from "./types.js";
/**
 * begin → ceremony → finish, with CSRF header, same-origin credentials and JSON. A sign-in
 * that the finish endpoint refuses with `unknown_credential` signals the credential as
 * unknown to the browser (unless `opts.signalUnknown` is false) before rejecting. PRF outputs
 * of the ceremony go on the server's answer (an object) as `prf`.
 */
export declare const withServer: (c: Ceremony, o: WithOptions) => Promise<any>;

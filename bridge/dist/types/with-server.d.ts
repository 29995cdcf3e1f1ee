import type { Ceremony, WithOptions } from "./types.js";
/** begin → ceremony → finish, with CSRF header, same-origin credentials and JSON. */
export declare const withServer: (c: Ceremony, o: WithOptions) => Promise<any>;

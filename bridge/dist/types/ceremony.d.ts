import type { Ceremony, CeremonyOptions } from "./types.js";
/**
 * Runs one ceremony: validates and parses the options, supersedes (and awaits) the
 * pending ceremony (of any copy of the bridge: see shared.ts), calls
 * navigator.credentials.create/get and serializes the result.
 * Every failure rejects with a PasskeyError.
 */
export declare const ceremony: (c: Ceremony, input: any, o?: CeremonyOptions) => Promise<any>;

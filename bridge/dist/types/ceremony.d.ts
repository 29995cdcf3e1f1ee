import { type Why } from "./identify-error.js";
import type { Ceremony, CeremonyOptions } from "./types.js";
/** A ceremony in flight: `k` kills it, `d` resolves once it has settled. */
interface Pending {
    k(w: Why): void;
    d: Promise<void>;
}
/** Shared state: the pending ceremony, if any. */
export declare const state: {
    p?: Pending;
};
/**
 * Runs one ceremony: validates and parses the options, supersedes (and awaits) the
 * pending ceremony, calls navigator.credentials.create/get and serializes the result.
 * Every failure rejects with a PasskeyError.
 */
export declare function ceremony(c: Ceremony, input: any, o?: CeremonyOptions): Promise<any>;
export {};

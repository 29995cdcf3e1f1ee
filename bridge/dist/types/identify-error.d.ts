import { PasskeyError } from "./error.js";
import type { Ceremony } from "./types.js";
/** Why our own AbortController aborted, if it did. */
export type Why = "aborted" | "superseded" | "timeout";
/** What identifyError knows besides the error itself. */
export interface ErrorContext {
    /** ceremony */
    c: Ceremony;
    /** why we aborted our own controller, if we did */
    w?: Why;
    /** rp.id (register) / rpId (authenticate), if set */
    r?: string;
    /** timeout in ms (opts.timeout or options.timeout), if any */
    t?: number;
    /** milliseconds elapsed since the browser was called */
    e: number;
}
/**
 * Maps whatever a ceremony threw to a PasskeyError, using the context
 * (our abort reason, rpId, timeout, elapsed time) and not only the DOMException name.
 */
export declare const identifyError: (err: unknown, x: ErrorContext) => PasskeyError;

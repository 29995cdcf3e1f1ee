import type { PasskeyErrorCode } from "./error.js";
import type { Ceremony } from "./types.js";
/** Why our own AbortController aborted, if it did. */
export type Why = "aborted" | "superseded" | "timeout";
/**
 * What identifyError knows besides the error itself. The members start with `_`: the build
 * shortens such internal names (esbuild `mangleProps: /^_/`).
 */
export interface ErrorContext {
    /** The ceremony that failed. */
    _ceremony: Ceremony;
    /** Why we aborted our own AbortController, if we did: it decides, whatever the browser threw. */
    _abortReason?: Why;
    /** `rp.id` (register) or `rpId` (authenticate), if the options set it. */
    _rpId?: string;
    /** The ceremony's timeout in ms (`opts.timeout`, else `options.timeout`), if any. */
    _timeoutMs?: number;
    /** Milliseconds from the call of navigator.credentials.create/get to the failure. */
    _elapsedMs: number;
}
/**
 * The code of whatever the browser's create/get threw (a PasskeyError is never passed:
 * ceremony() keeps its own). The DOMException name alone is ambiguous (NotAllowedError is
 * both "the user cancelled" and "the timer expired"), so the context decides too: our own
 * abort reason, the rp ID, the timeout and the time elapsed.
 *
 * References are to WebAuthn Level 3: §5.1.3 [[Create]] (navigator.credentials.create),
 * §5.1.4 [[Get]] / [[DiscoverFromExternalSource]] (navigator.credentials.get), and their
 * exception tables, §5.1.3.1 "Create Request Exceptions" and §5.1.4.3 "Get Request
 * Exceptions".
 */
export declare const identifyError: (err: unknown, x: ErrorContext) => PasskeyErrorCode;

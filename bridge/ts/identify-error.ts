import type { PasskeyErrorCode } from "./error.js";
import { g } from "./global.js";
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
export const identifyError = (err: unknown, x: ErrorContext): PasskeyErrorCode => {
  const name = (err as Error)?.name;
  if (x._abortReason) {
    // We aborted the signal (Credential Management: the promise rejects with the signal's
    // abort reason, an AbortError, or the browser's NotAllowedError): our reason is the truth.
    return x._abortReason;
  }
  if (name == "AbortError") {
    // Not our signal, so the browser aborted by itself: Firefox raises AbortError when the
    // user closes its dialog (the exception tables list AbortError only for the signal).
    return "user_cancelled";
  }
  if (name == "NotAllowedError") {
    // §5.1.3 / §5.1.4: "If lifetimeTimer expires" and "If the user exercises a user agent
    // user-interface option to cancel the process" both throw NotAllowedError. Tell them apart
    // by the clock: a failure after (nearly) the whole timeout is the timer.
    return x._timeoutMs && x._elapsedMs >= x._timeoutMs * 0.9 ? "timeout" : "user_cancelled";
  }
  if (name == "InvalidStateError") {
    // §5.1.3.1: on create, "the authenticator recognized an entry in excludeCredentials after
    // the user consented": this device already has a passkey for the account. On get the
    // tables give it no meaning: an authenticator failure.
    return x._ceremony == "register" ? "excluded_credential" : "authenticator_error";
  }
  if (name == "SecurityError") {
    // §5.1.3 / §5.1.4: "If effectiveDomain is not a valid domain" and "If rp.id (rpId) is not a
    // registrable domain suffix of and is not equal to effectiveDomain" (and related origins
    // did not allow it) throw SecurityError. (So does a context that is not secure, but
    // ceremony() refuses those before calling the browser: insecure_context.)
    if (x._rpId && !("." + g.location.hostname).endsWith("." + x._rpId)) return "rp_id_mismatch"; // host neither rp ID nor under it
    return "invalid_domain";
  }
  if (name == "NotSupportedError") {
    // §5.1.3: "If credTypesAndPubKeyAlgs is empty, throw a NotSupportedError": no algorithm of
    // pubKeyCredParams is supported.
    return "unsupported_algorithm";
  }
  if (name == "OperationError" && /pending/i.test((err as Error).message)) {
    // Not in the spec: Chromium's "A request is already pending." while another create/get runs.
    return "busy";
  }
  if (name == "TypeError") {
    // §5.1.3: "If the length of options.user.id is not between 1 and 64 bytes ... throw a
    // TypeError", and WebIDL conversion of malformed options: the options are wrong.
    return "bad_options";
  }
  if (err instanceof g.DOMException) {
    // Any other DOMException (§5.1.3.1 / §5.1.4.3 ConstraintError, UnknownError, an
    // OperationError other than busy...): the authenticator or the platform failed.
    return "authenticator_error";
  }
  return "unknown";
};

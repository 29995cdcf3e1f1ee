import { PasskeyError, type PasskeyErrorCode } from "./error.js";
import { g } from "./global.js";
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
export const identifyError = (err: unknown, x: ErrorContext): PasskeyError => {
  if (err instanceof PasskeyError) return err;
  const n = (err as Error)?.name;
  const r = x.r;
  const code: PasskeyErrorCode =
    x.w ||
    (n == "AbortError"
      ? "user_cancelled"
      : n == "NotAllowedError"
        ? x.t && x.e >= x.t * 0.9
          ? "timeout"
          : "user_cancelled"
        : n == "InvalidStateError"
          ? x.c == "register"
            ? "excluded_credential"
            : "authenticator_error"
          : n == "SecurityError"
            ? !g.isSecureContext
              ? "insecure_context"
              : r && !("." + g.location.hostname).endsWith("." + r) // host neither rpId nor under it
                ? "rp_id_mismatch"
                : "invalid_domain"
            : n == "NotSupportedError"
              ? "unsupported_algorithm"
              : n == "OperationError" && /pending/i.test((err as Error).message)
                ? "busy"
                : n == "TypeError"
                  ? "bad_options"
                  : err instanceof g.DOMException
                    ? "authenticator_error"
                    : "unknown");
  return new PasskeyError(code, x.c, err);
};

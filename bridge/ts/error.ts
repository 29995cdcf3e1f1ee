import type { Ceremony } from "./types.js";

/**
 * What a UI should do about a failure:
 * - `cancelled`: say nothing (the user or the page stopped it);
 * - `duplicate`: "this device is already registered";
 * - `misconfigured`: setup error, log it (the site, not the user, must fix it);
 * - `unsupported`: hide the passkey UI;
 * - `failed`: show an error, offer a retry when `retryable`.
 */
export type PasskeyReason = "cancelled" | "duplicate" | "misconfigured" | "unsupported" | "failed";

/**
 * Finer, stable error code; each maps to one reason and retryable flag (the `CODES`
 * table in error.ts; README.md explains each):
 * - cancelled: `user_cancelled`, `timeout`, `aborted` (retryable); `superseded`
 * - duplicate: `excluded_credential`
 * - misconfigured: `rp_id_mismatch`, `invalid_domain`, `insecure_context`, `bad_options`
 * - unsupported: `no_webauthn`, `conditional_unavailable`
 * - failed: `busy`, `authenticator_error`, `server_rejected`, `network`, `unknown` (retryable);
 *   `unsupported_algorithm`, `serialization`
 */
export type PasskeyErrorCode =
  | "user_cancelled"
  | "timeout"
  | "aborted"
  | "superseded"
  | "excluded_credential"
  | "rp_id_mismatch"
  | "invalid_domain"
  | "insecure_context"
  | "no_webauthn"
  | "conditional_unavailable"
  | "bad_options"
  | "unsupported_algorithm"
  | "busy"
  | "authenticator_error"
  | "serialization"
  | "server_rejected"
  | "network"
  | "unknown";

// Reason indexes times two (see R), plus RETRYABLE. esbuild folds them into numbers.
const CANCELLED = 0,
  DUPLICATE = 2,
  MISCONFIGURED = 4,
  UNSUPPORTED = 6,
  FAILED = 8,
  RETRYABLE = 1;

/**
 * THE table: code → reason index * 2 + retryable (the reason is `R[n >> 1]`,
 * retryable is `n & 1`). 
 */
const CODES: Record<PasskeyErrorCode, number> = {
  /** The user dismissed the dialog (NotAllowedError before the deadline, or a browser AbortError as Firefox raises). */
  user_cancelled: CANCELLED + RETRYABLE,
  /** The deadline passed (`opts.timeout`, or NotAllowedError after ~`options.timeout`). */
  timeout: CANCELLED + RETRYABLE,
  /** Aborted by the caller's `signal` or by `abort()`. */
  aborted: CANCELLED + RETRYABLE,
  /** A newer ceremony started and replaced this one. */
  superseded: CANCELLED,
  /** register: the authenticator already holds a credential from `excludeCredentials` (InvalidStateError). */
  excluded_credential: DUPLICATE,
  /** SecurityError and the page's host is neither `rpId` nor a subdomain of it. */
  rp_id_mismatch: MISCONFIGURED,
  /** SecurityError otherwise: the browser rejects this origin/domain (IP address, bad related origins...). */
  invalid_domain: MISCONFIGURED,
  /** Not a secure context (use https, or http://localhost). */
  insecure_context: MISCONFIGURED,
  /** No `PublicKeyCredential` or no `navigator.credentials` in this browser. */
  no_webauthn: UNSUPPORTED,
  /** `conditional: true` but the browser lacks conditional mediation (get) / conditional create. */
  conditional_unavailable: UNSUPPORTED,
  /** The options are malformed (not an object, bad challenge, missing rp/user, parse TypeError). */
  bad_options: MISCONFIGURED,
  /** NotSupportedError: on register, none of `pubKeyCredParams` is supported. */
  unsupported_algorithm: FAILED,
  /** The browser still has a request pending ("A request is already pending"). */
  busy: FAILED + RETRYABLE,
  /** Any other authenticator/browser failure (DOMException: UnknownError, ConstraintError, ...). */
  authenticator_error: FAILED + RETRYABLE,
  /** The credential could not be turned into JSON. */
  serialization: FAILED,
  /** The begin or finish endpoint answered non-2xx: see `status`, `serverCode`, `serverMessage`. */
  server_rejected: FAILED + RETRYABLE,
  /** fetch to begin or finish threw (offline, DNS, CORS...). */
  network: FAILED + RETRYABLE,
  /** Anything else. */
  unknown: FAILED + RETRYABLE,
};

/** Reasons by index (see CODES). */
const R = "cancelled duplicate misconfigured unsupported failed".split(" ") as PasskeyReason[];

/** The single error type every bridge failure rejects with. */
export class PasskeyError extends Error {
  /** Coarse reason: one of five values, drives the UI. */
  declare readonly passkeyReason: PasskeyReason;
  /** Finer, stable code. */
  declare readonly code: PasskeyErrorCode;
  /** Which ceremony failed. */
  declare readonly ceremony: Ceremony;
  /** Whether offering a retry makes sense. */
  declare readonly retryable: boolean;
  /** The original error (DOMException, TypeError, Response...). */
  declare readonly cause: unknown;
  /** server_rejected: the HTTP status. */
  declare readonly status?: number;
  /** server_rejected: the `code` member of the server's JSON body. */
  declare readonly serverCode?: string;
  /** server_rejected: the `error` member of the server's JSON body. */
  declare readonly serverMessage?: string;

  constructor(code: PasskeyErrorCode, ceremony: Ceremony, cause?: unknown, extra?: { status?: number; serverCode?: string; serverMessage?: string }) {
    super(code); // details: `cause`
    const n = CODES[code];
    Object.assign(this, { name: "PasskeyError", passkeyReason: R[n >> 1], code, ceremony, retryable: !!(n & 1), cause }, extra);
  }
}

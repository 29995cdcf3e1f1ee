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
 * - misconfigured:
 *   `rp_id_mismatch`, `invalid_domain`, `insecure_context`, `bad_options`, `signal_refused`
 * - unsupported: `no_webauthn`, `conditional_unavailable`
 * - failed: `busy`, `authenticator_error`, `server_rejected`, `network`, `unknown` (retryable);
 *   `unsupported_algorithm`, `serialization`
 */
export type PasskeyErrorCode = "user_cancelled" | "timeout" | "aborted" | "superseded" | "excluded_credential" | "rp_id_mismatch" | "invalid_domain" | "insecure_context" | "no_webauthn" | "conditional_unavailable" | "bad_options" | "signal_refused" | "unsupported_algorithm" | "busy" | "authenticator_error" | "serialization" | "server_rejected" | "network" | "unknown";
/**
 * The `code` member of a chirpkit server's JSON error bodies: `serverCode` of a
 * `server_rejected` PasskeyError, by HTTP status:
 * - `bad_request` (400): not a well-formed WebAuthn response
 * - `method_not_allowed` (405): not a `POST` (a `GET` of a ceremony route, a verb mounted for another method)
 * - `unsupported_media_type` (415): body not `application/json`
 * - `payload_too_large` (413): body over `Config.MaxBodyBytes` (64 KiB)
 * - `challenge_missing` (400): no pending ceremony for this browser and challenge (never begun, other browser, replayed)
 * - `challenge_expired` (400): begun more than `Config.ChallengeTTL` (5 min) ago
 * - `ceremony_mismatch` (400): a login challenge used to register, or the reverse
 * - `verification_failed` (400): signature, origin, rp ID hash, user verification or flags wrong
 * - `unknown_credential` (400): the app has no credential with this ID
 * - `user_mismatch` (400): the user handle is not the credential's user; `Routes`: a registration finished by another account than began it
 * - `sign_count_regressed` (400): the signature counter went back (cloned authenticator?); `SignCountFlag` lets it through flagged
 * - `credential_exists` (400): `Routes`: the credential ID is already registered (the spec's step: refuse it)
 * - `last_credential` (409): `Routes`: deleting the last passkey of an account with no other way to sign in
 * - `login_required` (401): `Routes`: registering without a signed-in user
 * - `rate_limited` (429): too many begins from this client (`Config.ClientLimit`); `Retry-After` says when to retry
 * - `store_unavailable` (503): ceremony store full (memory store capacity) or unreachable (Redis down)
 * - `internal_error` (500): the app's or the server's fault; details in the log
 */
export type ServerCode = "bad_request" | "method_not_allowed" | "unsupported_media_type" | "payload_too_large" | "challenge_missing" | "challenge_expired" | "ceremony_mismatch" | "verification_failed" | "unknown_credential" | "user_mismatch" | "sign_count_regressed" | "credential_exists" | "last_credential" | "login_required" | "rate_limited" | "store_unavailable" | "internal_error";
/** The single error type every bridge failure rejects with. */
export interface PasskeyError extends Error {
    /** Coarse reason: one of five values, drives the UI. */
    readonly passkeyReason: PasskeyReason;
    /** Finer, stable code. */
    readonly code: PasskeyErrorCode;
    /** Which ceremony failed. */
    readonly ceremony: Ceremony;
    /** Whether offering a retry makes sense. */
    readonly retryable: boolean;
    /** The original error (DOMException, TypeError, the server's JSON body...). */
    readonly cause: unknown;
    /** server_rejected: the HTTP status. */
    readonly status?: number;
    /** server_rejected: the `code` member of the server's JSON body (a chirpkit server sends a ServerCode). */
    readonly serverCode?: ServerCode;
    /** server_rejected: the `error` member of the server's JSON body. */
    readonly serverMessage?: string;
}
/** The PasskeyError class. */
export interface PasskeyErrorConstructor {
    new (code: PasskeyErrorCode, ceremony: Ceremony, cause?: unknown, extra?: {
        status?: number;
        serverCode?: ServerCode;
        serverMessage?: string;
    }): PasskeyError;
    readonly prototype: PasskeyError;
}
/**
 * The single error type every bridge failure rejects with: one class for every copy of
 * this version of the bridge on the page (the injected script, bundled copies).
 */
export declare const PasskeyError: PasskeyErrorConstructor;

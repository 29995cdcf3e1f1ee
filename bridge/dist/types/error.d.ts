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
export type PasskeyErrorCode = "user_cancelled" | "timeout" | "aborted" | "superseded" | "excluded_credential" | "rp_id_mismatch" | "invalid_domain" | "insecure_context" | "no_webauthn" | "conditional_unavailable" | "bad_options" | "unsupported_algorithm" | "busy" | "authenticator_error" | "serialization" | "server_rejected" | "network" | "unknown";
/** The single error type every bridge failure rejects with. */
export declare class PasskeyError extends Error {
    /** Coarse reason: one of five values, drives the UI. */
    readonly passkeyReason: PasskeyReason;
    /** Finer, stable code. */
    readonly code: PasskeyErrorCode;
    /** Which ceremony failed. */
    readonly ceremony: Ceremony;
    /** Whether offering a retry makes sense. */
    readonly retryable: boolean;
    /** The original error (DOMException, TypeError, Response...). */
    readonly cause: unknown;
    /** server_rejected: the HTTP status. */
    readonly status?: number;
    /** server_rejected: the `code` member of the server's JSON body. */
    readonly serverCode?: string;
    /** server_rejected: the `error` member of the server's JSON body. */
    readonly serverMessage?: string;
    constructor(code: PasskeyErrorCode, ceremony: Ceremony, cause?: unknown, extra?: {
        status?: number;
        serverCode?: string;
        serverMessage?: string;
    });
}

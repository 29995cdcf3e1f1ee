import type { abort } from "./abort.js";
import type { authenticate } from "./authenticate.js";
import type { authenticateWith } from "./authenticate-with.js";
import type { capabilities } from "./capabilities.js";
import type { PasskeyError } from "./error.js";
import type { isConditionalSupported } from "./is-conditional-supported.js";
import type { isSupported } from "./is-supported.js";
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "./json-types.js";
import type { register } from "./register.js";
import type { registerWith } from "./register-with.js";
import type { signalAccepted } from "./signal-accepted.js";
import type { signalUnknown } from "./signal-unknown.js";
import type { signalUser } from "./signal-user.js";
export type * from "./json-types.js";
/** What failed: a registration, a sign-in, or a signal (`signalUnknown`, `signalAccepted`, `signalUser`). */
export type Ceremony = "register" | "authenticate" | "signal";
/**
 * Options of `register`: the begin endpoint's JSON, either bare
 * (`PublicKeyCredentialCreationOptionsJSON`, go-webauthn's `publicKey` member)
 * or wrapped as `{publicKey, mediation?}` (go-webauthn's `protocol.CredentialCreation`).
 */
export type RegisterOptions = PublicKeyCredentialCreationOptionsJSON | {
    publicKey: PublicKeyCredentialCreationOptionsJSON;
    mediation?: Mediation;
};
/**
 * Options of `authenticate`: bare `PublicKeyCredentialRequestOptionsJSON` or wrapped
 * as `{publicKey, mediation?}` (go-webauthn's `protocol.CredentialAssertion`).
 */
export type AuthenticateOptions = PublicKeyCredentialRequestOptionsJSON | {
    publicKey: PublicKeyCredentialRequestOptionsJSON;
    mediation?: Mediation;
};
/** `mediation` of wrapped options (lib.dom's `CredentialMediationRequirement`). */
export type Mediation = "conditional" | "optional" | "required" | "silent";
/**
 * The consumer's `AbortSignal` (DOM, or Node's), or where its `lib` has none, the part of
 * one that the bridge uses.
 */
export type Signal = typeof globalThis extends {
    AbortSignal: {
        prototype: infer S;
    };
} ? S : {
    readonly aborted: boolean;
    addEventListener(type: "abort", f: () => void): void;
    removeEventListener(type: "abort", f: () => void): void;
};
/**
 * The consumer's `fetch` type (DOM, or Node's), or where its `lib` has none, the part of
 * one that the bridge uses.
 */
export type Fetch = typeof globalThis extends {
    fetch: infer F;
} ? F : (url: string, init: {
    method: string;
    credentials: string;
    headers: Record<string, string>;
    body: string;
    signal?: Signal;
}) => Promise<{
    ok: boolean;
    status: number;
    json(): Promise<any>;
}>;
/** Per-call options of `register` / `authenticate`. */
export interface CeremonyOptions {
    /** Aborts the ceremony; it then rejects with `cancelled` / `aborted`. */
    signal?: Signal;
    /**
     * Use `mediation: "conditional"`: autofill sign-in for `authenticate`,
     * automatic passkey upgrade for `register`. Rejects with
     * `unsupported` / `conditional_unavailable` where the browser lacks it.
     */
    conditional?: boolean;
    /** Deadline in milliseconds; also sent to the browser as `timeout`. Rejects with `cancelled` / `timeout`. */
    timeout?: number;
    /**
     * Also send the PRF outputs to the server (base64url in
     * `clientExtensionResults.prf.results`). Default false: they stay in the page, as the
     * result's `prf` bytes, and the JSON keeps only `prf.enabled`.
     */
    sendPrf?: boolean;
}
/** Options of `registerWith` / `authenticateWith`: the whole begin → ceremony → finish loop. */
export interface WithOptions extends CeremonyOptions {
    /** URL of the begin endpoint (POSTed `body`, answers the options JSON). */
    begin: string;
    /** URL of the finish endpoint (POSTed the credential JSON). */
    finish: string;
    /** JSON body for the begin request (default `{}`). */
    body?: unknown;
    /** CSRF token; default: the `content` of `<meta name="csrf-token">` (see `csrfMeta`). */
    csrfToken?: string;
    /** Header carrying the CSRF token (default `X-CSRF-Token`). */
    csrfHeader?: string;
    /** Name of the meta element holding the CSRF token (default `csrf-token`). */
    csrfMeta?: string;
    /** fetch implementation (default the global `fetch`). */
    fetch?: Fetch;
    /**
     * authenticateWith: when the finish endpoint answers `unknown_credential`, tell the
     * browser (`signalUnknown`, with the options' `rpId` or else `location.hostname`) so that
     * its passkey provider can drop the passkey, then reject as always. Default true.
     */
    signalUnknown?: boolean;
}
/** PRF extension outputs (`prf.results`) as bytes. */
export interface PrfOutputs {
    first: Uint8Array;
    second?: Uint8Array;
}
/**
 * What a ceremony's result carries besides its JSON: `prf`, the PRF outputs as bytes when
 * the browser evaluated PRF. Its `toJSON()` leaves it out of `JSON.stringify` (what is POSTed).
 */
export interface PrfResult {
    readonly prf?: PrfOutputs;
}
/**
 * Client capabilities: the result of `PublicKeyCredential.getClientCapabilities()`,
 * or a best-effort equivalent with at least `conditionalGet`, `conditionalCreate`,
 * `passkeyPlatformAuthenticator` and `userVerifyingPlatformAuthenticator`.
 */
export type Capabilities = Record<string, boolean>;
/** The object installed as `window.chirp.passkeys`. */
export interface ChirpPasskeys {
    version: string;
    register: typeof register;
    authenticate: typeof authenticate;
    registerWith: typeof registerWith;
    authenticateWith: typeof authenticateWith;
    isSupported: typeof isSupported;
    isConditionalSupported: typeof isConditionalSupported;
    capabilities: typeof capabilities;
    abort: typeof abort;
    signalUnknown: typeof signalUnknown;
    signalAccepted: typeof signalAccepted;
    signalUser: typeof signalUser;
    PasskeyError: typeof PasskeyError;
}
/** The `window.chirp` namespace; other chirpkit parts may add members. */
export interface ChirpNamespace {
    passkeys: ChirpPasskeys;
}
declare global {
    interface Window {
        /** chirpkit namespace, installed by the injected bridge script. */
        chirp: ChirpNamespace;
    }
}

// A consumer whose lib has no DOM (lib ES2020 only, no @types): shared code, a server
// renderer, a worker... Compiled by run.sh with --strict (module resolution: nodenext).
import { PasskeyError, registerWith, signalAccepted, type PasskeyErrorCode, type PrfOutputs, type ServerCode, type WithOptions } from "@chirpkit/passkeys";

export function label(e: PasskeyError): string {
  switch (e.passkeyReason) {
    case "cancelled":
    case "unsupported":
      return "";
    case "duplicate":
      return "already registered";
    case "misconfigured":
    case "failed":
      return e.code satisfies PasskeyErrorCode;
    default: {
      const never: never = e.passkeyReason;
      return never;
    }
  }
}

export function expired(code?: ServerCode): boolean {
  switch (code) {
    case "challenge_expired":
    case "challenge_missing":
      return true;
    case undefined:
    case "bad_request":
    case "credential_exists":
    case "last_credential":
    case "rate_limited":
    case "method_not_allowed":
    case "unsupported_media_type":
    case "payload_too_large":
    case "ceremony_mismatch":
    case "verification_failed":
    case "unknown_credential":
    case "user_mismatch":
    case "sign_count_regressed":
    case "login_required":
    case "store_unavailable":
    case "internal_error":
      return false;
    default: {
      const never: never = code;
      return never;
    }
  }
}

// without DOM, signal and fetch are what the bridge uses of them
const opts: WithOptions = {
  begin: "/b",
  finish: "/f",
  signal: { aborted: false, addEventListener() {}, removeEventListener() {} },
  fetch: async (url, init) => ({ ok: init.method == "POST" && url != "", status: 200, json: async () => ({}) }),
};
export const done: Promise<{ ok: boolean }> = registerWith<{ ok: boolean }>(opts).catch((e: unknown) => ({ ok: e instanceof PasskeyError && expired(e.serverCode) }));

// signals and PRF bytes need no DOM either
export const sig: Promise<void> = signalAccepted({ rpId: "example.com", userId: "AQ", allAcceptedCredentialIds: [] });
export const key = (o: PrfOutputs): Uint8Array => o.first;

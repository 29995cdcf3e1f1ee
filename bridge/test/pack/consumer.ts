// A browser application using @chirpkit/passkeys, compiled by run.sh against the packed
// package with --strict and lib ES2020 + DOM (module resolution: bundler).
import { PasskeyError, abort, authenticate, authenticateWith, isSupported, register, signalAccepted, signalUnknown, signalUser, version, type AllAcceptedCredentialsOptions, type Ceremony, type CurrentUserDetailsOptions, type PasskeyReason, type PrfOutputs, type RegistrationResponseJSON, type ServerCode } from "@chirpkit/passkeys";
import "@chirpkit/passkeys/script"; // the IIFE: declares window.chirp

/** What to show for a failure; exhaustive over the five reasons. */
export function explain(e: PasskeyError): string | null {
  switch (e.passkeyReason) {
    case "cancelled":
      return null;
    case "duplicate":
      return "This device already has a passkey for your account.";
    case "misconfigured":
      console.error("passkeys setup:", e.code, e.cause);
      return "Passkeys are not available on this site right now.";
    case "unsupported":
      return null;
    case "failed":
      return e.retryable ? "Something went wrong. Try again?" : "Something went wrong.";
    default: {
      const never: never = e.passkeyReason;
      return never;
    }
  }
}

/** Exhaustive over the server's codes (undefined: not a server_rejected error). */
export function serverAdvice(code: ServerCode | undefined): string {
  switch (code) {
    case undefined:
      return "";
    case "challenge_expired":
    case "challenge_missing":
      return "The page is stale: reload it.";
    case "login_required":
      return "Sign in first.";
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
    case "store_unavailable":
    case "internal_error":
      return "The server refused the passkey.";
    default: {
      const never: never = code;
      return never;
    }
  }
}

export async function signIn(button: HTMLButtonElement): Promise<void> {
  if (!isSupported()) {
    button.hidden = true;
    return;
  }
  const ac = new AbortController();
  try {
    const res = await authenticateWith<{ redirect: string }>({ begin: "/login/begin", finish: "/login/finish", signal: ac.signal, fetch: window.fetch });
    location.assign(res.redirect);
  } catch (e) {
    if (!(e instanceof PasskeyError)) throw e;
    const reason: PasskeyReason = e.passkeyReason;
    console.log(reason, e.code, e.status, serverAdvice(e.serverCode), explain(e));
  }
}

// the injected script's API is the same, and its PasskeyError the same class
const p = window.chirp.passkeys;
export const same: typeof PasskeyError = p.PasskeyError;
export const v: string = version + p.version;
// with DOM, `fetch` is the DOM's fetch type: a wrapper passes its init on as is
p.registerWith({ begin: "/b", finish: "/f", fetch: (u, i) => fetch(u, i) }).catch((e: unknown) => e instanceof p.PasskeyError && explain(e));
export const cred: Promise<RegistrationResponseJSON> = register({ publicKey: { challenge: "AA", rp: { name: "x" }, user: { id: "AQ", name: "a", displayName: "A" }, pubKeyCredParams: [{ type: "public-key", alg: -7 }] }, mediation: "conditional" });
abort();

/** Exhaustive over what can fail: the two ceremonies and the signals. */
export function what(c: Ceremony): string {
  switch (c) {
    case "register":
      return "adding a passkey";
    case "authenticate":
      return "signing in";
    case "signal":
      return "updating your passkeys";
    default: {
      const never: never = c;
      return never;
    }
  }
}

// Signals: the server's JSON as is; each resolves to void.
declare const accepted: AllAcceptedCredentialsOptions, details: CurrentUserDetailsOptions;
export const signals: Promise<void[]> = Promise.all([signalAccepted(accepted), signalUser(details), signalUnknown({ rpId: "example.com", credentialId: "AQID" }), p.signalAccepted(accepted), p.signalUser(details)]);

// PRF: bytes on the result (register/authenticate and the *With loops); sendPrf; hints; signalUnknown off.
export async function unlock(): Promise<Uint8Array | undefined> {
  const a = await authenticate({ challenge: "AA", rpId: "example.com", hints: ["security-key", "client-device", "hybrid"], extensions: { prf: { eval: { first: "AQ" } } } }, { sendPrf: false });
  const outputs: PrfOutputs | undefined = a.prf;
  const w = await authenticateWith<{ redirect: string }>({ begin: "/b", finish: "/f", sendPrf: true, signalUnknown: false });
  const r: string = w.redirect;
  console.log(r, outputs?.second?.byteLength);
  return w.prf?.first;
}

// Conditional create (automatic passkey upgrade) after a password sign-in.
export const upgrade: Promise<unknown> = p.registerWith({ begin: "/b", finish: "/f", conditional: true });

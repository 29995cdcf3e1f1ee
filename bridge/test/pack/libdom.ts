// Only where lib.dom has the WebAuthn Level 3 JSON types (TypeScript 7): the package's own
// JSON types interoperate with them both ways. lib ES2020 + DOM, bundler resolution.
import { authenticate, register, signalAccepted, signalUnknown, signalUser, type AuthenticationResponseJSON as A, type RegistrationResponseJSON as R } from "@chirpkit/passkeys";
import type * as chirp from "@chirpkit/passkeys";

declare const creation: PublicKeyCredentialCreationOptionsJSON;
declare const request: PublicKeyCredentialRequestOptionsJSON;
export const r: Promise<RegistrationResponseJSON> = register(creation);
export const a: Promise<AuthenticationResponseJSON> = authenticate({ publicKey: request, mediation: "conditional" as CredentialMediationRequirement });
export const fromDom = (x: RegistrationResponseJSON, y: AuthenticationResponseJSON): [R, A] => [x, y];

// The signals take lib.dom's option types, and lib.dom's methods take the package's.
declare const unknown: UnknownCredentialOptions, accepted: AllAcceptedCredentialsOptions, details: CurrentUserDetailsOptions;
export const s1: Promise<void>[] = [signalUnknown(unknown), signalAccepted(accepted), signalUser(details)];
declare const u2: chirp.UnknownCredentialOptions, a2: chirp.AllAcceptedCredentialsOptions, d2: chirp.CurrentUserDetailsOptions;
export const s2: Promise<void>[] = [PublicKeyCredential.signalUnknownCredential(u2), PublicKeyCredential.signalAllAcceptedCredentials(a2), PublicKeyCredential.signalCurrentUserDetails(d2)];

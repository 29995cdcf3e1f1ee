// Only where lib.dom has the WebAuthn Level 3 JSON types (TypeScript 7): the package's own
// JSON types interoperate with them both ways. lib ES2020 + DOM, bundler resolution.
import { authenticate, register, type AuthenticationResponseJSON as A, type RegistrationResponseJSON as R } from "@chirpkit/passkeys";

declare const creation: PublicKeyCredentialCreationOptionsJSON;
declare const request: PublicKeyCredentialRequestOptionsJSON;
export const r: Promise<RegistrationResponseJSON> = register(creation);
export const a: Promise<AuthenticationResponseJSON> = authenticate({ publicKey: request, mediation: "conditional" as CredentialMediationRequirement });
export const fromDom = (x: RegistrationResponseJSON, y: AuthenticationResponseJSON): [R, A] => [x, y];

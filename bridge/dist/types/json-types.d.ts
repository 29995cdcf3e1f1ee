/**
 * The WebAuthn Level 3 JSON shapes the API takes and returns, declared here rather than
 * taken from lib.dom: only recent TypeScript (7.x) has them all there, and a consumer's
 * `lib` may lack DOM altogether. They follow lib.dom's members, with `string` for its
 * enumerations, so that lib.dom's types are assignable to the option types and the
 * response types to lib.dom's.
 * @module
 */
/** Unpadded base64url text. */
export type Base64URLString = string;
/** An entry of `excludeCredentials` / `allowCredentials`. */
export interface PublicKeyCredentialDescriptorJSON {
    id: Base64URLString;
    /** `"public-key"` */
    type: string;
    /** `"internal"`, `"hybrid"`, `"usb"`, `"nfc"`, `"ble"`, ... */
    transports?: string[];
}
/** PRF salts or results. */
export interface AuthenticationExtensionsPRFValuesJSON {
    first: Base64URLString;
    second?: Base64URLString;
}
/** Extension inputs of the options (`extensions`). */
export interface AuthenticationExtensionsClientInputsJSON {
    appid?: string;
    credProps?: boolean;
    largeBlob?: {
        read?: boolean;
        support?: string;
        write?: Base64URLString;
    };
    prf?: {
        eval?: AuthenticationExtensionsPRFValuesJSON;
        evalByCredential?: Record<string, AuthenticationExtensionsPRFValuesJSON>;
    };
}
/** Extension outputs of a credential (`clientExtensionResults`), binary values as base64url. */
export interface AuthenticationExtensionsClientOutputsJSON {
    appid?: boolean;
    credProps?: {
        rk?: boolean;
    };
    largeBlob?: {
        blob?: Base64URLString;
        supported?: boolean;
        written?: boolean;
    };
    prf?: {
        enabled?: boolean;
        results?: AuthenticationExtensionsPRFValuesJSON;
    };
}
/** Registration options: what a begin-registration endpoint answers (go-webauthn's `publicKey`). */
export interface PublicKeyCredentialCreationOptionsJSON {
    rp: {
        id?: string;
        name: string;
    };
    user: {
        id: Base64URLString;
        name: string;
        displayName: string;
    };
    challenge: Base64URLString;
    pubKeyCredParams: {
        type: string;
        alg: number;
    }[];
    timeout?: number;
    excludeCredentials?: PublicKeyCredentialDescriptorJSON[];
    authenticatorSelection?: {
        authenticatorAttachment?: string;
        residentKey?: string;
        requireResidentKey?: boolean;
        userVerification?: string;
    };
    hints?: string[];
    attestation?: string;
    extensions?: AuthenticationExtensionsClientInputsJSON;
}
/** Sign-in options: what a begin-login endpoint answers (go-webauthn's `publicKey`). */
export interface PublicKeyCredentialRequestOptionsJSON {
    challenge: Base64URLString;
    timeout?: number;
    rpId?: string;
    allowCredentials?: PublicKeyCredentialDescriptorJSON[];
    userVerification?: string;
    hints?: string[];
    extensions?: AuthenticationExtensionsClientInputsJSON;
}
/** A new passkey, to POST to the finish-registration endpoint. */
export interface RegistrationResponseJSON {
    id: Base64URLString;
    rawId: Base64URLString;
    response: {
        clientDataJSON: Base64URLString;
        attestationObject: Base64URLString;
        authenticatorData: Base64URLString;
        transports: string[];
        publicKey?: Base64URLString;
        publicKeyAlgorithm: number;
    };
    /** `"platform"` or `"cross-platform"` */
    authenticatorAttachment?: string;
    clientExtensionResults: AuthenticationExtensionsClientOutputsJSON;
    /** `"public-key"` */
    type: string;
}
/** An assertion, to POST to the finish-login endpoint. */
export interface AuthenticationResponseJSON {
    id: Base64URLString;
    rawId: Base64URLString;
    response: {
        clientDataJSON: Base64URLString;
        authenticatorData: Base64URLString;
        signature: Base64URLString;
        userHandle?: Base64URLString;
    };
    /** `"platform"` or `"cross-platform"` */
    authenticatorAttachment?: string;
    clientExtensionResults: AuthenticationExtensionsClientOutputsJSON;
    /** `"public-key"` */
    type: string;
}
/** Argument of `signalUnknown` (lib.dom's `UnknownCredentialOptions`): a credential the server does not know. */
export interface UnknownCredentialOptions {
    rpId: string;
    credentialId: Base64URLString;
}
/** Argument of `signalAccepted` (lib.dom's `AllAcceptedCredentialsOptions`): every credential the server accepts for a user. */
export interface AllAcceptedCredentialsOptions {
    rpId: string;
    userId: Base64URLString;
    allAcceptedCredentialIds: Base64URLString[];
}
/** Argument of `signalUser` (lib.dom's `CurrentUserDetailsOptions`): a user's current names. */
export interface CurrentUserDetailsOptions {
    rpId: string;
    userId: Base64URLString;
    name: string;
    displayName: string;
}

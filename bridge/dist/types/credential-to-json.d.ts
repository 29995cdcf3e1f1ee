/**
 * The credential as RegistrationResponseJSON / AuthenticationResponseJSON: its own
 * toJSON() where that works, else built by hand (also when toJSON() throws, as with
 * credentials wrapped by password-manager extensions): every binary value, including
 * extension outputs (prf results, largeBlob blob), becomes base64url. Throws when
 * neither works.
 */
export declare const credentialToJSON: (cr: any) => any;

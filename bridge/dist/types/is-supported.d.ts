/** Whether this browser has WebAuthn (`PublicKeyCredential` and `navigator.credentials`). */
export declare const isSupported: () => boolean;

import type { Ceremony } from "./types.js";
/**
 * Turns options JSON into what navigator.credentials expects: with
 * PublicKeyCredential.parse*OptionsFromJSON where the browser has it, else by hand
 * (base64url → ArrayBuffer for the binary members; unknown members such as `hints` kept).
 */
export declare const parseOptions: (c: Ceremony, o: any) => any;

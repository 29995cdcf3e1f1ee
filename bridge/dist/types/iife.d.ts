export type { ChirpNamespace, ChirpPasskeys } from "./types.js";

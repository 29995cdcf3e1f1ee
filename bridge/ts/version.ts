/** Version of the bridge (semantic version of the `@chirpkit/passkeys` package). */
export const version = "0.1.0";

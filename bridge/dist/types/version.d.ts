/** Version of the bridge: the release of the Go module and of the npm package `@chirpkit/passkeys`. */
export declare const version = "0.2.0";

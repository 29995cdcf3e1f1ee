module github.com/chirpkit/passkeys/bridge/internal/build

go 1.26.0

require (
	github.com/andybalholm/brotli v1.2.8
	github.com/chirpkit/passkeys v0.0.0-00010101000000-000000000000
	github.com/evanw/esbuild v0.28.2
)

require golang.org/x/sys v0.50.0 // indirect

replace github.com/chirpkit/passkeys => ../../../

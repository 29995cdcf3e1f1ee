package app

import "github.com/chirpkit/passkeys/examples/internal/devserver"

// Origin returns the origin a browser on this machine opens for a server listening on
// addr: http://localhost:PORT when the host is empty, localhost, a loopback address or
// the unspecified address (":9000", "localhost:9000", "127.0.0.1:9000", "0.0.0.0:9000"),
// http://NAME.localhost:PORT for a NAME.localhost host, without the port when it is 80.
// Browsers allow passkeys over http on localhost only, so any other host is an error:
// such an app is reached at an https origin, which only its operator knows.
func Origin(addr string) (string, error) { return devserver.Origin(addr) }

// RelyingParty returns the relying party of an example app listening on addr, from the
// environment (getenv is os.Getenv, or a stand-in in tests): PASSKEY_RP_ID, default
// localhost, and PASSKEY_ORIGIN, a comma-separated list, default Origin(addr).
func RelyingParty(addr string, getenv func(string) string) (rpID string, origins []string, err error) {
	return devserver.RelyingParty(addr, getenv)
}

// Package devserver holds what the example apps share to serve on localhost: the origin a
// browser opens for a listen address (Origin), the relying party from the environment
// (RelyingParty), and listening and serving with a graceful shutdown (Listen, Serve).
package devserver

import (
	"fmt"
	"net"
	"strings"
)

// Origin returns the origin a browser on this machine opens for a server listening on
// addr: http://localhost:PORT when the host is empty, localhost, a loopback address or
// the unspecified address (":9000", "localhost:9000", "127.0.0.1:9000", "0.0.0.0:9000"),
// http://NAME.localhost:PORT for a NAME.localhost host, without the port when it is 80.
// Browsers allow passkeys over http on localhost only, so any other host is an error:
// such an app is reached at an https origin, which only its operator knows.
func Origin(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", addr, err)
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("address %q: no port (listen first, then ask for the origin of the listener's address)", addr)
	}
	ip := net.ParseIP(host)
	switch host = strings.ToLower(host); {
	case host == "" || host == "localhost" || ip != nil && (ip.IsLoopback() || ip.IsUnspecified()):
		host = "localhost"
	case strings.HasSuffix(host, ".localhost"):
	default:
		return "", fmt.Errorf("address %q: passkeys work over http on localhost only; set PASSKEY_ORIGIN to the https origin the app is reached at (and PASSKEY_RP_ID to its domain)", addr)
	}
	if port == "80" {
		return "http://" + host, nil
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// RelyingParty returns the relying party of an example app listening on addr, from the
// environment (getenv is os.Getenv, or a stand-in in tests): PASSKEY_RP_ID, default
// localhost, and PASSKEY_ORIGIN, a comma-separated list, default Origin(addr).
func RelyingParty(addr string, getenv func(string) string) (rpID string, origins []string, err error) {
	rpID = strings.TrimSpace(getenv("PASSKEY_RP_ID"))
	if rpID == "" {
		rpID = "localhost"
	}
	for _, o := range strings.Split(getenv("PASSKEY_ORIGIN"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	if len(origins) == 0 {
		o, err := Origin(addr)
		if err != nil {
			return "", nil, err
		}
		origins = []string{o}
	}
	return rpID, origins, nil
}

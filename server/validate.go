package server

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// checkOrigin parses one configured origin and says what is wrong with it, and how to fix
// it. It returns the origin's host (without port).
func checkOrigin(origin string) (host string, secure bool, err error) {
	u, perr := url.Parse(origin)
	if perr != nil || u.Scheme == "" || u.Host == "" {
		return "", false, fmt.Errorf("origin %q is not scheme://host[:port]: write it like https://example.com", origin)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", false, fmt.Errorf("origin %q: scheme must be https (or http on localhost)", origin)
	}
	if u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.HasSuffix(origin, "#") {
		return "", false, fmt.Errorf("origin %q has a path, query or trailing slash: an origin is only scheme://host[:port], e.g. %s://%s", origin, u.Scheme, u.Host)
	}
	if origin != strings.ToLower(origin) {
		return "", false, fmt.Errorf("origin %q: write it in lower case (%s), as browsers send it", origin, strings.ToLower(origin))
	}
	host = u.Hostname()
	if net.ParseIP(host) != nil {
		return "", false, fmt.Errorf("origin %q: host is an IP address, which WebAuthn refuses: use localhost (or a domain name)", origin)
	}
	if port := u.Port(); port != "" && ((u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80")) {
		return "", false, fmt.Errorf("origin %q names the default port, which browsers leave out: write %s://%s", origin, u.Scheme, host)
	}
	if u.Scheme == "http" && !isLocalhost(host) {
		return "", false, fmt.Errorf("origin %q: http is allowed only on localhost; serve %s over https", origin, host)
	}
	return host, u.Scheme == "https", nil
}

func isLocalhost(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// checkRPID says what is wrong with rpID given the origins' hosts.
func checkRPID(rpID string, hosts []string) error {
	switch {
	case rpID == "":
		return fmt.Errorf("RPID is empty: set it to your registrable domain (e.g. example.com), or localhost in development")
	case strings.Contains(rpID, "://") || strings.ContainsAny(rpID, ":/"):
		return fmt.Errorf("RPID %q must be a bare domain, without scheme, port or path", rpID)
	case net.ParseIP(rpID) != nil:
		return fmt.Errorf("RPID %q is an IP address, which WebAuthn refuses: use localhost (or a domain name)", rpID)
	case rpID != strings.ToLower(rpID):
		return fmt.Errorf("RPID %q: write it in lower case (%s)", rpID, strings.ToLower(rpID))
	}
	if rpID != "localhost" {
		if ps, _ := publicsuffix.PublicSuffix(rpID); ps == rpID {
			return fmt.Errorf("RPID %q is a public suffix, under which anyone can register names: use your own domain below it (e.g. yourapp.%s)", rpID, rpID)
		}
	}
	for _, h := range hosts {
		if h != rpID && !strings.HasSuffix(h, "."+rpID) {
			return fmt.Errorf("RPID %q is neither equal to nor a registrable suffix of origin host %q: set RPID to %q or a parent domain of it", rpID, h, h)
		}
	}
	return nil
}

package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"walletconsole/apiclient"
)

// Browser protections. The sandbox listens on loopback only, but a web page
// the user visits can still reach it: by a cross-origin request (CORS), or
// by DNS rebinding, where an attacker's name is made to resolve to 127.0.0.1
// so the page's requests count as same-origin. The first is stopped by
// allowing only loopback origins (and those the user names), the second by
// refusing any Host header that is not a loopback name.

// hostAllowed reports whether a request's Host header names loopback.
func hostAllowed(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	} else {
		h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	}
	return h != "" && isLoopback(strings.TrimSuffix(h, "."))
}

// loopbackOrigin reports whether origin is http(s) on a loopback host.
func loopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	return hostAllowed(u.Host)
}

// normaliseOrigins checks Options.CORSOrigins: each is "null" or
// scheme://host[:port] with nothing after it, as browsers send Origin.
func normaliseOrigins(in []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, o := range in {
		o = strings.TrimSpace(o)
		if err := checkOrigin(o); err != nil {
			return nil, err
		}
		out[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	return out, nil
}

// CheckOrigin validates one CORS origin as Options.CORSOrigins takes it.
func CheckOrigin(o string) error { return checkOrigin(strings.TrimSpace(o)) }

func checkOrigin(o string) error {
	if o == "null" {
		return nil
	}
	if o == "*" {
		return fmt.Errorf("CORS origin \"*\" would let every web page drive the sandbox; name each origin (e.g. https://demo.example:8443)")
	}
	u, err := url.Parse(strings.TrimSuffix(o, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("CORS origin %q must be scheme://host[:port] (e.g. https://demo.example:8443) or null", clip(o, 80))
	}
	return nil
}

func (s *Server) originAllowed(origin string) bool {
	return loopbackOrigin(origin) || s.origins[strings.ToLower(origin)]
}

// guardBrowser refuses a non-loopback Host and a foreign Origin, and sets
// the CORS answer headers for an allowed one. It reports whether the
// request may go on.
func (s *Server) guardBrowser(w http.ResponseWriter, r *http.Request) bool {
	if !hostAllowed(r.Host) {
		writeError(w, &apiError{http.StatusMisdirectedRequest, apiclient.CodeForbidden, fmt.Sprintf(
			"Host %q is not a loopback name; the sandbox answers only requests addressed to localhost, 127.0.0.1 or [::1] (this refuses DNS rebinding)",
			apiclient.Printable(clip(r.Host, 80)))})
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true // not a cross-origin browser request
	}
	if !s.originAllowed(origin) {
		writeError(w, &apiError{http.StatusForbidden, apiclient.CodeForbidden, fmt.Sprintf(
			"origin %q may not use this sandbox: it allows loopback origins (http://localhost:PORT, http://127.0.0.1:PORT) and those given with --cors-origin",
			apiclient.Printable(clip(origin, 80)))})
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "x-request-id, Retry-After")
	return true
}

package apiclient

import (
	"net/http"
	"sort"
	"strings"
)

// Environment variables an exported curl command reads its credentials
// from, so that it runs as pasted without a secret on screen or in the
// clipboard (and never with a masked value, which the API would refuse).
const (
	CurlEnvSecretKey = "THIRDWEB_SECRET_KEY"
	CurlEnvClientID  = "THIRDWEB_CLIENT_ID"
	CurlEnvUserToken = "WALLETCONSOLE_USER_TOKEN"
)

// CurlOptions shape CurlCommand.
type CurlOptions struct {
	// Reveal puts the credentials in literally (--reveal); otherwise they
	// are "$THIRDWEB_SECRET_KEY", "$THIRDWEB_CLIENT_ID" and
	// "$WALLETCONSOLE_USER_TOKEN" references.
	Reveal bool
	// Multiline puts one option per line with shell continuations (for
	// showing on screen; it still pastes as one command).
	Multiline bool
}

// CurlCommand renders the request as a command that runs as pasted into a
// POSIX shell: credentials as environment references (or literal with
// Reveal), --fail so an HTTP error exits non-zero, -sS for quiet output
// that still prints errors. Headers are sorted; User-Agent is left to curl.
func (e Exchange) CurlCommand(o CurlOptions) string {
	method := e.Method
	if method == "" {
		method = http.MethodGet
	}
	parts := []string{"curl -sS --fail -X " + method + " " + ShellQuote(e.URL)}
	keys := make([]string, 0, len(e.RequestHeader))
	for k := range e.RequestHeader {
		if http.CanonicalHeaderKey(k) == "User-Agent" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range e.RequestHeader[k] {
			parts = append(parts, "-H "+curlHeader(k, v, o.Reveal))
		}
	}
	body := e.RequestBody
	if !o.Reveal {
		body = e.MaskedRequestBody()
	}
	if len(body) > 0 {
		parts = append(parts, "--data-raw "+ShellQuote(string(body)))
	}
	sep := " "
	if o.Multiline {
		sep = " \\\n  "
	}
	return strings.Join(parts, sep)
}

// curlHeader quotes one header for the shell: credentials as a
// double-quoted variable reference, everything else single-quoted.
func curlHeader(k, v string, reveal bool) string {
	name := headerName(k)
	if !reveal {
		if env := credentialEnv(k); env != "" {
			if http.CanonicalHeaderKey(k) == "Authorization" {
				scheme, _, _ := strings.Cut(v, " ")
				return `"` + name + ": " + scheme + " $" + env + `"`
			}
			return `"` + name + ": $" + env + `"`
		}
	}
	return ShellQuote(name + ": " + v)
}

// credentialEnv names the variable a credential header reads from ("" for
// other headers).
func credentialEnv(k string) string {
	switch http.CanonicalHeaderKey(k) {
	case "X-Secret-Key":
		return CurlEnvSecretKey
	case "X-Client-Id":
		return CurlEnvClientID
	case "Authorization":
		return CurlEnvUserToken
	}
	return ""
}

// CurlEnvNames lists the variables CurlCommand (without Reveal) needs set
// for e, in the order they appear.
func CurlEnvNames(e Exchange) []string {
	keys := make([]string, 0, len(e.RequestHeader))
	for k := range e.RequestHeader {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		if env := credentialEnv(k); env != "" {
			out = append(out, env)
		}
	}
	return out
}

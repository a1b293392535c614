package apiclient

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Exchange is one HTTP attempt as the client saw it: what was sent and what
// came back. The fields are unmasked; use the Masked* methods and Curl to
// show them.
type Exchange struct {
	Tag            string // from WithTag: "login", "session-key", "grant", "send", "watch"…
	Method         string
	URL            string // full URL with query
	RequestHeader  http.Header
	RequestBody    []byte
	Status         int // 0 when no response arrived
	ResponseHeader http.Header
	ResponseBody   []byte
	Duration       time.Duration
	Err            error // transport error, or the *APIError of a non-2xx answer
	Start          time.Time
	Attempt        int // 1 for the first try; GET retries count up
}

type tagKey struct{}

// WithTag labels every exchange made with ctx (Exchange.Tag).
func WithTag(ctx context.Context, tag string) context.Context {
	return context.WithValue(ctx, tagKey{}, tag)
}

// TagFrom returns the tag set by WithTag, or "".
func TagFrom(ctx context.Context) string {
	s, _ := ctx.Value(tagKey{}).(string)
	return s
}

// secretHeaders are masked by MaskedRequestHeader and Curl(false).
var secretHeaders = []string{"X-Secret-Key", "Authorization"}

// MaskSecret shows a secret's ends only: "eyJhbGci…x9Q" for a JWT, at most
// 4 characters ("sk…f2") of anything shorter than 32, and nothing of
// anything shorter than 12. What is shown must never help a guess: 4
// characters off a short key leave too little of it secret, so short keys
// show 2+2 at most; long ones (tokens, 128-bit IDs) keep 11 for
// recognition.
func MaskSecret(s string) string {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return ""
	case n < 12:
		return "…"
	}
	r := []rune(s)
	if n < 32 {
		return string(r[:2]) + "…" + string(r[n-2:])
	}
	return string(r[:8]) + "…" + string(r[n-3:])
}

func maskHeaderValue(name, v string) string {
	if http.CanonicalHeaderKey(name) == "Authorization" {
		if scheme, tok, ok := strings.Cut(v, " "); ok {
			return scheme + " " + MaskSecret(strings.TrimSpace(tok))
		}
	}
	return MaskSecret(v)
}

// MaskedRequestHeader returns a copy of the request headers with
// x-secret-key and Authorization masked.
func (e Exchange) MaskedRequestHeader() http.Header {
	h := e.RequestHeader.Clone()
	if h == nil {
		return http.Header{}
	}
	for _, k := range secretHeaders {
		if vs, ok := h[k]; ok {
			out := make([]string, len(vs))
			for i, v := range vs {
				out[i] = maskHeaderValue(k, v)
			}
			h[k] = out
		}
	}
	return h
}

// jwtRe matches a compact JWS: three base64url parts, header starting eyJ.
var jwtRe = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)

func maskJWTs(s string) string {
	if !strings.Contains(s, "eyJ") {
		return s
	}
	return jwtRe.ReplaceAllStringFunc(s, MaskSecret)
}

// A guest's sessionId is a credential: whoever presents it logs in as that
// guest. sessionIDFieldRe finds it as a JSON field (the login body);
// guestSessionIDRe finds the form walletconsole generates wherever it
// appears (a profile's id in GET /wallets/me, a log line).
var (
	sessionIDFieldRe = regexp.MustCompile(`("sessionId"\s*:\s*")((?:[^"\\]|\\.)*)(")`)
	guestSessionIDRe = regexp.MustCompile(`session-[0-9a-f]{32}\b`)
)

// NewGuestSessionID makes a guest login's sessionId: "session-" and 128
// random bits in hex. The seed's "session-<unix ms>" can be guessed in a few
// dozen tries, and the same sessionId logs in as the same user, so it must
// be as unguessable as a token. It stays a string in the same field.
func NewGuestSessionID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("making a guest session ID: %w", err)
	}
	return "session-" + hex.EncodeToString(b[:]), nil
}

// MaskText masks every credential it can recognise in free text: JWTs, a
// JSON "sessionId" field's value and generated guest session IDs. Headers
// are masked separately (MaskedRequestHeader); the secret key is known to
// the caller, not recognisable, so callers with one replace it themselves.
func MaskText(s string) string {
	s = maskJWTs(s)
	if strings.Contains(s, "sessionId") {
		s = sessionIDFieldRe.ReplaceAllStringFunc(s, func(m string) string {
			sub := sessionIDFieldRe.FindStringSubmatch(m)
			return sub[1] + MaskSecret(sub[2]) + sub[3]
		})
	}
	if strings.Contains(s, "session-") {
		s = guestSessionIDRe.ReplaceAllStringFunc(s, MaskSecret)
	}
	return s
}

// MaskedResponseBody returns the response body with credentials masked
// (POST /auth/complete returns the user's token; GET /wallets/me the guest
// profile's id, which is the sessionId).
func (e Exchange) MaskedResponseBody() []byte { return []byte(MaskText(string(e.ResponseBody))) }

// MaskedRequestBody returns the request body with credentials masked: JWTs
// and the guest login's sessionId.
func (e Exchange) MaskedRequestBody() []byte { return []byte(MaskText(string(e.RequestBody))) }

// Path returns the URL's path and query after the scheme and host.
func (e Exchange) Path() string {
	s := e.URL
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
		if j := strings.IndexByte(s, '/'); j >= 0 {
			return s[j:]
		}
		return "/"
	}
	return s
}

// Curl renders the request as a paste-able shell command; secrets are
// masked unless reveal. Headers are sorted; User-Agent is left to curl.
func (e Exchange) Curl(reveal bool) string { return strings.Join(e.curlParts(reveal), " ") }

// CurlMultiline is Curl with one option per line (shell continuations), for
// showing on screen: it still pastes into a shell as one command.
func (e Exchange) CurlMultiline(reveal bool) string {
	return strings.Join(e.curlParts(reveal), " \\\n  ")
}

func (e Exchange) curlParts(reveal bool) []string {
	h := e.RequestHeader
	body := e.RequestBody
	if !reveal {
		h = e.MaskedRequestHeader()
		body = e.MaskedRequestBody()
	}
	method := e.Method
	if method == "" {
		method = http.MethodGet
	}
	parts := []string{"curl -sS -X " + method + " " + ShellQuote(e.URL)}
	keys := make([]string, 0, len(h))
	for k := range h {
		if http.CanonicalHeaderKey(k) == "User-Agent" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			parts = append(parts, "-H "+ShellQuote(headerName(k)+": "+v))
		}
	}
	if len(body) > 0 {
		parts = append(parts, "--data-raw "+ShellQuote(string(body)))
	}
	return parts
}

// headerName prints the API's own headers as the docs spell them.
func headerName(k string) string {
	switch c := http.CanonicalHeaderKey(k); c {
	case "Authorization", "Content-Type":
		return c
	}
	return strings.ToLower(k)
}

// ShellQuote quotes s for POSIX shells with single quotes.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

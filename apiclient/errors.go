package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// APIError is a non-2xx answer of the API. Error() is one line:
//
//	POST /wallets/send: 400 invalid_request: recipients[0].address is not an address (request 7f3a…)
type APIError struct {
	Status     int
	Code       string // "" when the body has none
	Message    string // never empty: falls back to a cut-down body or the status text
	RequestID  string // x-request-id header or body correlationId
	Method     string
	Path       string        // relative to the base URL, without the query
	RetryAfter time.Duration // from Retry-After (seconds or HTTP date); 0 if absent
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request " + shortID(e.RequestID) + ")")
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (the API asks to wait " + roundElapsed(e.RetryAfter) + ")")
	}
	return b.String()
}

// AsAPIError finds an *APIError in err's chain.
func AsAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

// StatusOf returns the HTTP status of an API error in err's chain, or 0.
func StatusOf(err error) int {
	if e, ok := AsAPIError(err); ok {
		return e.Status
	}
	return 0
}

// RetryAfterOf returns the Retry-After of an API error in err's chain, or 0.
func RetryAfterOf(err error) time.Duration {
	if e, ok := AsAPIError(err); ok {
		return e.RetryAfter
	}
	return 0
}

// Temporary reports whether a retry later may succeed (429, 5xx).
func (e *APIError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

func shortID(id string) string {
	if utf8.RuneCountInString(id) <= 12 {
		return id
	}
	return string([]rune(id)[:8]) + "…"
}

// parseAPIError reads an error body defensively (docs/api.md §7), in order:
// "error" as a string or an object with message/code, top-level
// message/code, result.message, else the raw body cut short. It never fails.
func parseAPIError(method, path string, status int, h http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{Status: status, Method: method, Path: path}
	if h != nil {
		e.RequestID = strings.TrimSpace(h.Get("x-request-id"))
		e.RetryAfter = parseRetryAfter(h.Get("Retry-After"), now)
	}
	trimmed := bytes.TrimSpace(body)
	var m map[string]any
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &m) == nil {
		switch v := m["error"].(type) {
		case string:
			e.Message = v
		case map[string]any:
			e.Message = str(v["message"])
			e.Code = str(v["code"])
			if e.Message == "" {
				e.Message = str(v["error"])
			}
		}
		if e.Message == "" {
			e.Message = str(m["message"])
		}
		if e.Code == "" {
			e.Code = str(m["code"])
		}
		if e.Message == "" {
			if r, ok := m["result"].(map[string]any); ok {
				e.Message = str(r["message"])
			}
		}
		if e.RequestID == "" {
			e.RequestID = str(m["correlationId"])
		}
		if e.RequestID == "" {
			if r, ok := m["error"].(map[string]any); ok {
				e.RequestID = str(r["correlationId"])
			}
		}
	}
	// Printable: the message is the server's text and reaches terminals
	// and logs as it is.
	e.Message = Printable(oneLine(e.Message, 300))
	e.Code = Printable(oneLine(e.Code, 60))
	e.RequestID = Printable(e.RequestID)
	if e.Message == "" {
		e.Message = Printable(cutBody(trimmed, 160))
	}
	if e.Message == "" {
		e.Message = strings.ToLower(http.StatusText(status))
		if e.Message == "" {
			e.Message = "empty response"
		}
	}
	return e
}

// str renders a JSON scalar as text ("" for null, objects and arrays).
func str(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

var (
	titleRe = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	spaceRe = regexp.MustCompile(`\s+`)
	tagRe   = regexp.MustCompile(`<[^>]*>`)
)

// cutBody turns a raw body into a short, single-line message. An HTML page
// gives its title (or its first text), never the whole page.
func cutBody(b []byte, max int) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "�")
	}
	low := strings.ToLower(s[:min(len(s), 512)])
	if strings.HasPrefix(low, "<!doctype html") || strings.HasPrefix(low, "<html") || strings.Contains(low, "<body") || strings.Contains(low, "<head") {
		if m := titleRe.FindStringSubmatch(s); m != nil && strings.TrimSpace(m[1]) != "" {
			return "HTML page: " + oneLine(m[1], max)
		}
		text := oneLine(tagRe.ReplaceAllString(s, " "), max)
		if text == "" {
			return fmt.Sprintf("HTML page (%d bytes)", len(b))
		}
		return "HTML page: " + text
	}
	return oneLine(s, max)
}

// oneLine collapses whitespace and cuts s to max runes with "…".
func oneLine(s string, max int) string {
	s = strings.TrimSpace(spaceRe.ReplaceAllString(s, " "))
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return s
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n <= 0 {
			return 0
		}
		n = min(n, 86400)
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// Transient reports whether a failed request may succeed if asked again
// later: network trouble, 429, 5xx, and 404 (a just-created transaction ID
// can be unknown for a moment). 400/401/403 never change by waiting, and a
// cancelled context is the caller's own doing. This is the one place that
// classifies statuses; watchers in flows and ui both ask it.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	e, ok := AsAPIError(err)
	if !ok {
		return !errors.Is(err, context.Canceled)
	}
	switch e.Status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return false
	}
	return true
}

// AuthFailed reports a 401 or 403: a credential is wrong or lacks a right,
// and retrying the same request cannot help.
func AuthFailed(err error) bool {
	s := StatusOf(err)
	return s == http.StatusUnauthorized || s == http.StatusForbidden
}

// NetErrorKind says how a request failed to get an answer.
type NetErrorKind int

const (
	NetOther     NetErrorKind = iota
	NetTimeout                // no answer within the client's timeout or the caller's deadline
	NetRefused                // nothing listens at the address
	NetNoHost                 // the host name does not resolve
	NetDropped                // the connection closed before or during the answer
	NetTLS                    // the TLS handshake or certificate failed
	NetCancelled              // the caller cancelled
	NetRedirect               // a redirect to another origin was refused
)

// NetError is a request that got no usable answer. Error() is one line of
// plain language naming the call, with no transport internals ("dial tcp",
// "EOF", "Client.Timeout…"); Unwrap returns the transport's error, so
// errors.Is(err, context.DeadlineExceeded) and errors.As(err, &opErr) keep
// working.
type NetError struct {
	Kind    NetErrorKind
	Method  string
	Path    string        // relative to the base URL, without the query
	Host    string        // host:port the call went to
	Elapsed time.Duration // from sending to failing
	Midway  bool          // NetDropped: the answer had started
	Detail  string        // NetTLS / NetOther / NetRedirect: what went wrong, already plain
	Err     error
}

func (e *NetError) Error() string {
	// a NetError made by NetErrorOf from a bare transport error may not
	// know the call, the host or the time
	at, call := "", ""
	if e.Host != "" {
		at = " at " + e.Host
	}
	if e.Method != "" {
		call = " (" + e.Method + " " + e.Path + ")"
	}
	var s string
	switch e.Kind {
	case NetTimeout:
		s = "the API did not answer in time"
		if e.Elapsed > 0 {
			s = "the API did not answer within " + roundElapsed(e.Elapsed)
		}
	case NetRefused:
		s = "could not connect to the API" + at + ": nothing is listening there (connection refused)"
	case NetNoHost:
		s = "could not find the API's host " + hostOnly(e.Host) + " (the name does not resolve)"
	case NetDropped:
		if e.Midway {
			s = "the API closed the connection in the middle of its answer"
		} else {
			s = "the API closed the connection without answering"
		}
	case NetTLS:
		s = "the secure connection to " + e.Host + " failed: " + e.Detail
	case NetCancelled:
		s = "cancelled"
	case NetRedirect:
		s = e.Detail
	default:
		s = "could not reach the API" + at + ": " + e.Detail
	}
	s += call
	// Only GETs are retried: a write that got no answer may still have
	// been carried out, and sending it again could do it twice.
	if e.Method != "" && e.Method != http.MethodGet && (e.Kind == NetTimeout || e.Kind == NetDropped) {
		s += "; it may still have been carried out: check the transactions before sending it again"
	}
	return s
}

func (e *NetError) Unwrap() error { return e.Err }

// Timeout reports a NetTimeout (net.Error's method, for callers that ask).
func (e *NetError) Timeout() bool { return e.Kind == NetTimeout }

func roundElapsed(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Second).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return "<1ms"
}

func hostOnly(hostport string) string {
	if h, _, ok := strings.Cut(hostport, ":"); ok && !strings.HasPrefix(hostport, "[") {
		return h
	}
	return hostport
}

// NetErrorOf is err as a *NetError, so every caller words network trouble
// the same: the one in err's chain, or one made from a bare transport error
// (a dial, a dropped connection, a timeout, a cancel) that did not come
// through the client. false when err is not network trouble.
func NetErrorOf(err error) (*NetError, bool) {
	if err == nil {
		return nil, false
	}
	if e, ok := AsNetError(err); ok {
		return e, true
	}
	e := netError(context.Background(), call{}, "", 0, false, err).(*NetError)
	var dns *net.DNSError
	switch {
	case e.Kind == NetOther:
		return nil, false // not known transport trouble: the caller's own words
	case e.Kind == NetNoHost && errors.As(err, &dns):
		e.Host = dns.Name
	}
	return e, true
}

// AsNetError finds a *NetError in err's chain.
func AsNetError(err error) (*NetError, bool) {
	var e *NetError
	ok := errors.As(err, &e)
	return e, ok
}
